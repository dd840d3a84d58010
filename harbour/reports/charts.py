"""Charts as SVG, drawn on the server.

Plain SVG with presentation attributes (fill, font-size): no script and no style
attribute, so it displays under a strict Content Security Policy and prints. Each chart
has a title and description for screen readers, and the page shows the same figures in
a table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

# GOV.UK colours with at least 3:1 contrast against white, for bars and lines.
SERIES_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c")
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
FONT = "Arial, Helvetica, sans-serif"


class Suppressed:
    """A figure hidden for publication: drawn as no bar, read as [c] (never "no data", which
    would tell a reader something different)."""

    def __str__(self) -> str:
        return SUPPRESSED_TEXT

    __repr__ = __str__


SUPPRESSED_TEXT = "[c]"
SUPPRESSED = Suppressed()

# A figure: a number, SUPPRESSED for publication, or None when there is none (a rate without
# a population).
Value = int | float | Suppressed | None


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Value]


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    ident = "chart-" + "".join(c for c in title.lower() if c.isalnum())[:40]
    return mark_safe(  # noqa: S308 (every text is escaped below)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="{FONT}" font-size="14" fill="{TEXT}">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _number(value: Value) -> str:
    if value is None:
        return "no data"
    if isinstance(value, Suppressed):
        return SUPPRESSED_TEXT
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


def _drawn(value: Value) -> int | float | None:
    """The number a bar is drawn to, or None for no bar."""
    return value if isinstance(value, int | float) else None


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Value], unit: str = ""
) -> SafeString:
    """Horizontal bars, one per label, each with its value written at its end."""
    row_height, label_width, width = 34, 300, 760
    plot = width - label_width - 80
    top = max([v for v in map(_drawn, values) if v is not None] or [0]) or 1
    body = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = index * row_height + 6
        drawn = _drawn(value)
        length = 0 if drawn is None else round(plot * drawn / top)
        body.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{row_height - 10}" '
            f'fill="{SERIES_COLOURS[0]}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 17}">{escape(_number(value))}'
            f"{escape(unit)}</text>"
        )
    height = len(labels) * row_height + 12
    description = "; ".join(
        f"{label}: {_number(value)}{unit}" for label, value in zip(labels, values, strict=True)
    )
    return _svg(width, height, title, description, body)


def column_chart(title: str, categories: Sequence[str], series: Sequence[Series]) -> SafeString:
    """Vertical bars grouped by category (e.g. quarters), one colour per series, with a key."""
    width, height, left, bottom, top_margin = 760, 330, 56, 60, 44
    plot_w, plot_h = width - left - 16, height - bottom - top_margin
    values = [v for s in series for v in map(_drawn, s.values) if v is not None]
    step = _tick_step(max(values or [0]))
    ticks = max(1, math.ceil(max(values or [0]) / step))
    top = step * ticks
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    body = []
    for tick in range(ticks + 1):
        value = step * tick
        y = top_margin + plot_h - plot_h * tick / ticks
        label = f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
        body.append(
            f'<line x1="{left}" x2="{width - 16}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end">{label}</text>'
        )
    for c, category in enumerate(categories):
        x0 = left + c * group_w + group_w * 0.1
        for s, one in enumerate(series):
            drawn = _drawn(one.values[c])
            if drawn is None:
                continue
            h = plot_h * drawn / top
            body.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top_margin + plot_h - h:.1f}" '
                f'width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{SERIES_COLOURS[s]}"/>'
            )
        centre = left + c * group_w + group_w / 2
        lines = "".join(
            f'<tspan x="{centre:.1f}" dy="{0 if i == 0 else 15}">{escape(word)}</tspan>'
            for i, word in enumerate(category.split(" "))
        )
        body.append(
            f'<text y="{height - bottom + 18}" text-anchor="middle" font-size="12">{lines}</text>'
        )
    for s, one in enumerate(series):
        x = left + s * 220
        body.append(
            f'<rect x="{x}" y="8" width="16" height="16" fill="{SERIES_COLOURS[s]}"/>'
            f'<text x="{x + 22}" y="21">{escape(one.name)}</text>'
        )
    description = "; ".join(
        f"{one.name}: "
        + ", ".join(f"{cat} {_number(v)}" for cat, v in zip(categories, one.values, strict=True))
        for one in series
    )
    return _svg(width, height, title, description, body)


def _tick_step(largest: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most five steps to the top."""
    if largest <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(largest / 5)) if largest > 5 else 1
    for multiple in (1, 2, 5, 10):
        if largest / (multiple * magnitude) <= 5:
            return multiple * magnitude
    return 10 * magnitude
