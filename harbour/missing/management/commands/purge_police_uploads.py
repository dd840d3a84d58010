"""Delete police extracts held for a preview for more than 24 hours (run it from cron,
for example hourly; the upload pages also do it on every visit). Prints only a count."""

from django.core.management.base import BaseCommand

from harbour.missing.upload.files import purge_expired


class Command(BaseCommand):
    help = "Delete police CSV extracts held for more than 24 hours without being recorded."

    def handle(self, *args: object, **options: object) -> None:
        deleted = purge_expired()
        self.stdout.write(f"Deleted {deleted} held police extract(s).")
