"""The DfE's national-statistics missing figures for this authority, from the register.

"Children looked after in England including adoptions" (explore-education-statistics,
EES) publishes, from each council's SSDA903 return, the children looked after during the
year who went missing or were away from placement without authorisation, for every local
authority (the "CLA who were missing or away from placement without authorisation - by
local authority" data set, formerly table LAG1), and for England the incidents by duration,
by the placement the child went missing from and by the child's age at the start (the
"CLA who were missing from placement - NATIONAL" data set, formerly table G1). This module
works out the same figures for this authority from the register, for collection year Y
(1 April Y to 31 March Y+1): `report ssda903 --year Y` (docs/returns.md, "DfE national
statistics (report ssda903)").

Which children and which incidents count is the export's rule (register.py,
`register_tables`), so that the figures are the ones the DfE would work out from the return
`export_ssda903` writes:

- **Children looked after during the year**: a LAC status of this authority (responsible
  authority empty or LOCAL_AUTHORITY_CODE) in force on at least one day of the year.
- **Incidents**: the MISSING table's rows: each MISSING (903 "M") or ABSENT (903 "A", away
  from placement without authorisation) episode of those children open on at least one day
  of the year on which the child was looked after by this authority. An episode still open
  from last year counts again this year, as the return carries it again (rule 576).
- **Still missing at 31 March**: a row whose MIS_END is blank: open, or ended after 31
  March.
- **Duration** is counted in days between the local dates, as the return holds them: the
  DfE's SFR for 2017 warns that "the duration of missing incidents is collected in days so a
  child who went missing for a short period late one evening, but was found early the next
  morning would be counted as being missing for 1 day" (quoted by rezume.co.uk,
  "shocking-statistics-show-60720-incidents"). An episode with real times is banded by its
  local dates too, so that the figure is the one the return gives.

Not verified against the DfE's own tables (no copy of the national table's band labels
could be read): the duration bands' boundaries. The DfE's words quote "2 days or less",
"1-2 days" (the most common duration in 2015, article39.org.uk) and "more than 30 days";
the bands here are 0 days, 1-2, 3-7, 8-30 and more than 30 days, and still open at 31
March. The placement groups are the register's four kinds of placement (it keeps the kind,
not the 903 PLACE code), coarser than the DfE's groups; see docs/returns.md.

Sources read (EES pages and data set descriptions, January 2026 crawl):
explore-education-statistics.service.gov.uk/data-catalogue/data-set/d8dd7734-cee9-404d-97ff-
17de27c22757 (by local authority, 2021 to 2025: "Children looked after during the year",
"Average number of missing incidents per looked after child who went missing", "Children
missing at 31 March", ...), .../18898033-4380-4b9e-84ff-b337ea59f3f2 (national: age bands
"1 to 4 years" ... "16 years and over", "Total incidents"), and the methodology of
"Children looked after: a focus on placement location" (rounding and suppression). The LA
data set's labels ("Children who had a missing incident during the year", "Children who went
missing more than once during the year", and the same "away from placement without
authorisation") as reused in public analyses of the data (e.g. a West Midlands model reading
la_children_who_were_missing_or_away_from_placement_without_authorisation.csv).

Every figure is aggregated in the database: one query for the children looked after, one
over the year's incidents (every count, band and group a conditional aggregate), and one
over the incidents grouped by child for "more than once". Duration in days is computed in
SQL from each local date's day number (integer arithmetic that SQLite and PostgreSQL do
alike).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
)

from harbour.children.models import LegalStatus, LegalStatusKind, Placement
from harbour.common.time import LONDON
from harbour.missing.models import Category, Episode
from harbour.missing.queries import EpisodeQuerySet, age_at_start, own_authority_code
from harbour.reports.arithmetic import percent, tenths_half_up
from harbour.reports.definitions import RowDefinition
from harbour.reports.engine import Report, ReportRow
from harbour.reports.periods import Period
from harbour.reports.suppression import DEFAULT_THRESHOLD, hidden_cells, with_cells_hidden

from .importer import local_midnight
from .tables import Tables

KIND = "ssda903"
TITLE = "DfE national statistics: children looked after who went missing or were away"
FOREVER = dt.date.max
PREFIX = "ssda903"
_DAY = dt.timedelta(days=1)

# The two kinds of incident, as the DfE names them; the register's category for each.
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("missing", Category.MISSING, "a missing incident"),
    ("away", Category.ABSENT, "an away from placement without authorisation incident"),
)

# Duration bands in whole days between the local start and end dates (end - start), and
# the incidents still open at 31 March (MIS_END blank in the return). (id, label, first
# day, last day); None: no upper limit.
DURATION_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("same_day", "0 days (ended the day it started)", 0, 0),
    ("1_to_2_days", "1 to 2 days", 1, 2),
    ("3_to_7_days", "3 to 7 days", 3, 7),
    ("8_to_30_days", "8 to 30 days", 8, 30),
    ("over_30_days", "more than 30 days", 31, None),
)
STILL_OPEN = "still_open"

# The register's kinds of placement (children.models.Placement), and not known: no LAC
# status of this authority in force on the day the incident started (it began before the
# child came into care), or none recorded.
PLACEMENT_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("foster", "foster placements", Placement.FOSTER),
    ("residential", "residential placements", Placement.RESIDENTIAL),
    ("supported", "supported accommodation", Placement.SUPPORTED),
    ("other", "other placements", Placement.OTHER),
    ("not_known", "a placement not known", ""),
)

# The DfE's age bands for children looked after: age in whole years at the start.
AGE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("under_1", "under 1 year", 0, 0),
    ("1_to_4", "1 to 4 years", 1, 4),
    ("5_to_9", "5 to 9 years", 5, 9),
    ("10_to_15", "10 to 15 years", 10, 15),
    ("16_and_over", "16 years and over", 16, None),
)

CHILDREN = f"{PREFIX}_children_looked_after"


def figure_id(category: str, name: str) -> str:
    return f"{PREFIX}_{category}_{name}"


def _rows() -> tuple[RowDefinition, ...]:
    R = RowDefinition
    rows = [R(CHILDREN, "Children looked after during the year")]
    for category, _, incident in CATEGORIES:
        children = figure_id(category, "children")
        incidents = figure_id(category, "incidents")
        state = "missing" if category == "missing" else "away from placement"
        kind = incident.removeprefix("a ").removeprefix("an ").removesuffix(" incident")
        short = category.capitalize()
        rows += [
            R(children, f"Children who had {incident} during the year", CHILDREN),
            R(
                figure_id(category, "children_more_than_once"),
                f"Children {state} more than once during the year",
                children,
            ),
            R(incidents, f"Number of {kind} incidents during the year"),
            R(
                figure_id(category, "incidents_per_child"),
                f"Average number of {kind} incidents per child who had one",
            ),
            R(figure_id(category, "at_31_march"), f"Children {state} at 31 March"),
            *(
                R(
                    figure_id(category, f"incidents_duration_{band}"),
                    f"{short} incidents lasting {label}",
                    incidents,
                )
                for band, label, *_ in DURATION_BANDS
            ),
            R(
                figure_id(category, f"incidents_duration_{STILL_OPEN}"),
                f"{short} incidents still open at 31 March",
                incidents,
            ),
            *(
                R(
                    figure_id(category, f"incidents_placement_{group}"),
                    f"{short} incidents from {label}",
                    incidents,
                )
                for group, label, _ in PLACEMENT_GROUPS
            ),
            *(
                R(
                    figure_id(category, f"incidents_age_{band}"),
                    f"{short} incidents at age {label}",
                    incidents,
                )
                for band, label, *_ in AGE_BANDS
            ),
        ]
    return tuple(rows)


ROWS: tuple[RowDefinition, ...] = _rows()
BASES: dict[str, str | None] = {row.id: row.base for row in ROWS}


@dataclass(frozen=True)
class Ssda903Report(Report):
    """The figures for collection year `year` (Report's period: 1 April Y to 31 March Y+1)."""

    year: int = 0

    def as_json(self) -> dict[str, Any]:
        """metrics.md's report object, with the collection year; absences are reported (as
        the away figures), so include_absences is true."""
        data: dict[str, Any] = {
            "report": KIND,
            "year": self.year,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "include_absences": True,
            "rows": [],
        }
        for r in self.rows:
            row = {"id": r.id, "label": r.label, "value": r.value, "percent": r.percent}
            if self.for_publication:
                row |= {"value_suppressed": r.value_suppressed}
                row |= {"percent_suppressed": r.percent_suppressed}
            data["rows"].append(row)
        if self.for_publication:
            data["for_publication"] = True
        return data


# The year's records -----------------------------------------------------------------------


def looked_after_in_year(first: dt.date, last: dt.date) -> QuerySet[LegalStatus]:
    """LAC statuses of this authority in force on a day of [first, last]: register_tables's
    own definition of the children looked after in the year."""
    return LegalStatus.objects.filter(
        status=LegalStatusKind.LAC,
        responsible_la__in=["", own_authority_code()],
        start_date__lte=last,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))


