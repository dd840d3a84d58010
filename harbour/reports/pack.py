"""The committee pack: a report's tables, charts and definitions as DOCX and PDF, ready
to attach to a committee paper.

The PDF is the pack's HTML printed by WeasyPrint (which draws the SVG charts as they
are); the DOCX is built with python-docx, with each chart as a PNG made by CairoSVG.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.loader import render_to_string

from .definitions import COMMON_TERMS, NOTES
from .engine import Report
from .presentation import Figure


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _percent(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else f"{value}%"


def pack_title(reports: Sequence[Report]) -> str:
    first = reports[0]
    name = (
        "Quarterly return interview performance"
        if first.kind == "quarterly"
        else ("Children missing from home and care and at risk of exploitation: annual report")
    )
    periods = ", ".join(report.period.label() for report in reports)
    return f"{name}, {periods}"


def pack_html(reports: Sequence[Report], figures: Sequence[Figure], council: str) -> str:
    return render_to_string(
        "reports/pack.html",
        {
            "title": pack_title(reports),
            "council": council,
            "reports": reports,
            "figures": figures,
            "common_terms": COMMON_TERMS,
            "notes": NOTES,
            "cell": _cell,
            "percent": _percent,
        },
    )


def pack_pdf(reports: Sequence[Report], figures: Sequence[Figure], council: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=pack_html(reports, figures, council)).write_pdf()


def pack_docx(reports: Sequence[Report], figures: Sequence[Figure], council: str) -> bytes:
    import cairosvg  # type: ignore[import-untyped]  # CairoSVG ships no type information
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)
    first = reports[0]
    document.add_heading(pack_title(reports), level=0)
    document.add_paragraph(council)
    if first.for_publication:
        document.add_paragraph(
            "For publication: [c] marks a figure suppressed so that no child can be identified."
        )
    document.add_paragraph(COMMON_TERMS)

    for figure in figures:
        document.add_heading(figure.title, level=2)
        png = cairosvg.svg2png(bytestring=str(figure.svg).encode("utf-8"), output_width=1400)
        document.add_picture(io.BytesIO(png), width=Cm(16))
        table = document.add_table(rows=1, cols=len(figure.head))
        table.style = "Light List"
        for index, heading in enumerate(figure.head):
            table.rows[0].cells[index].text = heading
        for values in figure.rows:
            cells = table.add_row().cells
            for index, value in enumerate(values):
                cells[index].text = _cell(value)

    document.add_heading("All figures", level=1)
    table = document.add_table(rows=2, cols=1 + 2 * len(reports))
    table.style = "Light Grid"
    table.rows[0].cells[0].text = ""
    table.rows[1].cells[0].text = "Figure"
    for index, report in enumerate(reports):
        table.rows[0].cells[1 + 2 * index].text = report.period.label()
        table.rows[1].cells[1 + 2 * index].text = "No."
        table.rows[1].cells[2 + 2 * index].text = "%"
    for row in first.rows:
        cells = table.add_row().cells
        cells[0].text = row.label
        for index, report in enumerate(reports):
            cell = report.row(row.id)
            cells[1 + 2 * index].text = _cell(cell.shown_value)
            cells[2 + 2 * index].text = _percent(cell.shown_percent)

    document.add_heading("Definitions", level=1)
    for row in first.rows:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{row.label} ({row.id}). ").bold = True
        paragraph.add_run(NOTES.get(row.id, ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
