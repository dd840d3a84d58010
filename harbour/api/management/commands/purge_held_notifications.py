"""Delete the API's held notifications once their police reference is recorded for an
episode (run it from cron, for example daily; the held list also does it on every visit).
Prints only a count."""

from django.core.management.base import BaseCommand

from harbour.api.services import purge_recorded


class Command(BaseCommand):
    help = "Delete held API notifications that have since been recorded for an episode."

    def handle(self, *args: object, **options: object) -> None:
        deleted = purge_recorded("purge_held_notifications command")
        self.stdout.write(f"Deleted {deleted} recorded held notification(s).")
