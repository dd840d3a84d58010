"""What the annual report page shows beyond the table: charts, each with its figures.

Charts are drawn from report rows (suppressed ones included as [c] and left out of the
bars), so the published version of a page gives nothing away that its table does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from harbour.interviews.models import Reason, Risk

from . import recent
from .charts import SUPPRESSED, Series, Value, bar_chart, column_chart
from .engine import Report, build_report, episodes_and_children
from .forms import has_started, quarters_of
from .models import ComparatorRate
from .periods import Period
from .suppression import suppress


@dataclass(frozen=True)
class Figure:
    title: str
    svg: SafeString
    head: list[str]
    rows: list[list[Any]]


def _shown(report: Report, row_id: str) -> Any:
    return report.row(row_id).shown_value


def _percent_text(share: str | int | None) -> str | None:
    return f"{share}%" if isinstance(share, int) else share


def _bar_value(report: Report, row_id: str) -> Value:
    row = report.row(row_id)
    return SUPPRESSED if row.value_suppressed else row.value


def _bars(title: str, report: Report, items: list[tuple[str, str]], unit: str = "") -> Figure:
    labels = [label for label, _ in items]
    return Figure(
        title,
        bar_chart(title, labels, [_bar_value(report, row_id) for _, row_id in items], unit),
        ["", "Number", "%"],
        [
            [label, _shown(report, row_id), _percent_text(report.row(row_id).shown_percent)]
            for label, row_id in items
        ],
    )


def annual_figures(
    report: Report,
    options: dict[str, Any],
    *,
    fresh: bool = False,
    whole_period: Report | None = None,
) -> list[Figure]:
    """The annual report's charts. A page may reuse figures worked out in the last minute
    (reports/recent.py); a download, which goes to a committee (`fresh`), works out every
    figure now. `whole_period`: the quarterly figures of the report's period, when the
    caller worked them out with the report (engine.build_reports), not suppressed."""
    publication = options["for_publication"]
    absences = options["include_absences"]
    period = report.period
    of = build_report if fresh else recent.report
    # The same figures as the quarterly table, for the whole period: bands and funnel.
    whole = whole_period or of("quarterly", period, absences)
    if publication:
        whole = suppress(whole)
    figures = [
        _trend(period, absences, publication, of, alone=fresh and not publication),
        _bars(
            "Episodes by where the child lived",
            report,
            [
                ("Not known to social care", "episodes_group_none"),
                ("Child protection plan", "episodes_group_cp"),
                ("Child in need", "episodes_group_cin"),
                ("Looked after by this authority", "episodes_group_lac"),
                ("Placed here by another authority", "episodes_group_ola"),
            ],
        ),
        _bars(
            "How long children were missing",
            whole,
            [
                ("Less than 1 day", "duration_under_1_day"),
                ("1 to 2 days", "duration_1_to_2_days"),
                ("2 to 3 days", "duration_2_to_3_days"),
                ("3 days or more", "duration_3_days_or_more"),
                ("Still missing", "episodes_open"),
            ],
        ),
        _bars(
            "Return interviews: from offer to completion (this authority's children)",
            whole,
            [
                ("Episodes", "episodes_host"),
                ("Interview offered", "rhi_offered"),
                ("Interview accepted", "rhi_accepted"),
                ("Interview completed", "rhi_completed"),
                ("Completed within 72 hours", "rhi_within_72_hours"),
            ],
        ),
        _bars(
            "Police notifications of missing episodes",
            report,
            [
                ("Notifications with a time received", "notifications_timed_missing"),
                ("Within 24 hours", "notified_within_24_hours_missing"),
                ("After 24 and within 72 hours", "notified_24_to_72_hours_missing"),
            ],
        ),
        _bars(
            "Children who went missing repeatedly",
            report,
            [
                ("Children who went missing", "individuals_total"),
                ("3 or more times", "individuals_repeat"),
            ],
        ),
        _bars(
            "Reasons for going missing, from completed interviews",
            report,
            [(label, f"reason_{code.lower()}") for code, label in Reason.choices],
        ),
        _bars(
            "Risks identified in completed interviews",
            report,
            [(label, f"risk_{code.lower()}") for code, label in Risk.choices],
        ),
    ]
    rates = _rates(report)
    if rates is not None:
        figures.append(rates)
    return figures


def _trend(
    period: Period,
    absences: bool,
    publication: bool,
    of: Callable[[str, Period, bool], Report],
    *,
    alone: bool = False,
) -> Figure:
    """Episodes and children per quarter over the three financial years to this one.

    `alone`: work out the two rows of each quarter now, alone (a download: they are cheap),
    instead of each quarter's whole report (which a page reuses for a minute)."""
    year = period.financial_year_start
    # Quarters that have not started yet would only add columns of zeros.
    quarters = [
        quarter
        for y in (year - 2, year - 1, year)
        for quarter in quarters_of(y)
        if has_started(quarter)
    ]
    bars: list[tuple[Value, Value]]
    shown: list[tuple[Any, Any]]
    if alone:
        bars = [episodes_and_children(quarter, absences) for quarter in quarters]
        shown = list(bars)
    else:
        # A page reuses the quarters' whole reports (kept for a minute); a published chart
        # needs them whole, since suppression weighs each cell against the others (a total
        # and its parts).
        reports = [of("quarterly", quarter, absences) for quarter in quarters]
        if publication:
            reports = [suppress(r) for r in reports]
        bars = [
            (_bar_value(r, "episodes_total"), _bar_value(r, "individuals_total")) for r in reports
        ]
        shown = [(_shown(r, "episodes_total"), _shown(r, "individuals_total")) for r in reports]
    labels = [q.label() for q in quarters]
    title = "Missing episodes and children per quarter, last three years"
    return Figure(
        title,
        column_chart(
            title,
            labels,
            [
                Series("Episodes", [episodes for episodes, _ in bars]),
                Series("Children", [children for _, children in bars]),
            ],
        ),
        ["Quarter", "Episodes", "Children"],
        [
            [label, episodes, children]
            for label, (episodes, children) in zip(labels, shown, strict=True)
        ],
    )


