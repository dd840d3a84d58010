from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.returns.ssda903.importer import import_ssda903


class Command(BaseCommand):
    help = (
        "Import a council's SSDA903 folder (header.csv, episodes.csv, missing.csv, or the "
        "903 XML): children, looked-after periods and missing episodes, all or nothing. "
        "See docs/returns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: object, folder: Path, **options: object) -> None:
        result = import_ssda903(folder)
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
                f"{name}: {count.created} new, {count.updated} updated, {count.unchanged} unchanged"
            )
