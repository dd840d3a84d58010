"""Computing the quarterly and annual reports of shared/spec/metrics.md.

Every figure but the most common age is aggregated in the database: the episodes of the
period are grouped by their group at start (OLA, LAC, CP, CIN, NONE) in one query, with
every count, band and extreme as a conditional aggregate, individuals included (the
episodes that are their child's latest, found by one window over the period's episodes);
the annual report adds the repeat children and the most common age (one query grouped by
child, joined to the children's dates of birth) and one small query per other record
type. Python only adds up the five group rows, works out each child's age at their first
episode and counts the children per age, and turns counts into percentages.

Each count is defined once (EPISODE_CONDITIONS and EPISODE_FIGURES, INDIVIDUAL_FIGURES,
RECORD_FIGURES) and `figure_records` lists the records it counts from that definition, for
the page that goes from a figure to its records (records.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField as Big
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from harbour.children.models import Child, LegalStatus
from harbour.common.codes import contains_code
from harbour.common.time import DAY, HOUR, completed_years
from harbour.exploitation.models import Concern, PanelListing, Referral, RiskAssessment, Source
from harbour.interviews.models import OFFERED_OUTCOMES, Reason, Risk
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode
from harbour.missing.queries import (
    EpisodeQuerySet,
    duration_seconds,
    own_authority_code,
    time_to_interview_seconds,
)

from .arithmetic import percent, tenths_half_up, whole_days
from .definitions import REPORT_NAMES, REPORTS
from .models import ChildPopulation
from .periods import Period

HOST_GROUPS = ("LAC", "CP", "CIN", "NONE")
HOME_GROUPS = ("CP", "CIN", "NONE")
ALL_GROUPS = ("OLA", *HOST_GROUPS)


SUPPRESSED = "[c]"


@dataclass(frozen=True)
class ReportRow:
    id: str
    label: str
    value: int | float | None
    percent: int | None
    # For publication: hidden figures have value or percent None and are shown as [c].
    value_suppressed: bool = False
    percent_suppressed: bool = False

    @property
    def shown_value(self) -> str | int | float | None:
        return SUPPRESSED if self.value_suppressed else self.value

    @property
    def shown_percent(self) -> str | int | None:
        return SUPPRESSED if self.percent_suppressed else self.percent


@dataclass(frozen=True)
class Report:
    kind: str
    period: Period
    include_absences: bool
    rows: tuple[ReportRow, ...]
    for_publication: bool = False
    # A point-in-time report (`report exploitation --on D`): its date (the period is D to D).
    on: dt.date | None = None

    def value(self, row_id: str) -> int | float | None:
        return self.row(row_id).value

    def column_label(self) -> str:
        """The column heading of the report's figures: its period, or its date."""
        if self.on is not None:
            from harbour.common.display import date_text

            return f"On {date_text(self.on)}"
        return self.period.label()

    def row(self, row_id: str) -> ReportRow:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"report": REPORT_NAMES[self.kind]}
        if self.on is not None:
            data |= {"on": self.on.isoformat(), "rows": []}
        else:
            data |= {
                "from": self.period.first.isoformat(),
                "to": self.period.last.isoformat(),
                "include_absences": self.include_absences,
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


def episodes_in(period: Period, include_absences: bool) -> EpisodeQuerySet:
    """The episodes of the period: local start date in the period; absences only on request."""
    episodes = Episode.objects.started_between(period.first, period.last)
    return episodes if include_absences else episodes.filter(category="MISSING")


def episodes_and_children(period: Period, include_absences: bool = False) -> tuple[int, int]:
    """The report rows episodes_total and individuals_total of a period, and nothing else:
    its episodes, and the distinct children they are of (every episode has a child, and
    each child is counted once, in the group of their latest episode, so the groups'
    individuals add up to the distinct children). From the start-date index alone: the
    trend chart of the committee pack needs these two figures of twelve quarters, not
    twelve whole reports."""
    counts = episodes_in(period, include_absences).aggregate(
        episodes=Count("*"), children=Count("child", distinct=True)
    )
    return counts["episodes"], counts["children"]


def build_report(kind: str, period: Period, include_absences: bool = False) -> Report:
    own_authority_code()  # refuse early, with a clear message, when it is not configured
    if kind in ("exploitation", "exploitation_quarterly"):
        from .exploitation import build_exploitation_report

        return build_exploitation_report(kind, period)
    (report,) = build_reports((kind,), period, include_absences)
    return report


def build_reports(
    kinds: tuple[str, ...], period: Period, include_absences: bool = False
) -> tuple[Report, ...]:
    """Missing reports of one period (quarterly, annual) from one pass over its episodes:
    the group query computes the measures of all their rows. The annual committee pack
    uses it for the annual report and the same year's quarterly figures of its charts."""
    own_authority_code()
    row_ids = frozenset(d.id for kind in kinds for d in REPORTS[kind])
    values = _quarterly_values(period, include_absences, row_ids)
    if "annual" in kinds:
        values |= _annual_values(period, include_absences, values["_groups"], values["_people"])
    return tuple(
        Report(kind, period, include_absences, report_rows(kind, values)) for kind in kinds
    )


def report_rows(kind: str, values: dict[str, Any]) -> tuple[ReportRow, ...]:
    """The report's rows, in its order, from {row id: value}: each with its percentage of
    its base row where it has one."""
    return tuple(
        ReportRow(
            d.id,
            d.label,
            values[d.id],
            percent(values[d.id], values[d.base]) if d.base else None,
        )
        for d in REPORTS[kind]
    )


# The episodes of the period, by group ---------------------------------------------------

_notice = ExpressionWrapper(
    F("notified_epoch") - Coalesce("reported_epoch", "started_epoch"), output_field=Big()
)

_closed = Q(ended_epoch__isnull=False)
_offered = Q(return_interview__outcome__in=OFFERED_OUTCOMES)
_completed = Q(
    return_interview__outcome="ACCEPTED", return_interview__completed_epoch__isnull=False
)
# No interview row means NOT_OFFERED, which is required.
_required = _closed & (
    Q(return_interview__isnull=True) | ~Q(return_interview__outcome="NOT_REQUIRED")
)

# What each episode count counts: a condition on the period's episodes as annotated by
# `_measured_episodes` (group, age, duration, wait, notice). The one definition of each
# measure: `_by_group` counts it, `figure_records` lists it.
EPISODE_CONDITIONS: dict[str, Q] = {
    "episodes": Q(),
    "female": Q(child__sex="F"),
    "male": Q(child__sex="M"),
    "open": Q(ended_epoch__isnull=True),
    "under_4_hours": Q(duration__lt=4 * HOUR),
    "under_1_day": Q(duration__lt=DAY),
    "1_to_2_days": Q(duration__gte=DAY, duration__lt=2 * DAY),
    "2_to_3_days": Q(duration__gte=2 * DAY, duration__lt=3 * DAY),
    "3_days_or_more": Q(duration__gte=3 * DAY),
    "offered": _offered,
    "declined": Q(return_interview__outcome="DECLINED"),
    "accepted": Q(return_interview__outcome="ACCEPTED"),
    "completed": _completed,
    "within_72_hours": _completed & Q(wait__lte=72 * HOUR),
    "within_1_week": _completed & Q(wait__lte=168 * HOUR),
    "required": _required,
    "completed_required": _required & _completed,
    "advice_only": _required & ~_completed & Q(return_interview__advice_given=True),
    "engaged": _completed & Q(return_interview__child_engaged=True),
    **{
        f"reason_{code}": _completed & Q(return_interview__reasons__contains=contains_code(code))
        for code in Reason.values
    },
    **{
        f"risk_{code}": _completed & Q(return_interview__risks__contains=contains_code(code))
        for code in Risk.values
    },
    **{
        f"timed_{category}": Q(category=category, notified_epoch__isnull=False)
        for category in ("MISSING", "ABSENT")
    },
    **{
        f"within_24_hours_{category}": Q(
            category=category, notified_epoch__isnull=False, notice__lte=24 * HOUR
        )
        for category in ("MISSING", "ABSENT")
    },
    "24_to_72_hours_MISSING": Q(category="MISSING", notice__gt=24 * HOUR, notice__lte=72 * HOUR),
}

# The report rows that count episodes: (measure, the groups whose counts are added up).
EPISODE_FIGURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "episodes_total": ("episodes", ALL_GROUPS),
    "episodes_ola": ("episodes", ("OLA",)),
    "episodes_host": ("episodes", HOST_GROUPS),
    "episodes_host_lac": ("episodes", ("LAC",)),
    "episodes_host_cp": ("episodes", ("CP",)),
    "duration_under_1_day": ("under_1_day", ALL_GROUPS),
    "duration_1_to_2_days": ("1_to_2_days", ALL_GROUPS),
    "duration_2_to_3_days": ("2_to_3_days", ALL_GROUPS),
    "duration_3_days_or_more": ("3_days_or_more", ALL_GROUPS),
    "episodes_open": ("open", ALL_GROUPS),
    "rhi_offered": ("offered", HOST_GROUPS),
    "rhi_declined": ("declined", HOST_GROUPS),
    "rhi_accepted": ("accepted", HOST_GROUPS),
    "rhi_completed": ("completed", HOST_GROUPS),
    "rhi_within_72_hours": ("within_72_hours", HOST_GROUPS),
    "rhi_within_1_week": ("within_1_week", HOST_GROUPS),
    # Annual report.
    "episodes_female": ("female", ALL_GROUPS),
    "episodes_male": ("male", ALL_GROUPS),
    **{f"episodes_group_{g.lower()}": ("episodes", (g,)) for g in ALL_GROUPS},
    "duration_under_4_hours": ("under_4_hours", ALL_GROUPS),
    "rhi_required_home": ("required", HOME_GROUPS),
    "rhi_completed_home": ("completed_required", HOME_GROUPS),
    "rhi_required_lac": ("required", ("LAC",)),
    "rhi_completed_lac": ("completed_required", ("LAC",)),
    "rhi_advice_only_lac": ("advice_only", ("LAC",)),
    "rhi_completed_host": ("completed", HOST_GROUPS),
    "rhi_engaged": ("engaged", HOST_GROUPS),
    **{f"reason_{c.lower()}": (f"reason_{c}", HOST_GROUPS) for c in Reason.values},
    **{f"risk_{c.lower()}": (f"risk_{c}", HOST_GROUPS) for c in Risk.values},
    "notifications_timed_missing": ("timed_MISSING", ALL_GROUPS),
    "notified_within_24_hours_missing": ("within_24_hours_MISSING", ALL_GROUPS),
    "notified_24_to_72_hours_missing": ("24_to_72_hours_MISSING", ALL_GROUPS),
    "notifications_timed_absent": ("timed_ABSENT", ALL_GROUPS),
    "notified_within_24_hours_absent": ("within_24_hours_ABSENT", ALL_GROUPS),
}