def _day_number(date: Any) -> ExpressionWrapper:
    """A date's day number (days since 24 November 4714 BC, proleptic Gregorian): the
    difference of two is the number of days between them. Integer arithmetic on the year,
    month and day, all positive, so integer division truncates the same on both databases."""
    y, m, d = (
        Cast(extract(date), models.IntegerField())  # EXTRACT is numeric on PostgreSQL
        for extract in (ExtractYear, ExtractMonth, ExtractDay)
    )
    a = (Value(14) - m) / Value(12)  # 1 in January and February, else 0
    year = y + Value(4800) - a
    month = m + Value(12) * a - Value(3)
    number = (
        d
        + (Value(153) * month + Value(2)) / Value(5)
        + Value(365) * year
        + year / Value(4)
        - year / Value(100)
        + year / Value(400)
        - Value(32045)
    )
    return ExpressionWrapper(number, output_field=models.IntegerField())


def incidents(year: int) -> EpisodeQuerySet:
    """The MISSING table's rows for the year, as register_tables builds them, in one query:
    MISSING and ABSENT episodes of children looked after in the year that share a day with
    the year and with one of the child's LAC statuses of this authority (three intervals on
    a line that meet two by two all share a day). Annotated: `end_day` (the local end date,
    or FOREVER while open), `open_at_end` (no end by 31 March: MIS_END blank), `days` (end
    date - start date), `age` (whole years at the start) and `placement` (of the LAC status
    of this authority in force on the start date, latest start first; "" when none)."""
    tables = Tables(year)
    first, last = tables.collection_start, tables.collection_end
    statuses = looked_after_in_year(first, last)
    shared_day = statuses.filter(
        child=OuterRef("child"), start_date__lte=OuterRef("end_day")
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("started_on")))
    in_force_at_start = (
        LegalStatus.objects.filter(
            child=OuterRef("child"),
            status=LegalStatusKind.LAC,
            responsible_la__in=["", own_authority_code()],
            start_date__lte=OuterRef("started_on"),
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("started_on")))
        .order_by("-start_date", "-pk")
        .values("placement")[:1]
    )
    ended_on = TruncDate("ended_at", tzinfo=LONDON)
    return (
        Episode.objects.filter(child__in=statuses.values("child"), started_on__lte=last)
        .filter(
            Q(ended_at__isnull=True)
            | Q(ended_at__gte=local_midnight(first))
            | Q(started_on__gte=first)
        )
        .annotate(
            # An imported episode ending before it starts (rule 567) lasts its start date.
            end_day=Case(
                When(ended_at__isnull=True, then=Value(FOREVER)),
                When(ended_at__lt=F("started_at"), then=F("started_on")),
                default=ended_on,
                output_field=models.DateField(),
            ),
            open_at_end=Q(ended_at__isnull=True) | Q(ended_at__gte=local_midnight(last) + _DAY),
            days=_day_number(ended_on) - _day_number("started_on"),
            age=age_at_start(),
            placement=Coalesce(Subquery(in_force_at_start), Value("")),
        )
        .filter(Exists(shared_day))
    )


