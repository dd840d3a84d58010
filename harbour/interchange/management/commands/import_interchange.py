from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(result.errors)} problem(s) found; nothing was imported.", returncode=1
            )
        for name, count in result.counts.items():
            self.stdout.write(
                f"{name}: {count.rows} rows ({count.created} new, {count.updated} updated "
                "or unchanged)"
            )