# The report rows that count distinct children among the period's episodes of some groups
# (the measure "children" of `_by_group`): the groups.
EPISODE_CHILD_FIGURES: dict[str, tuple[str, ...]] = {
    # Every child with an episode of group LAC had a LAC status of this authority in
    # force that day, so these are all among lac_children.
    "lac_children_missing": ("LAC",),
}

# The report rows that count individuals (each child once, in the group of their latest
# episode of the period): the groups added up.
INDIVIDUAL_FIGURES: dict[str, tuple[str, ...]] = {
    "individuals_total": ALL_GROUPS,
    "individuals_ola": ("OLA",),
    "individuals_host": HOST_GROUPS,
    "individuals_host_lac": ("LAC",),
    "individuals_host_cp": ("CP",),
    **{f"individuals_group_{g.lower()}": (g,) for g in ALL_GROUPS},
}


def _count(condition: Q | None = None) -> Count:
    return Count("pk", filter=condition or None)


def _measured_episodes(period: Period, include_absences: bool) -> EpisodeQuerySet:
    """The period's episodes with everything a condition of EPISODE_CONDITIONS reads.

    On SQLite, selected by primary key from the period's ids: SQLite then visits them in
    rowid order (ascending pages; a child's episodes together where they were stored
    together, as an import stores them), not in start order, which makes the lookups of
    the child, the interview and the legal statuses about a third cheaper at a million
    episodes. PostgreSQL reads a bitmap of the period's rows in page order already, and
    there the ids' detour read every episode twice (docs/performance.md)."""
    episodes = episodes_in(period, include_absences)
    if connection.vendor != "postgresql":
        episodes = Episode.objects.filter(pk__in=episodes.values("pk"))
    return (
        episodes.with_group()
        .with_age()
        .annotate(duration=duration_seconds(), wait=time_to_interview_seconds(), notice=_notice)
    )


