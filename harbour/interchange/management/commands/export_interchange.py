from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.accounts.permissions import allowed
from harbour.audit import services as auditor
from harbour.interchange.exporter import export_folder

# Who may take the intelligence tables out of the register (exploitation.md §4): an
# exploitation lead, the holder of this permission.
INTELLIGENCE_PERMISSION = "exploitation.manage_nrm"


class Command(BaseCommand):
    help = "Export the register as an interchange folder. See docs/interchange.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--include-intelligence",
            action="store_true",
            help="Also write nrm_referrals.csv (criminal-offence and immigration data). "
            "Needs --operator, an exploitation lead; audited as its own action.",
        )
        parser.add_argument(
            "--operator",
            metavar="USERNAME",
            help="The member of staff running the export (required with --include-intelligence).",
        )

    def handle(
        self,
        *args: object,
        folder: Path,
        include_intelligence: bool = False,
        operator: str | None = None,
        **options: object,
    ) -> None:
        if not include_intelligence:
            counts = export_folder(folder)
            auditor.record(
                "command line",
                "interchange.export",
                details={"folder": str(folder), "rows": counts},
            )
        else:
            user = _operator(operator)
            counts = export_folder(folder, include_intelligence=True)
            auditor.record(
                user,
                "interchange.export_intelligence",
                details={"folder": str(folder), "rows": counts},
            )
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")


def _operator(username: str | None) -> User:
    if not username:
        raise CommandError(
            "--include-intelligence needs --operator USERNAME (an exploitation lead)."
        )
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active member of staff is called '{username}'.")
    if not allowed(user, INTELLIGENCE_PERMISSION):
        raise CommandError(
            f"'{username}' may not export intelligence: only an exploitation lead may "
            "(exploitation.md §4). Nothing was exported."
        )
    return user
