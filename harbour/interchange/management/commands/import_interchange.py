from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from harbour.common.imports import report_or_refuse
from harbour.common.progress import add_quiet_argument, progress_line
from harbour.interchange.importer import import_folder


class Command(BaseCommand):
    help = "Import an interchange folder (all or nothing). See docs/interchange.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        add_quiet_argument(parser)

    def handle(self, *args: object, folder: Path, quiet: bool, **options: object) -> None:
        with progress_line(self.stderr, "Importing", quiet=quiet) as progress:
            result = import_folder(folder, progress=progress)
        report_or_refuse(self, result.warnings, result.errors)
        for name, count in result.counts.items():
            self.stdout.write(
                f"{name}: {count.rows} rows ({count.created} new, {count.updated} updated "
                "or unchanged)"
            )