def _by_group(
    period: Period, include_absences: bool, row_ids: frozenset[str]
) -> dict[str, dict[str, Any]]:
    """The measures of the period's episodes by group that the rows `row_ids` are made of
    (the quarterly report needs about a third of the annual report's)."""
    episodes = episodes_in(period, include_absences)
    counted = {"episodes"} | {m for row, (m, _) in EPISODE_FIGURES.items() if row in row_ids}
    measures: dict[str, Any] = {
        **{name: _count(EPISODE_CONDITIONS[name]) for name in sorted(counted)},
        "duration_max": Max("duration"),
        "age_min": Min("age"),
        "age_sum": Sum("age"),
        "wait_max": Max("wait", filter=_completed),
        # Individuals: each child counted once, in the group of their latest episode of
        # the period (the latest start; of two at the same instant, the one recorded last).
        "individuals": _count(Q(pk__in=_ids_of_one_per_child(episodes))),
    }
    if row_ids & EPISODE_CHILD_FIGURES.keys():
        measures["children"] = Count("child", distinct=True)
    rows = (
        _measured_episodes(period, include_absences).values("group").annotate(**measures).order_by()
    )
    return {row["group"]: row for row in rows}


def _one_per_child(episodes: EpisodeQuerySet) -> EpisodeQuerySet:
    """Each child's latest episode among these: by start, and of two starting at the same
    instant, the one recorded last."""
    return episodes.filter(pk__in=_ids_of_one_per_child(episodes))


