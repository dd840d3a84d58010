"""Check a council's SSDA903 folder against the DfE's missing rules (rules.py).

Exit status: 0 when every rule passes, 1 when some row fails one, 2 when the folder could
not be read (each problem as `file:line:column: message`, nothing checked).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.reports.formats import safe_cell
from harbour.returns.ssda903.reader import read_folder
from harbour.returns.ssda903.rules import RULES, Failure, check
from harbour.returns.ssda903.tables import Tables

COLUMNS = ("source", "code", "message", "table", "child", "file", "line", "model", "pk")
REGISTER_NOT_YET = (
    "Give the council's 903 folder with --from DIR: checking the register itself comes "
    "with the register's 903 tables (harbour/returns/ssda903/register.py), not yet there."
)


class Command(BaseCommand):
    help = (
        "Check a council's SSDA903 folder (the DfE's CSV files or XML) against the DfE's "
        "rules on the MISSING table, with the DfE's messages. Exit status 0: no failures; "
        "1: failures; 2: the folder could not be read. See docs/returns.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            required=True,
            help="the collection year by its first year: 2025 is 1 April 2025 to 31 March 2026",
        )
        parser.add_argument("--format", choices=["text", "json", "csv"], default="text")
        parser.add_argument(
            "--from",
            dest="folder",
            type=Path,
            metavar="DIR",
            help="the council's 903 folder: header.csv, episodes.csv, missing.csv, or the XML",
        )
        parser.add_argument(
            "--previous",
            type=Path,
            metavar="DIR",
            help="last year's 903 folder, for rule 576 (an episode open at the end of last "
            "year carried into this one); without it 576 is not checked",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        folder: Path | None = options["folder"]
        if folder is None:
            raise CommandError(REGISTER_NOT_YET, returncode=2)
        tables = self._read(folder, year)
        previous = self._read(options["previous"], year - 1) if options["previous"] else None
        if previous is None:
            skipped = [code for code, rule in RULES.items() if rule.needs_previous_year]
            self.stderr.write(
                f"note: {', '.join(skipped)} not checked: it needs last year's return "
                "(--previous DIR)."
            )
        failures = check(tables, previous)
        self.stdout.write(render(failures, options["format"]), ending="")
        if failures:
            raise CommandError(f"{len(failures)} failure(s) of the DfE's 903 rules.", returncode=1)
        self.stderr.write("No failures.")

    def _read(self, folder: Path, year: int) -> Tables:
        result = read_folder(folder, year)
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(result.errors)} problem(s) reading {folder}; nothing was checked.",
                returncode=2,
            )
        return result.tables


def render(failures: list[Failure], output_format: str) -> str:
    if output_format == "json":
        return json.dumps([f.as_dict() for f in failures], ensure_ascii=False, indent=2) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for failure in failures:
            values = failure.as_dict()
            writer.writerow(["" if values[c] is None else safe_cell(values[c]) for c in COLUMNS])
        return buffer.getvalue()
    return "".join(f"{f.source}: {f.code} {f.message}\n" for f in failures)
