"""Computing the quarterly and annual reports of shared/spec/metrics.md.

Every figure is aggregated in the database: the episodes of the period are grouped by
their group at start (OLA, LAC, CP, CIN, NONE) in one query, with every count, band and
extreme as a conditional aggregate; individuals come from a second query over each child's
latest episode; the annual report adds one small query per other record type. Python only
adds up the five group rows and turns counts into percentages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField as Big
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce

from harbour.children.models import LegalStatus
from harbour.common.codes import contains_code
from harbour.common.time import DAY, HOUR
from harbour.exploitation.models import Concern, PanelListing, Referral, RiskAssessment, Source
from harbour.interviews.models import OFFERED_OUTCOMES, Reason, Risk
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode
from harbour.missing.queries import (
    duration_seconds,
    own_authority_code,
    time_to_interview_seconds,
)

from .arithmetic import percent, tenths_half_up, whole_days
from .definitions import REPORTS
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

    def value(self, row_id: str) -> int | float | None:
        return self.row(row_id).value

    def row(self, row_id: str) -> ReportRow:
        for row in self.rows:
            if row.id == row_id:
                return row
        raise KeyError(row_id)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "report": self.kind,
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


def episodes_in(period: Period, include_absences: bool) -> QuerySet[Episode]:
    """The episodes of the period: local start date in the period; absences only on request."""
    episodes = Episode.objects.started_between(period.first, period.last)
    return episodes if include_absences else episodes.filter(category="MISSING")


def build_report(kind: str, period: Period, include_absences: bool = False) -> Report:
    own_authority_code()  # refuse early, with a clear message, when it is not configured
    values = _quarterly_values(period, include_absences)
    if kind == "annual":
        values |= _annual_values(period, include_absences, values["_groups"], values["_people"])
    rows = tuple(
        ReportRow(
            d.id,
            d.label,
            values[d.id],
            percent(values[d.id], values[d.base]) if d.base else None,
        )
        for d in REPORTS[kind]
    )
    return Report(kind, period, include_absences, rows)


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


def _count(condition: Q | None = None) -> Count:
    return Count("pk", filter=condition)


def _by_group(period: Period, include_absences: bool) -> dict[str, dict[str, Any]]:
    measures: dict[str, Any] = {
        "episodes": _count(),
        "children": Count("child", distinct=True),
        "female": _count(Q(child__sex="F")),
        "male": _count(Q(child__sex="M")),
        "open": _count(Q(ended_epoch__isnull=True)),
        "under_4_hours": _count(Q(duration__lt=4 * HOUR)),
        "under_1_day": _count(Q(duration__lt=DAY)),
        "1_to_2_days": _count(Q(duration__gte=DAY, duration__lt=2 * DAY)),
        "2_to_3_days": _count(Q(duration__gte=2 * DAY, duration__lt=3 * DAY)),
        "3_days_or_more": _count(Q(duration__gte=3 * DAY)),
        "duration_max": Max("duration"),
        "age_min": Min("age"),
        "age_sum": Sum("age"),
        "offered": _count(_offered),
        "declined": _count(Q(return_interview__outcome="DECLINED")),
        "accepted": _count(Q(return_interview__outcome="ACCEPTED")),
        "completed": _count(_completed),
        "within_72_hours": _count(_completed & Q(wait__lte=72 * HOUR)),
        "within_1_week": _count(_completed & Q(wait__lte=168 * HOUR)),
        "wait_max": Max("wait", filter=_completed),
        "required": _count(_required),
        "completed_required": _count(_required & _completed),
        "advice_only": _count(_required & ~_completed & Q(return_interview__advice_given=True)),
        "engaged": _count(_completed & Q(return_interview__child_engaged=True)),
        **{
            f"reason_{code}": _count(
                _completed & Q(return_interview__reasons__contains=contains_code(code))
            )
            for code in Reason.values
        },
        **{
            f"risk_{code}": _count(
                _completed & Q(return_interview__risks__contains=contains_code(code))
            )
            for code in Risk.values
        },
        **{
            f"timed_{category}": _count(Q(category=category, notified_epoch__isnull=False))
            for category in ("MISSING", "ABSENT")
        },
        **{
            f"within_24_hours_{category}": _count(
                Q(category=category, notified_epoch__isnull=False, notice__lte=24 * HOUR)
            )
            for category in ("MISSING", "ABSENT")
        },
        "24_to_72_hours_MISSING": _count(
            Q(category="MISSING", notice__gt=24 * HOUR, notice__lte=72 * HOUR)
        ),
    }
    rows = (
        episodes_in(period, include_absences)
        .with_group()
        .with_age()
        .annotate(duration=duration_seconds(), wait=time_to_interview_seconds(), notice=_notice)
        .values("group")
        .annotate(**measures)
        .order_by()
    )
    return {row["group"]: row for row in rows}


def _individuals_by_group(period: Period, include_absences: bool) -> dict[str, int]:
    """Each child counted once, in the group of their latest episode of the period (the
    latest start; of two starting at the same instant, the one recorded last)."""
    rows = (
        _one_per_child(episodes_in(period, include_absences), latest=True)
        .with_group()
        .values("group")
        .annotate(children=Count("pk"))
        .order_by()
    )
    return {row["group"]: row["children"] for row in rows}


def _one_per_child(episodes: QuerySet[Episode], *, latest: bool) -> QuerySet[Episode]:
    """Each child's latest (or first) episode among these: by start, and of two starting at
    the same instant, the one recorded last (or first)."""
    if latest:
        # started_on >= the outer date follows from the epochs, and lets the index scan
        # start at the outer episode instead of at the start of the period.
        beyond = Q(started_on__gte=OuterRef("started_on")) & (
            Q(started_epoch__gt=OuterRef("started_epoch"))
            | Q(started_epoch=OuterRef("started_epoch"), pk__gt=OuterRef("pk"))
        )
    else:
        beyond = Q(started_on__lte=OuterRef("started_on")) & (
            Q(started_epoch__lt=OuterRef("started_epoch"))
            | Q(started_epoch=OuterRef("started_epoch"), pk__lt=OuterRef("pk"))
        )
    return episodes.filter(~Exists(episodes.filter(beyond, child=OuterRef("child"))))


def _total(groups: dict[str, dict[str, Any]], measure: str, among=ALL_GROUPS) -> int:
    return sum(groups[g][measure] for g in among if g in groups)


def _extreme(groups: dict[str, dict[str, Any]], measure: str, pick, among=ALL_GROUPS):
    values = [groups[g][measure] for g in among if g in groups and groups[g][measure] is not None]
    return pick(values) if values else None


def _quarterly_values(period: Period, include_absences: bool) -> dict[str, Any]:
    groups = _by_group(period, include_absences)
    people = _individuals_by_group(period, include_absences)
    host = HOST_GROUPS

    def total(measure: str, among=ALL_GROUPS) -> int:
        return _total(groups, measure, among)

    episodes = total("episodes")
    return {
        "episodes_total": episodes,
        "episodes_ola": total("episodes", ["OLA"]),
        "episodes_host": total("episodes", host),
        "episodes_host_lac": total("episodes", ["LAC"]),
        "episodes_host_cp": total("episodes", ["CP"]),
        "individuals_total": sum(people.values()),
        "individuals_ola": people.get("OLA", 0),
        "individuals_host": sum(people.get(g, 0) for g in host),
        "individuals_host_lac": people.get("LAC", 0),
        "individuals_host_cp": people.get("CP", 0),
        "duration_max_days": whole_days(_extreme(groups, "duration_max", max)),
        "duration_under_1_day": total("under_1_day"),
        "duration_1_to_2_days": total("1_to_2_days"),
        "duration_2_to_3_days": total("2_to_3_days"),
        "duration_3_days_or_more": total("3_days_or_more"),
        "episodes_open": total("open"),
        "age_youngest": _extreme(groups, "age_min", min),
        "age_average": tenths_half_up(total("age_sum"), episodes) if episodes else None,
        "rhi_offered": total("offered", host),
        "rhi_declined": total("declined", host),
        "rhi_accepted": total("accepted", host),
        "rhi_completed": total("completed", host),
        "rhi_within_72_hours": total("within_72_hours", host),
        "rhi_within_1_week": total("within_1_week", host),
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
    def total(measure: str, among=ALL_GROUPS) -> int:
        return _total(groups, measure, among)

    episodes = episodes_in(period, include_absences)
    population = ChildPopulation.objects.filter(financial_year=period.financial_year_start).first()
    values: dict[str, Any] = {
        "episodes_female": total("female"),
        "episodes_male": total("male"),
        **{f"episodes_group_{g.lower()}": total("episodes", [g]) for g in ALL_GROUPS},
        **{f"individuals_group_{g.lower()}": people.get(g, 0) for g in ALL_GROUPS},
        "individuals_repeat": (
            episodes.values("child").annotate(n=Count("pk")).filter(n__gte=3).count()
        ),
        "age_peak": _age_peak(episodes),
        "duration_under_4_hours": total("under_4_hours"),
        "rhi_required_home": total("required", HOME_GROUPS),
        "rhi_completed_home": total("completed_required", HOME_GROUPS),
        "rhi_required_lac": total("required", ["LAC"]),
        "rhi_completed_lac": total("completed_required", ["LAC"]),
        "rhi_advice_only_lac": total("advice_only", ["LAC"]),
        "rhi_completed_host": total("completed", HOST_GROUPS),
        "rhi_engaged": total("engaged", HOST_GROUPS),
        **{f"reason_{c.lower()}": total(f"reason_{c}", HOST_GROUPS) for c in Reason.values},
        **{f"risk_{c.lower()}": total(f"risk_{c}", HOST_GROUPS) for c in Risk.values},
        "lac_children": _children_looked_after(period),
        # Every child with an episode of group LAC had a LAC status of this authority in
        # force that day, so these are all among lac_children.
        "lac_children_missing": total("children", ["LAC"]),
        "notifications_timed_missing": total("timed_MISSING"),
        "notified_within_24_hours_missing": total("within_24_hours_MISSING"),
        "notified_24_to_72_hours_missing": total("24_to_72_hours_MISSING"),
        "notifications_timed_absent": total("timed_ABSENT"),
        "notified_within_24_hours_absent": total("within_24_hours_ABSENT"),
        **_meeting_values(period),
        **_referral_values(period),
        **_assessment_values(period),
        "panel_children": (
            PanelListing.objects.filter(
                panel__in=["MACE", "MASE"], panel_date__range=(period.first, period.last)
            )
            .values("child")
            .distinct()
            .count()
        ),
    }
    for row, count in (
        ("rate_episodes_per_10k", total("episodes")),
        ("rate_individuals_per_10k", sum(people.values())),
    ):
        values[row] = tenths_half_up(10_000 * count, population.population) if population else None
    return values


def _age_peak(episodes: QuerySet[Episode]) -> int | None:
    """The most common age among children, each at their first episode of the period
    (ties go to the younger age)."""
    peak = (
        _one_per_child(episodes, latest=False)
        .with_age()
        .values("age")
        .annotate(children=Count("pk"))
        .order_by("-children", "age")
        .first()
    )
    return peak["age"] if peak else None


def _children_looked_after(period: Period) -> int:
    """Children with a LAC status of this authority in force on any day of the period."""
    return (
        LegalStatus.objects.filter(
            status="LAC",
            responsible_la__in=["", own_authority_code()],
            start_date__lte=period.last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first))
        .values("child")
        .distinct()
        .count()
    )


def _meeting_values(period: Period) -> dict[str, int]:
    in_period = (period.first, period.last)
    mam = Meeting.objects.filter(kind="MISSING_MAM", requested_on__range=in_period).aggregate(
        requested=Count("pk"), held=Count("pk", filter=Q(held_on__isnull=False))
    )
    strategy = Meeting.objects.filter(kind="STRATEGY", held_on__range=in_period).aggregate(
        meetings=Count("pk"), children=Count("child", distinct=True)
    )
    return {
        "mam_requested": mam["requested"],
        "mam_held": mam["held"],
        "strategy_meetings": strategy["meetings"],
        "strategy_meeting_children": strategy["children"],
    }


def _referral_values(period: Period) -> dict[str, int]:
    referrals = Referral.objects.filter(received_on__range=(period.first, period.last))
    referred_before = Referral.objects.filter(child=OuterRef("child"), received_on__lt=period.first)
    figures = referrals.annotate(known=Exists(referred_before)).aggregate(
        total=Count("pk"),
        children=Count("child", distinct=True),
        new_children=Count("child", distinct=True, filter=Q(known=False)),
        unknown_source=Count("pk", filter=Q(source="")),
        **{f"concern_{c}": Count("pk", filter=Q(concern=c)) for c in Concern.values},
        **{f"source_{c}": Count("pk", filter=Q(source=c)) for c in Source.values},
    )
    return {
        "referrals_total": figures["total"],
        **{f"referrals_concern_{c.lower()}": figures[f"concern_{c}"] for c in Concern.values},
        **{f"referrals_source_{c.lower()}": figures[f"source_{c}"] for c in Source.values},
        "referrals_source_unknown": figures["unknown_source"],
        "referral_children": figures["children"],
        "referral_children_new": figures["new_children"],
    }


def _assessment_values(period: Period) -> dict[str, int]:
    figures = RiskAssessment.objects.filter(
        completed_on__range=(period.first, period.last)
    ).aggregate(
        total=Count("pk"),
        cse=Count("pk", filter=Q(kind="CSE")),
        ce=Count("pk", filter=Q(kind="CE")),
    )
    return {
        "risk_assessments": figures["total"],
        "risk_assessments_cse": figures["cse"],
        "risk_assessments_ce": figures["ce"],
    }