def _ids_of_one_per_child(episodes: EpisodeQuerySet) -> QuerySet[Model, dict[str, Any]]:
    """The ids of `_one_per_child`: one window over these episodes, ranking each child's
    latest first, instead of a search for a later episode per episode. (Used as `pk__in`:
    Django would put a GROUP BY applied to the windowed queryset inside its subquery.)"""
    latest_first = Window(
        RowNumber(), partition_by=_child_key(), order_by=("-started_epoch", "-pk")
    )
    return episodes.order_by().annotate(nth=latest_first).filter(nth=1).values("pk")


def _child_key() -> F | ExpressionWrapper:
    """The child, to partition by. On PostgreSQL an expression of it (child + 0, the same
    partitions), so that the planner sorts the period's few episodes instead of walking the
    whole child index in child order to spare the sort (docs/performance.md)."""
    if connection.vendor == "postgresql":
        return ExpressionWrapper(F("child") + 0, output_field=Big())
    return F("child")


def _total(
    groups: dict[str, dict[str, Any]], measure: str, among: tuple[str, ...] = ALL_GROUPS
) -> int:
    return sum(groups[g][measure] for g in among if g in groups)


def _extreme(
    groups: dict[str, dict[str, Any]],
    measure: str,
    pick: Callable[[list[int]], int],
    among: tuple[str, ...] = ALL_GROUPS,
) -> int | None:
    values = [groups[g][measure] for g in among if g in groups and groups[g][measure] is not None]
    return pick(values) if values else None


def _quarterly_values(
    period: Period, include_absences: bool, row_ids: frozenset[str]
) -> dict[str, Any]:
    groups = _by_group(period, include_absences, row_ids)
    people = {group: row["individuals"] for group, row in groups.items()}
    host = HOST_GROUPS

    def total(measure: str, among: tuple[str, ...] = ALL_GROUPS) -> int:
        return _total(groups, measure, among)

    episodes = total("episodes")
    return {
        **{
            row: total(measure, among)
            for row, (measure, among) in EPISODE_FIGURES.items()
            if row in row_ids
        },
        **{row: sum(people.get(g, 0) for g in among) for row, among in INDIVIDUAL_FIGURES.items()},
        "duration_max_days": whole_days(_extreme(groups, "duration_max", max)),
        "age_youngest": _extreme(groups, "age_min", min),
        "age_average": tenths_half_up(total("age_sum"), episodes) if episodes else None,
        "rhi_longest_days": whole_days(_extreme(groups, "wait_max", max, host)),
        # Shared with the annual report.
        "_groups": groups,
        "_people": people,
    }


def _annual_values(
    period: Period,
    include_absences: bool,
    groups: dict[str, dict[str, Any]],
    people: dict[str, int],
) -> dict[str, Any]:
    def total(measure: str, among: tuple[str, ...] = ALL_GROUPS) -> int:
        return _total(groups, measure, among)

    episodes = episodes_in(period, include_absences)
    population = ChildPopulation.objects.filter(financial_year=period.financial_year_start).first()
    repeat, age_peak = _repeat_children_and_age_peak(episodes)
    values: dict[str, Any] = {
        **{row: total("children", among) for row, among in EPISODE_CHILD_FIGURES.items()},
        "individuals_repeat": repeat,
        "age_peak": age_peak,
        **_record_values(period),
    }
    for row, count in (
        ("rate_episodes_per_10k", total("episodes")),
        ("rate_individuals_per_10k", sum(people.values())),
    ):
        values[row] = tenths_half_up(10_000 * count, population.population) if population else None
    return values


