import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.audit import services as auditor
from harbour.common.progress import Progress, add_quiet_argument, progress_line
from harbour.reports import formats, pack, presentation
from harbour.reports.engine import Report, build_report, build_reports
from harbour.reports.exploitation import build_point_report
from harbour.reports.kinds import YEAR_REPORTS, YearReport
from harbour.reports.periods import Period
from harbour.reports.suppression import DEFAULT_THRESHOLD, suppress

XLSX_NEEDS_A_FILE = "--format xlsx writes a file: give it with --output FILE."
# The committee pack (reports/pack.py): what the report pages offer as PDF and Word.
PACK_FORMATS = ("pdf", "docx")


class Command(BaseCommand):
    help = (
        "Print the quarterly, annual or exploitation report (shared/spec/metrics.md) for a "
        "period, the exploitation figures quarter by quarter, the exploitation report at a "
        "date (--on), or the DfE's national-statistics missing figures for a collection year "
        "(ssda903 --year Y)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=[
                "quarterly",
                "annual",
                "exploitation",
                "exploitation_quarterly",
                *sorted(YEAR_REPORTS),
            ],
        )
        parser.add_argument("--year", type=int, help="financial year's first calendar year")
        parser.add_argument("--quarter", type=int, choices=[1, 2, 3, 4])
        parser.add_argument("--from", dest="first", type=dt.date.fromisoformat, metavar="DATE")
        parser.add_argument("--to", dest="last", type=dt.date.fromisoformat, metavar="DATE")
        parser.add_argument(
            "--on",
            dest="on",
            type=dt.date.fromisoformat,
            metavar="DATE",
            help="exploitation only: the children whose CSE concern is open on this date",
        )
        parser.add_argument("--include-absences", action="store_true")
        parser.add_argument(
            "--format",
            choices=["text", "json", "csv", "xlsx", "html", *PACK_FORMATS],
            default="text",
            help="pdf and docx: the committee pack, tables with charts and definitions",
        )
        parser.add_argument("--output", type=Path, metavar="FILE")
        parser.add_argument(
            "--for-publication",
            action="store_true",
            help="suppress counts from 1 to the threshold and what would give them away",
        )
        parser.add_argument("--threshold", type=int, default=DEFAULT_THRESHOLD)
        add_quiet_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind in YEAR_REPORTS:
            self._year_report(kind, YEAR_REPORTS[kind], options)
            return
        on: dt.date | None = options["on"]
        if kind.startswith("exploitation") and options["include_absences"]:
            raise CommandError("The exploitation report counts no absences: no --include-absences.")
        if on is not None:
            if kind != "exploitation":
                raise CommandError("--on is for the exploitation report only.")
            if any(options[name] is not None for name in ("year", "quarter", "first", "last")):
                raise CommandError("Give either --on or a period, not both.")
            periods, single = [Period(on, on)], True
        else:
            periods, single = self._periods(kind, options)
        output_format = options["format"]
        output: Path | None = options["output"]
        if output_format == "xlsx" and output is None:
            raise CommandError(XLSX_NEEDS_A_FILE)
        if output_format in PACK_FORMATS:
            if kind not in ("quarterly", "annual"):
                raise CommandError(
                    f"The committee pack is made for the quarterly and annual reports, "
                    f"not {kind}: use --format text, json, csv, xlsx or html."
                )
            if output is None:
                raise CommandError(
                    f"--format {output_format} writes a file: give it with --output FILE."
                )
        # The report is written after the line has ended: both may be on one terminal.
        with progress_line(
            self.stderr, "Report", quiet=options["quiet"], unit="periods"
        ) as progress:
            progress.stage(f"building {kind}", total=len(periods))
            reports = []
            whole_period = None
            try:
                for period in periods:
                    if on is not None:
                        reports.append(build_point_report(on))
                    elif kind == "annual" and output_format in PACK_FORMATS:
                        # The pack's charts need the year's quarterly figures: one pass.
                        report, whole_period = build_reports(
                            ("annual", "quarterly"), period, options["include_absences"]
                        )
                        reports.append(report)
                    else:
                        reports.append(build_report(kind, period, options["include_absences"]))
                    progress.advance()
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            if options["for_publication"]:
                if options["threshold"] < 1:
                    raise CommandError("--threshold must be at least 1.")
                reports = [suppress(report, options["threshold"]) for report in reports]
            if output_format in PACK_FORMATS:
                assert output is not None  # refused above
                self._write_pack(kind, reports, options, output, progress, whole_period)
        if output_format not in PACK_FORMATS:
            self._write(reports, single, output_format, output)
        auditor.record(
            "command line",
            "report.download",
            details={
                "report": kind,
                "periods": [[p.first.isoformat(), p.last.isoformat()] for p in periods],
                "on": on.isoformat() if on else None,
                "include_absences": options["include_absences"],
                "format": output_format,
                "for_publication": options["for_publication"],
            },
        )

    def _year_report(self, kind: str, kinds: YearReport, options: dict[str, Any]) -> None:
        """A kind registered by an app above reports (reports/kinds.py), for one year:
        `ssda903`, the DfE's national-statistics missing figures for a collection year."""
        year, output_format = options["year"], options["format"]
        if year is None:
            raise CommandError("Give the collection year: --year Y (1 April Y to 31 March Y+1).")
        if not 1900 <= year <= 2999:
            raise CommandError(f"--year {year} is not a collection year this register can hold.")
        others = {"--quarter": "quarter", "--from": "first", "--to": "last", "--on": "on"}
        given = [flag for flag, name in others.items() if options[name] is not None]
        if options["include_absences"]:
            given.append("--include-absences")
        if given:
            raise CommandError(
                f"The {kind} report takes --year only (it counts absences as its away "
                f"figures): no {', '.join(given)}."
            )
        if output_format not in ("text", "json", "csv"):
            raise CommandError(f"The {kind} report is written as text, json or csv.")
        if options["for_publication"] and options["threshold"] < 1:
            raise CommandError("--threshold must be at least 1.")
        with progress_line(
            self.stderr, "Report", quiet=options["quiet"], unit="periods"
        ) as progress:
            progress.stage(f"building {kind} {year}", total=1)
            try:
                report = kinds.build(year)
            except ImproperlyConfigured as error:
                raise CommandError(str(error)) from error
            progress.advance()
        if options["for_publication"]:
            report = kinds.for_publication(report, options["threshold"])
        text = {
            "text": lambda: kinds.as_text(report),
            "json": lambda: formats.as_json([report], True),
            "csv": lambda: formats.as_csv([report]),
        }[output_format]()
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
        auditor.record(
            "command line",
            "report.download",
            details={
                "report": kind,
                "periods": [[report.period.first.isoformat(), report.period.last.isoformat()]],
                "on": None,
                "include_absences": True,
                "format": output_format,
                "for_publication": options["for_publication"],
            },
        )

    def _periods(self, kind: str, options: dict[str, Any]) -> tuple[list[Period], bool]:
        year, quarter = options["year"], options["quarter"]
        first, last = options["first"], options["last"]
        if (first is None) != (last is None):
            raise CommandError("--from and --to go together.")
        if first is not None:
            if year is not None or quarter is not None:
                raise CommandError("Give either --year (and --quarter) or --from and --to.")
            try:
                return [Period(first, last)], True
            except ValueError as error:
                raise CommandError(f"Impossible period: {error}.") from error
        if year is None:
            raise CommandError("Give a period: --year (and --quarter), or --from and --to.")
        if not 1900 <= year <= 2999:
            raise CommandError(f"--year {year} is not a financial year this register can hold.")
        if kind == "annual":
            if quarter is not None:
                raise CommandError("The annual report takes no --quarter.")
            return [Period.financial_year(year)], True
        if kind == "exploitation" and quarter is None:
            return [Period.financial_year(year)], True
        if quarter is not None:
            return [Period.quarter(year, quarter)], True
        return [Period.quarter(year, q) for q in (1, 2, 3, 4)], False

    def _write_pack(
        self,
        kind: str,
        reports: list[Report],
        options: dict[str, Any],
        output: Path,
        progress: Progress,
        whole_period: Report | None = None,
    ) -> None:
        """The committee pack, as the report pages' PDF and Word downloads make it: every
        figure, the charts' included, worked out now."""
        progress.stage("drawing the charts", total=1)
        figures = (
            presentation.annual_figures(reports[0], options, fresh=True, whole_period=whole_period)
            if kind == "annual"
            else presentation.quarterly_figures(reports)
        )
        progress.advance()
        progress.stage(f"writing the {options['format'].upper()}", total=1)
        make = pack.pack_docx if options["format"] == "docx" else pack.pack_pdf
        output.write_bytes(make(reports, figures, settings.COUNCIL_NAME))
        progress.advance()

    def _write(
        self, reports: list[Report], single: bool, output_format: str, output: Path | None
    ) -> None:
        if output_format == "xlsx":
            if output is None:  # refused in handle() before any work; checked again for mypy
                raise CommandError(XLSX_NEEDS_A_FILE)
            formats.write_xlsx(reports, output)
            return
        text = {
            "text": lambda: formats.as_text(reports),
            "json": lambda: formats.as_json(reports, single),
            "csv": lambda: formats.as_csv(reports),
            "html": lambda: formats.as_html(reports),
        }[output_format]()
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
