from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.audit import services as auditor
from harbour.common.progress import add_quiet_argument, progress_line
from harbour.returns.ssda903.register import register_tables
from harbour.returns.ssda903.writer import write_csv, write_xml


class Command(BaseCommand):
    help = (
        "Write the register's SSDA903 tables for collection year Y/Y+1 (1 April Y to 31 March "
        "Y+1): missing.csv, with header.csv and episodes.csv, or the 903 XML. "
        "See docs/returns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, required=True, help="The collection year's first year."
        )
        parser.add_argument("folder", type=Path)
        parser.add_argument("--format", choices=("csv", "xml"), default="csv")
        add_quiet_argument(parser)

    def handle(
        self, *args: object, year: int, folder: Path, format: str, quiet: bool, **options: object
    ) -> None:
        if not 1900 <= year <= 9998:
            raise CommandError("--year must be a collection year's first year, e.g. 2024.")
        write = write_xml if format == "xml" else write_csv
        with progress_line(self.stderr, "903 export", quiet=quiet) as progress:
            tables = register_tables(year, progress=progress)
            counts = write(tables, folder, progress=progress)
        auditor.record(
            "command line",
            "returns.ssda903_export",
            details={"year": year, "format": format, "folder": str(folder), "rows": counts},
        )
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
