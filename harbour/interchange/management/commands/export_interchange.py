from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from harbour.audit import services as auditor
from harbour.interchange.exporter import export_folder


class Command(BaseCommand):
    help = "Export the register as an interchange folder. See docs/interchange.md."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: object, folder: Path, **options: object) -> None:
        counts = export_folder(folder)
        auditor.record(
            "command line", "interchange.export", details={"folder": str(folder), "rows": counts}
        )
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")