def _rates(report: Report) -> Figure | None:
    ours = (
        _bar_value(report, "rate_episodes_per_10k"),
        _bar_value(report, "rate_individuals_per_10k"),
    )
    if ours == (None, None):
        return None
    comparators = {
        rate.area: rate
        for rate in ComparatorRate.objects.filter(financial_year=report.period.financial_year_start)
    }
    areas = [("This authority", *ours)]
    for area, label in ComparatorRate.Area.choices:
        if area in comparators:
            rate = comparators[area]
            areas.append(
                (
                    label,
                    None if rate.episodes_per_10k is None else float(rate.episodes_per_10k),
                    None if rate.individuals_per_10k is None else float(rate.individuals_per_10k),
                )
            )
    title = "Missing episodes and children per 10,000 children, compared"
    return Figure(
        title,
        column_chart(
            title,
            [a[0] for a in areas],
            [
                Series("Episodes per 10,000", [a[1] for a in areas]),
                Series("Children per 10,000", [a[2] for a in areas]),
            ],
        ),
        ["", "Episodes per 10,000", "Children per 10,000"],
        [list(a) for a in areas],
    )


def quarterly_figures(reports: list[Report]) -> list[Figure]:
    """For the quarterly pack: episodes and children, and interviews, quarter by quarter."""
    labels = [report.period.label() for report in reports]
    figures = []
    for title, rows in (
        (
            "Missing episodes and children per quarter",
            [("Episodes", "episodes_total"), ("Children", "individuals_total")],
        ),
        (
            "Return interviews per quarter (this authority's children)",
            [
                ("Accepted", "rhi_accepted"),
                ("Completed", "rhi_completed"),
                ("Within 72 hours", "rhi_within_72_hours"),
            ],
        ),
    ):
        series = [Series(name, [_bar_value(r, row_id) for r in reports]) for name, row_id in rows]
        figures.append(
            Figure(
                title,
                column_chart(title, labels, series),
                ["Quarter", *(name for name, _ in rows)],
                [
                    [label, *(_shown(r, row_id) for _, row_id in rows)]
                    for label, r in zip(labels, reports, strict=True)
                ],
            )
        )
    return figures
