"""`python manage.py export_annex_a --on DATE FILE.xlsx`: Ofsted's Annex A List 8 (children
in care) for the inspection date DATE, as far as the register holds it (docs/returns.md,
"Ofsted Annex A"; harbour/returns/annex_a.py). Audited as "returns.annex_a_exported"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from harbour.common.time import local_date
from harbour.returns.annex_a import SHEET_TITLE, export


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"--on {text}: not a date; give the inspection date as YYYY-MM-DD."
        ) from error


class Command(BaseCommand):
    help = (
        "Write Ofsted Annex A List 8 (children in care on DATE and those who left care in "
        "the six months before) with its missing and absence columns. See docs/returns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on",
            required=True,
            metavar="DATE",
            help="The inspection date, YYYY-MM-DD (Europe/London); not after today.",
        )
        parser.add_argument("file", type=Path, metavar="FILE.xlsx")

    def handle(self, *args: object, on: str, file: Path, **options: object) -> None:
        day = _date(on)
        today = local_date(timezone.now())
        if day > today:
            raise CommandError(f"--on {day.isoformat()} is after today ({today.isoformat()}).")
        if file.suffix.lower() != ".xlsx":
            raise CommandError(f"{file}: the file must end .xlsx (an Excel workbook).")
        if not file.parent.is_dir():
            raise CommandError(f"{file}: the folder {file.parent} does not exist.")
        rows = export(day, file)
        self.stdout.write(f"{SHEET_TITLE}: {rows} children on {day.isoformat()} written to {file}")
