from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.accounts.models import Role
from harbour.accounts.services import create_staff_user


class Command(BaseCommand):
    help = (
        "Create the first Harbour administrator (the Administrator role) and print the "
        "one-time link with which they set their password. Later staff are added at /staff/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--base-url",
            default="",
            help="e.g. https://harbour.example.gov.uk, to print a full link",
        )

    def handle(self, *args: object, **options: str) -> None:
        try:
            added = create_staff_user(
                "command line",
                username=options["username"],
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                roles=[Role.ADMINISTRATOR],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        link = options["base_url"] + added.set_password_path
        self.stdout.write(
            f"Created {added.user.get_username()} with the Administrator role. They set their "
            f"password (and then their second factor) at:\n{link}"
        )