def _band(field: str, low: int, high: int | None) -> Q:
    return Q(**{f"{field}__gte": low}) & (Q() if high is None else Q(**{f"{field}__lte": high}))


# Building the report ----------------------------------------------------------------------


def build_statistics(year: int) -> Ssda903Report:
    tables = Tables(year)
    first, last = tables.collection_start, tables.collection_end
    values: dict[str, Any] = looked_after_in_year(first, last).aggregate(
        **{CHILDREN: Count("child", distinct=True)}
    )
    measures: dict[str, Any] = {}
    for category, code, _ in CATEGORIES:
        of = Q(category=code)
        closed = of & Q(open_at_end=False)
        measures |= {
            figure_id(category, "children"): Count("child", distinct=True, filter=of),
            figure_id(category, "incidents"): Count("pk", filter=of),
            figure_id(category, "at_31_march"): Count(
                "child", distinct=True, filter=of & Q(open_at_end=True)
            ),
            **{
                figure_id(category, f"incidents_duration_{band}"): Count(
                    "pk", filter=closed & _band("days", low, high)
                )
                for band, _, low, high in DURATION_BANDS
            },
            figure_id(category, f"incidents_duration_{STILL_OPEN}"): Count(
                "pk", filter=of & Q(open_at_end=True)
            ),
            **{
                figure_id(category, f"incidents_placement_{group}"): Count(
                    "pk",
                    filter=of
                    & (Q(placement=placement) if placement else ~Q(placement__in=Placement.values)),
                )
                for group, _, placement in PLACEMENT_GROUPS
            },
            **{
                figure_id(category, f"incidents_age_{band}"): Count(
                    "pk", filter=of & _band("age", low, high)
                )
                for band, _, low, high in AGE_BANDS
            },
        }
    counted = incidents(year)
    values |= counted.aggregate(**measures)
    # Children with more than one incident of a kind: the incidents grouped by child and
    # kind, counted in a query around that one.
    repeats = (
        counted.values("child", "category")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .aggregate(
            **{
                figure_id(category, "children_more_than_once"): Count(
                    "child", filter=Q(category=code)
                )
                for category, code, _ in CATEGORIES
            }
        )
    )
    values |= repeats
    for category, _, _ in CATEGORIES:
        values[figure_id(category, "incidents_per_child")] = tenths_half_up(
            values[figure_id(category, "incidents")], values[figure_id(category, "children")]
        )
    rows = tuple(
        ReportRow(
            d.id,
            d.label,
            values[d.id],
            percent(values[d.id], values[d.base]) if d.base else None,
        )
        for d in ROWS
    )
    return Ssda903Report(KIND, Period(first, last), True, rows, year=year)