# A repeat child has this many episodes of the period or more.
REPEAT_EPISODES = 3


def _repeat_children_and_age_peak(episodes: EpisodeQuerySet) -> tuple[int, int | None]:
    """The number of repeat children (_repeat_children), and the most common age among
    children, each at their first episode of the period (ties go to the younger age).

    Age at the first episode is the age at start (`age_at_start`) of that episode, by the
    same rule in Python (`completed_years`), worked out per child, not per episode: joining
    every episode to its child took two thirds of the time (docs/performance.md). Python
    counts the children per age (one row per child: tens of thousands at most)."""
    repeat = 0
    children_at_age: Counter[int] = Counter()
    for count, first_started_on, born in _children_of(episodes):
        repeat += count >= REPEAT_EPISODES
        children_at_age[completed_years(born, first_started_on)] += 1
    if not children_at_age:
        return repeat, None
    peak, _ = max(children_at_age.items(), key=lambda item: (item[1], -item[0]))
    return repeat, peak


def _children_of(episodes: EpisodeQuerySet) -> list[tuple[int, dt.date, dt.date]]:
    """For each child with any of these episodes: how many, the first one's start date, and
    the child's date of birth. One query: the episodes grouped by child from the start-date
    index alone (no episode row is read), then joined to the children, one row each. The
    ORM can join only before grouping, which reads a child per episode, or ask for the
    children apart, which reads the period's episodes twice: this way took 75 ms instead
    of 105 on SQLite and 95 instead of 125 on PostgreSQL at a million episodes."""
    per_child = (
        episodes.order_by()
        .values("child")
        .annotate(episodes=Count("*"), first_started_on=Min("started_on"))
    )
    grouped, params = per_child.query.sql_with_params()
    quote = connection.ops.quote_name
    children = Child._meta
    birth_column = children.get_field("date_of_birth").column
    pk_column = children.pk.column
    assert birth_column is not None and pk_column is not None  # stored columns
    # Identifiers from the models and the aliases above, quoted; every value a parameter.
    query = (
        f"SELECT grouped.{quote('episodes')}, grouped.{quote('first_started_on')}, "  # noqa: S608
        f"child.{quote(birth_column)} FROM ({grouped}) AS grouped "
        f"JOIN {quote(children.db_table)} AS child "
        f"ON child.{quote(pk_column)} = grouped.{quote('child')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(count, _date(first), _date(born)) for count, first, born in cursor.fetchall()]


def _date(value: dt.date | str) -> dt.date:
    """A date column read without the ORM: SQLite gives its text (YYYY-MM-DD)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _repeat_children(episodes: EpisodeQuerySet) -> QuerySet[Episode, dict[str, Any]]:
    """The children with REPEAT_EPISODES or more of these episodes (their ids)."""
    return (
        episodes.values("child")
        .annotate(n=Count("*"))
        .filter(n__gte=REPEAT_EPISODES)
        .values("child")
    )


# The other records of the annual report --------------------------------------------------


def _lac_statuses(period: Period) -> QuerySet[LegalStatus]:
    """LAC statuses of this authority in force on any day of the period."""
    return LegalStatus.objects.filter(
        status="LAC", responsible_la__in=["", own_authority_code()], start_date__lte=period.last
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first))


def _mam_meetings(period: Period) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        kind="MISSING_MAM", requested_on__range=(period.first, period.last)
    )


def _strategy_meetings(period: Period) -> QuerySet[Meeting]:
    return Meeting.objects.filter(kind="STRATEGY", held_on__range=(period.first, period.last))


def _referrals(period: Period) -> QuerySet[Referral]:
    """Referrals received in the period, each knowing whether its child was referred before."""
    referred_before = Referral.objects.filter(child=OuterRef("child"), received_on__lt=period.first)
    return Referral.objects.filter(received_on__range=(period.first, period.last)).annotate(
        known=Exists(referred_before)
    )


def _assessments(period: Period) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(completed_on__range=(period.first, period.last))


def _panel_listings(period: Period) -> QuerySet[PanelListing]:
    return PanelListing.objects.filter(
        panel__in=["MACE", "MASE"], panel_date__range=(period.first, period.last)
    )


RECORD_SOURCES: dict[str, Callable[[Period], QuerySet[Model]]] = {
    "lac_statuses": _lac_statuses,
    "mam_meetings": _mam_meetings,
    "strategy_meetings": _strategy_meetings,
    "referrals": _referrals,
    "assessments": _assessments,
    "panel_listings": _panel_listings,
}


@dataclass(frozen=True)
class RecordFigure:
    """A report row counting other records: drawn from a source of RECORD_SOURCES, those
    meeting `condition`, counted as records or as distinct children (`per_child`)."""

    source: str
    condition: Q | None = None
    per_child: bool = False

    def count(self) -> Count:
        if self.per_child:
            return Count("child", distinct=True, filter=self.condition)
        return Count("pk", filter=self.condition)


RF = RecordFigure
RECORD_FIGURES: dict[str, RecordFigure] = {
    "lac_children": RF("lac_statuses", per_child=True),
    "mam_requested": RF("mam_meetings"),
    "mam_held": RF("mam_meetings", Q(held_on__isnull=False)),
    "strategy_meetings": RF("strategy_meetings"),
    "strategy_meeting_children": RF("strategy_meetings", per_child=True),
    "referrals_total": RF("referrals"),
    **{f"referrals_concern_{c.lower()}": RF("referrals", Q(concern=c)) for c in Concern.values},
    **{f"referrals_source_{c.lower()}": RF("referrals", Q(source=c)) for c in Source.values},
    "referrals_source_unknown": RF("referrals", Q(source="")),
    "referral_children": RF("referrals", per_child=True),
    "referral_children_new": RF("referrals", Q(known=False), per_child=True),
    "risk_assessments": RF("assessments"),
    "risk_assessments_cse": RF("assessments", Q(kind="CSE")),
    "risk_assessments_ce": RF("assessments", Q(kind="CE")),
    "panel_children": RF("panel_listings", per_child=True),
}


def _record_values(period: Period) -> dict[str, int]:
    """Every row of RECORD_FIGURES: one query per source."""
    values: dict[str, int] = {}
    for source, records in RECORD_SOURCES.items():
        counts = {row: f.count() for row, f in RECORD_FIGURES.items() if f.source == source}
        values |= records(period).aggregate(**counts)
    return values


# From a figure to the records it counts -------------------------------------------------

# Every row whose value is a count of records that can be listed (not a maximum, an age,
# an average or a rate).
LISTED_FIGURES: frozenset[str] = frozenset(
    {*EPISODE_FIGURES, *EPISODE_CHILD_FIGURES, *INDIVIDUAL_FIGURES, "individuals_repeat"}
    | set(RECORD_FIGURES)
)


def figure_records(row_id: str, period: Period, include_absences: bool = False) -> QuerySet[Model]:
    """The records the row `row_id` counts for this period: as many as its value, drawn
    with the same definition as the count. A row that counts distinct children gives one
    record per child (their latest episode, or their last record by entry). Unordered;
    KeyError for a row that counts no records (LISTED_FIGURES)."""
    if row_id in EPISODE_FIGURES:
        measure, among = EPISODE_FIGURES[row_id]
        episodes = _measured_episodes(period, include_absences)
        return episodes.filter(EPISODE_CONDITIONS[measure], group__in=among)
    if row_id in EPISODE_CHILD_FIGURES:
        episodes = _measured_episodes(period, include_absences)
        among = EPISODE_CHILD_FIGURES[row_id]
        return _one_per_child(episodes.filter(group__in=among))
    if row_id in INDIVIDUAL_FIGURES:
        episodes = episodes_in(period, include_absences)
        latest = _one_per_child(episodes).with_group()
        return latest.filter(group__in=INDIVIDUAL_FIGURES[row_id])
    if row_id == "individuals_repeat":
        episodes = episodes_in(period, include_absences)
        return _one_per_child(episodes).filter(child__in=_repeat_children(episodes))
    figure = RECORD_FIGURES[row_id]
    records = RECORD_SOURCES[figure.source](period).filter(figure.condition or Q())
    if figure.per_child:
        later = records.filter(child=OuterRef("child"), pk__gt=OuterRef("pk"))
        records = records.filter(~Exists(later))
    return records
