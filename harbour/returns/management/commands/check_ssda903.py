"""Check the register's SSDA903 tables, or a council's 903 folder, against the DfE's
missing rules (rules.py).

Exit status: 0 when every rule passes, 1 when some row fails one, 2 when nothing could be
checked (a folder that cannot be read: each problem as `file:line:column: message`).
Checking the register is audited as "returns.ssda903_checked", with the children named.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.audit import services as auditor
from harbour.children.models import Child
from harbour.reports.formats import safe_cell
from harbour.returns.ssda903.reader import read_folder
from harbour.returns.ssda903.register import register_tables
from harbour.returns.ssda903.rules import RULES, Failure, check
from harbour.returns.ssda903.tables import Tables

COLUMNS = ("source", "code", "message", "table", "child", "file", "line", "model", "pk")


class Command(BaseCommand):
    help = (
        "Check the register's SSDA903 tables for a collection year, or a council's 903 "
        "folder (--from), against the DfE's rules on the MISSING table, with the DfE's "
        "messages. Exit status 0: no failures; 1: failures; 2: nothing could be checked. "
        "See docs/returns.md."
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
            help="check this 903 folder (header.csv, episodes.csv, missing.csv, or the XML) "
            "instead of the register",
        )
        parser.add_argument(
            "--previous",
            type=Path,
            metavar="DIR",
            help="with --from: last year's 903 folder, for rule 576 (an episode open at the "
            "end of last year carried into this one); without it 576 is not checked. The "
            "register is compared with its own last year",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        folder: Path | None = options["folder"]
        output_format: str = options["format"]
        if not 1901 <= year <= 9998:
            raise CommandError(
                "--year must be a collection year's first year, e.g. 2025.", returncode=2
            )
        if folder is None:
            if options["previous"]:
                raise CommandError(
                    "--previous goes with --from: the register has last year.", returncode=2
                )
            self._check_register(year, output_format)
            return
        tables = self._read(folder, year)
        previous = self._read(options["previous"], year - 1) if options["previous"] else None
        if previous is None:
            skipped = [code for code, rule in RULES.items() if rule.needs_previous_year]
            self.stderr.write(
                f"note: {', '.join(skipped)} not checked: it needs last year's return "
                "(--previous DIR)."
            )
        self._report(check(tables, previous), output_format)

    def _check_register(self, year: int, output_format: str) -> None:
        failures = check(register_tables(year), register_tables(year - 1))
        named = {failure.child for failure in failures}
        auditor.record(
            "command line",
            "returns.ssda903_checked",
            details={"year": year, "format": output_format, "failures": len(failures)},
            children=Child.objects.filter(child_id__in=named).values_list("pk", flat=True),
        )
        self._report(failures, output_format)

    def _report(self, failures: list[Failure], output_format: str) -> None:
        self.stdout.write(render(failures, output_format), ending="")
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