# Publication ------------------------------------------------------------------------------


def _exact_sums() -> list[tuple[str, tuple[str, ...]]]:
    """(total, parts): the parts add up to the total exactly."""
    sums = []
    for category, _, _ in CATEGORIES:
        total = figure_id(category, "incidents")
        durations = (*(band for band, *_ in DURATION_BANDS), STILL_OPEN)
        sums += [
            (total, tuple(figure_id(category, f"incidents_duration_{b}") for b in durations)),
            (
                total,
                tuple(
                    figure_id(category, f"incidents_placement_{g}") for g, *_ in PLACEMENT_GROUPS
                ),
            ),
            (total, tuple(figure_id(category, f"incidents_age_{b}") for b, *_ in AGE_BANDS)),
        ]
    return sums


def _sums_with_remainder() -> list[tuple[str, tuple[str, ...]]]:
    """(total, part): the part is at most the total and the difference is not published
    (children who did not go missing; who went missing once; who were back by 31 March)."""
    sums: list[tuple[str, tuple[str, ...]]] = []
    for category, _, _ in CATEGORIES:
        children = figure_id(category, "children")
        sums += [
            (CHILDREN, (children,)),
            (children, (figure_id(category, "children_more_than_once"),)),
            (children, (figure_id(category, "at_31_march"),)),
        ]
    return sums


EXACT_SUMS = _exact_sums()
SUMS_WITH_REMAINDER = _sums_with_remainder()
# An average and its count give the other count back: hidden with either.
AVERAGES: dict[str, tuple[str, str]] = {
    figure_id(category, "incidents_per_child"): (
        figure_id(category, "incidents"),
        figure_id(category, "children"),
    )
    for category, _, _ in CATEGORIES
}


def for_publication(report: Report, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """The DfE's confidentiality rules for an authority's own figures: counts are not
    rounded (only national and regional figures are rounded to the nearest 10), counts from
    1 to `threshold` (5) are suppressed ("c" in EES, [c] here), and so is whatever would give
    a suppressed count away: another part of an exact sum, a part whose unpublished remainder
    is small, a percentage of a suppressed count or base, and an average whose count or
    number of children is suppressed. Percentages stay whole numbers (half up) and averages
    one decimal place. Zero is never suppressed."""
    values = {row.id: row.value for row in report.rows}
    hidden = hidden_cells(
        values,
        threshold,
        exact_sums=EXACT_SUMS,
        sums_with_remainder=SUMS_WITH_REMAINDER,
        statistics_of=AVERAGES,
    )
    return with_cells_hidden(report, hidden, BASES.__getitem__)


# Text -------------------------------------------------------------------------------------


def as_text(report: Report) -> str:
    """An aligned table for the terminal, like the other reports' text."""
    title = f"{TITLE}, {report.period.label()}"
    if report.for_publication:
        title += " for publication: [c] marks a figure suppressed to protect children"
    lines = []
    for row in report.rows:
        value = row.shown_value
        number = "" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)
        share = row.shown_percent
        if share is not None:
            number += f" ({share})" if isinstance(share, str) else f" ({share}%)"
        lines.append((row.label, number))
    width = max(len(label) for label, _ in lines)
    numbers = max(len(number) for _, number in lines)
    body = [f"{label.ljust(width)}  {number.rjust(numbers)}".rstrip() for label, number in lines]
    return "\n".join([title, "", *body]) + "\n"
