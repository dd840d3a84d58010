"""Reports as text, JSON, CSV, XLSX and HTML.

Several reports side by side (the four quarters of a year) share one table: a row per
figure, a number and a percentage column per report. Spreadsheet cells that begin with a
formula character are escaped so that opening a download never runs anything.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import IO, Any

from .definitions import REPORT_TITLES
from .engine import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _title(report: Report) -> str:
    title = REPORT_TITLES[report.kind]
    if report.include_absences:
        title += " (absences included)"
    if report.for_publication:
        title += " for publication: [c] marks a figure suppressed to protect children"
    return title


def column_title(report: Report) -> str:
    return report.column_label()


def _number(value: str | int | float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def _percent(value: str | int | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value}%"


def as_json(reports: Sequence[Report], single: bool) -> str:
    data = [report.as_json() for report in reports]
    return json.dumps(data[0] if single else data, indent=2) + "\n"


def as_text(reports: Sequence[Report]) -> str:
    first = reports[0]
    title = _title(first)
    header = ["", *(column_title(r) for r in reports)]
    lines = [[row.label, *(_pair(r, row.id) for r in reports)] for row in first.rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    out = [title, ""]
    for line in [header, *lines]:
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def _pair(report: Report, row_id: str) -> str:
    row = report.row(row_id)
    number, share = _number(row.shown_value), _percent(row.shown_percent)
    return f"{number} ({share})" if share else number


def _table(reports: Sequence[Report]) -> list[list[Any]]:
    header: list[Any] = ["id", "label"]
    for report in reports:
        header += [f"{column_title(report)} number", f"{column_title(report)} %"]
    rows = [header]
    for row in reports[0].rows:
        line: list[Any] = [row.id, row.label]
        for report in reports:
            cell = report.row(row.id)
            line += [cell.shown_value, cell.shown_percent]
        rows.append(line)
    return rows


def as_csv(reports: Sequence[Report]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in _table(reports):
        writer.writerow(["" if v is None else safe_cell(v) for v in line])
    return buffer.getvalue()


def as_html(reports: Sequence[Report]) -> str:
    first = reports[0]
    caption = escape(f"{_title(first)}, {', '.join(map(column_title, reports))}")
    head = "".join(f'<th scope="col" colspan="2">{escape(column_title(r))}</th>' for r in reports)
    body = []
    for row in first.rows:
        cells = "".join(
            f"<td>{escape(_number(r.row(row.id).shown_value))}</td>"
            f"<td>{escape(_percent(r.row(row.id).shown_percent))}</td>"
            for r in reports
        )
        body.append(
            f'<tr id="{escape(row.id)}"><th scope="row">{escape(row.label)}</th>{cells}</tr>'
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{caption}</title></head><body><table><caption>{caption}</caption>"
        f"<thead><tr><td></td>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )


def write_xlsx(reports: Sequence[Report], path: Path | IO[bytes]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from .definitions import COMMON_TERMS, NOTES, base_of

    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    first = reports[0]
    sheet.append([safe_cell(_title(first))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    header = ["", *[title for r in reports for title in (column_title(r), "")]]
    sheet.append(header)
    sheet.append(["", *["No.", "%"] * len(reports)])
    for cell in sheet[3] + sheet[4]:
        cell.font = Font(bold=True)
    for row in first.rows:
        line: list[Any] = [safe_cell(row.label)]
        for report in reports:
            cell = report.row(row.id)
            share = cell.shown_percent
            line += [cell.shown_value, share / 100 if isinstance(share, int) else share]
        sheet.append(line)
    for row_cells in sheet.iter_rows(min_row=5, min_col=2):
        for cell in row_cells:
            if (cell.column - 2) % 2 == 1:
                cell.number_format = "0%"
            cell.alignment = Alignment(horizontal="right")
    sheet.column_dimensions["A"].width = 60
    notes = book.create_sheet("Notes")
    notes.append(["id", "label", "percentage of", "definition"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in first.rows:
        definition = NOTES.get(row.id, "")
        base = base_of(first.kind, row.id) or ""
        notes.append([row.id, safe_cell(row.label), base, safe_cell(definition)])
    notes.append([])
    notes.append(["Common terms", safe_cell(COMMON_TERMS)])
    notes.column_dimensions["B"].width = 50
    notes.column_dimensions["D"].width = 100
    book.save(path)
