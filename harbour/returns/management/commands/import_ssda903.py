from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from harbour.common.imports import report_or_refuse
from harbour.common.progress import add_quiet_argument, progress_line
from harbour.returns.ssda903.importer import import_ssda903


class Command(BaseCommand):
    help = (
        "Import a council's SSDA903 folder (header.csv, episodes.csv, missing.csv, or the "
        "903 XML): children, looked-after periods and missing episodes, all or nothing. "
        "See docs/returns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        add_quiet_argument(parser)

    def handle(self, *args: object, folder: Path, quiet: bool, **options: object) -> None:
        with progress_line(self.stderr, "903 import", quiet=quiet) as progress:
            result = import_ssda903(folder, progress=progress)
        report_or_refuse(self, result.warnings, result.errors)
        for name, count in result.counts.items():
            self.stdout.write(
                f"{name}: {count.created} new, {count.updated} updated, {count.unchanged} unchanged"
            )
