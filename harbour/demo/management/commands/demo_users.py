from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "harbour-demo-2026"  # noqa: S105 (a published demo password, DEBUG only)


class Command(BaseCommand):
    help = f"Create the demo superuser '{USERNAME}' (development only: needs DEBUG on)."

    def handle(self, *args: object, **options: object) -> None:
        # A password printed in the docs must never exist on a real deployment.
        if not settings.DEBUG:
            raise CommandError(
                "demo_users only runs with DEBUG on: a demo account with a published password "
                "must never exist on a real deployment."
            )
        users = get_user_model()._default_manager
        if users.filter(username=USERNAME).exists():
            self.stdout.write(
                f"The user '{USERNAME}' already exists; its password is left as it is."
            )
        else:
            users.create_superuser(username=USERNAME, email="", password=PASSWORD)
            self.stdout.write(f"Created the demo superuser '{USERNAME}'.")
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/admin/ as {USERNAME} / {PASSWORD}")
