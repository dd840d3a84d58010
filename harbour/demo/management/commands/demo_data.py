import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from harbour.children.models import Child
from harbour.common.progress import add_quiet_argument, progress_line
from harbour.demo import ola
from harbour.demo.generator import period_start, write_demo_folder
from harbour.interchange.importer import import_folder
from harbour.reports.models import ChildPopulation, ComparatorRate
from harbour.reports.services import save_child_population, save_comparator_rate


class Command(BaseCommand):
    help = (
        "Fill the register with a synthetic authority (invented children, episodes, "
        "interviews, meetings and exploitation records) through the interchange import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--episodes", type=int, default=3000, help="default 3000")
        parser.add_argument("--seed", type=int, default=2026, help="default 2026")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the register already holds any child",
        )
        parser.add_argument(
            "--keep-folder",
            type=Path,
            metavar="DIR",
            help="write the interchange folder here and keep it (default: a temporary folder)",
        )
        add_quiet_argument(parser)

    def handle(
        self,
        *args: object,
        episodes: int,
        seed: int,
        if_empty: bool,
        keep_folder: Path | None,
        quiet: bool,
        **options: object,
    ) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "demo_data only runs with DEBUG on: invented children must never be mixed into "
                "a live register."
            )
        authority = settings.LOCAL_AUTHORITY_CODE
        if not authority:
            raise CommandError(
                "LOCAL_AUTHORITY_CODE is not set. The demo authority takes this register's own "
                "code; set it first, e.g. LOCAL_AUTHORITY_CODE=999."
            )
        if episodes < 1:
            raise CommandError("--episodes must be at least 1.")
        if if_empty and Child.objects.exists():
            self.stdout.write("The register already holds children: no demo data added.")
            return
        # Yesterday, so that nothing generated lies in the future when it is imported.
        last_day = timezone.localdate() - dt.timedelta(days=1)
        if keep_folder is not None:
            self._generate_and_import(keep_folder, episodes, seed, authority, last_day, quiet)
            self.stdout.write(f"The interchange folder is kept in {keep_folder}")
            return
        with tempfile.TemporaryDirectory(prefix="harbour_demo_") as folder:
            self._generate_and_import(Path(folder), episodes, seed, authority, last_day, quiet)

    def _generate_and_import(
        self,
        folder: Path,
        episodes: int,
        seed: int,
        authority: str,
        last_day: dt.date,
        quiet: bool,
    ) -> None:
        self.stdout.write(
            f"Generating {episodes:,} synthetic episodes (seed {seed}, authority {authority}, "
            f"up to {last_day.isoformat()})..."
        )
        with progress_line(self.stderr, "Generating", quiet=quiet, unit="episodes") as progress:
            written = write_demo_folder(
                folder,
                episodes=episodes,
                seed=seed,
                authority_code=authority,
                last_day=last_day,
                progress=progress,
            )
        self.stdout.write("Importing...")
        with progress_line(self.stderr, "Importing", quiet=quiet) as progress:
            result = import_folder(folder, actor="demo_data", progress=progress)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                f"The demo folder did not import ({len(result.errors)} problem(s); nothing was "
                "imported). This is a bug in harbour/demo/generator.py."
            )
        for name, rows in written.items():
            count = result.counts.get(name)
            created = f" ({count.created:,} new)" if count is not None else ""
            self.stdout.write(f"  {name}: {rows:,} rows{created}")
        self._reference_data(period_start(last_day, episodes).year, last_day.year)
        added = ola.authorities(authority)
        entries = ola.logs()
        self.stdout.write(
            f"  other authorities: {added} added; OLA notification log entries: {entries}"
        )
        self.stdout.write(self.style.SUCCESS("Demo data imported."))

    def _reference_data(self, first_year: int, last_year: int) -> None:
        """An invented child population and comparator rates, so the rates show."""
        for year in range(first_year, last_year + 1):
            if not ChildPopulation.objects.filter(financial_year=year).exists():
                population = 58_000 + 350 * (year - first_year)
                save_child_population(
                    "demo_data", ChildPopulation(financial_year=year, population=population)
                )
            for area, episodes, children in (
                (ComparatorRate.Area.ENGLAND, "14.8", "5.9"),
                (ComparatorRate.Area.STATISTICAL_NEIGHBOURS, "16.2", "6.4"),
            ):
                if not ComparatorRate.objects.filter(financial_year=year, area=area).exists():
                    save_comparator_rate(
                        "demo_data",
                        ComparatorRate(
                            financial_year=year,
                            area=area,
                            episodes_per_10k=Decimal(episodes),
                            individuals_per_10k=Decimal(children),
                        ),
                    )
