"""Derived facts about episodes, defined once as query expressions.

Everything here is usable inside database filters and aggregations on SQLite and
PostgreSQL alike: integer arithmetic on stored epoch seconds and YYYYMMDD numbers, and
EXISTS subqueries on legal statuses. No expression here calls back into Python per row.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear, Rank

from harbour.common.time import HOUR, ymd

if TYPE_CHECKING:
    from collections.abc import Iterable

RHI_DUE_SECONDS = 72 * HOUR


def own_authority_code() -> str:
    code = settings.LOCAL_AUTHORITY_CODE
    if not code:
        raise ImproperlyConfigured(
            "LOCAL_AUTHORITY_CODE is not set: it is needed to tell this authority's looked-after "
            "children from those placed here by other authorities."
        )
    return code


def in_force(on: F | OuterRef) -> Q:
    """Legal statuses of the outer episode's child in force on the given local date."""
    return Q(child=OuterRef("child"), start_date__lte=on) & (
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def status_in_force(status: str, on: F | OuterRef) -> Q:
    """Legal statuses of one kind of the outer episode's child in force on the date."""
    return Q(status=status) & in_force(on)


def _lac_of_another_authority() -> Q:
    """A legal status that makes the child group OLA when in force: looked after by an
    authority other than this one (empty responsible_la means this authority)."""
    return Q(status="LAC") & ~Q(responsible_la__in=["", own_authority_code()])


def placed_by_another_authority(started_on: str = "started_on") -> Exists:
    """Whether the episode's child was looked after by another authority on the day it
    started: group OLA (the group's first case, so this is the group's own test)."""
    from harbour.children.models import LegalStatus

    return Exists(
        LegalStatus.objects.filter(
            status_in_force("LAC", OuterRef(started_on)), _lac_of_another_authority()
        )
    )


# The groups in metrics.md's order ("first match wins"), each with the rank of the legal
# status that puts a child in it; a child with no status in force is NONE.
GROUP_RANKS = (("OLA", 1), ("LAC", 2), ("CP", 3), ("CIN", 4))


class _GroupOfRank(Func):
    """The group named by the lowest rank among the statuses in force (NULL: none). A
    simple CASE, so that the rank, a subquery, is evaluated once per row."""

    template = (
        "CASE %(expressions)s "
        + " ".join(f"WHEN {rank} THEN '{group}'" for group, rank in GROUP_RANKS)
        + " ELSE 'NONE' END"
    )
    output_field = models.CharField()


def group_expression(started_on: str = "started_on") -> Func:
    """The episode's group at its start, per metrics.md: OLA, LAC, CP, CIN or NONE.

    One pass over the child's legal statuses in force that day (an index range of
    legal_status_key) finds the lowest rank among them: the first group, in metrics.md's
    order, that any of them qualifies for."""
    from harbour.children.models import LegalStatus

    on = OuterRef(started_on)
    ranks = dict(GROUP_RANKS)
    rank = Case(
        When(_lac_of_another_authority(), then=Value(ranks["OLA"])),
        When(status="LAC", then=Value(ranks["LAC"])),
        When(status="CP", then=Value(ranks["CP"])),
        When(status="CIN", then=Value(ranks["CIN"])),
    )
    # MIN as a plain function: an aggregate over the subquery's rows with no GROUP BY.
    lowest = (
        LegalStatus.objects.filter(in_force(on))
        .order_by()
        .values(rank=Func(rank, function="MIN", output_field=models.IntegerField()))
    )
    return _GroupOfRank(Subquery(lowest))


def duration_seconds() -> ExpressionWrapper:
    """Elapsed seconds from last seen to found; NULL while the episode is open."""
    return ExpressionWrapper(
        F("ended_epoch") - F("started_epoch"), output_field=models.BigIntegerField()
    )


def date_ymd(field: str) -> Cast:
    """A date column as the integer YYYYMMDD, worked out in the database."""
    number = ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)
    return Cast(number, models.IntegerField())


def age_on(day: dt.date | Combinable, born: str = "child__birth_ymd") -> ExpressionWrapper:
    """Whole years completed by the record's child on a day: a date, or an expression of
    the day as YYYYMMDD (a stored YYYYMMDD column, F("started_ymd"), or `date_ymd` of a
    date column). `born`: the path to the child's YYYYMMDD date of birth.

    (YYYYMMDD of the day - YYYYMMDD of birth) div 10000 is exact, including a 29 February
    birthday, which is reached on 1 March in other years (common.time.completed_years, the
    same rule in Python). Both numbers are positive and integer division truncates on both
    databases.
    """
    on = Value(ymd(day)) if isinstance(day, dt.date) else day
    return ExpressionWrapper(
        (on - F(born)) / Value(10000),
        output_field=models.IntegerField(),
    )


def age_at_start() -> ExpressionWrapper:
    """Whole years completed on the local date the episode started."""
    return age_on(F("started_ymd"))


def time_to_interview_seconds() -> ExpressionWrapper:
    """Elapsed seconds from found to the return interview taking place; NULL until then."""
    return ExpressionWrapper(
        F("return_interview__completed_epoch") - F("ended_epoch"),
        output_field=models.BigIntegerField(),
    )


def rhi_due_epoch() -> ExpressionWrapper:
    """The instant (epoch seconds) by which a return interview is due: found + 72 hours."""
    return ExpressionWrapper(
        F("ended_epoch") + Value(RHI_DUE_SECONDS), output_field=models.BigIntegerField()
    )


class EpisodeQuerySet(models.QuerySet):
    def started_between(self, first: dt.date, last: dt.date) -> EpisodeQuerySet:
        """Episodes whose Europe/London start date lies in [first, last]."""
        return self.filter(started_on__gte=first, started_on__lte=last)

    def of_categories(self, categories: Iterable[str]) -> EpisodeQuerySet:
        return self.filter(category__in=list(categories))

    def open(self) -> EpisodeQuerySet:
        return self.filter(ended_at__isnull=True)

    def closed(self) -> EpisodeQuerySet:
        return self.filter(ended_at__isnull=False)

    def with_group(self) -> EpisodeQuerySet:
        return self.annotate(group=group_expression())

    def with_duration(self) -> EpisodeQuerySet:
        return self.annotate(duration_seconds=duration_seconds())

    def with_age(self) -> EpisodeQuerySet:
        return self.annotate(age=age_at_start())

    def with_rhi_due(self) -> EpisodeQuerySet:
        return self.annotate(rhi_due_epoch=rhi_due_epoch())


# Frequently missing (the dashboard's list, the panels' cohort): MISSING episodes starting
# in the last 90 days, today included, by their local start date.
FREQUENTLY_MISSING_DAYS = 90
MOST_MISSING_CHILDREN = 20


def frequently_missing_since(today: dt.date) -> dt.date:
    """The first day of "the last 90 days": episodes starting on or after it count."""
    return today - dt.timedelta(days=FREQUENTLY_MISSING_DAYS)


def recent_missing_filter(today: dt.date, prefix: str = "") -> Q:
    """MISSING episodes starting (local date) in the last 90 days, today included."""
    return Q(
        **{
            f"{prefix}category": "MISSING",
            f"{prefix}started_on__gte": frequently_missing_since(today),
            f"{prefix}started_on__lte": today,
        }
    )


def most_missing(
    children: Q, today: dt.date, limit: int = MOST_MISSING_CHILDREN
) -> models.QuerySet:
    """The `limit` children with the most MISSING episodes in the 90 days to `today`, most
    first (ties by name, then id), as rows {"child", "recent"}. `children`: a filter on
    episodes naming the children considered (visible_to)."""
    from harbour.children.models import Child

    return (
        Child.objects.filter(pk__in=most_missing_candidates(children, today, limit))
        .annotate(recent=recent_missing_count(today))
        .order_by("-recent", "family_name", "given_name", "pk")
        .values("recent", child=F("pk"))[:limit]
    )


# The candidates are read as a list up to this many (a few dozen in practice); when more
# children tie at the cut (an authority where fewer than `limit` children went missing
# more than once), they stay a subquery, so that no statement carries more parameters
# than SQLite allows.
CANDIDATES_AS_A_LIST = 1000


def most_missing_candidates(children: Q, today: dt.date, limit: int) -> list[int] | models.QuerySet:
    """The ids of the children at or above the cut of `most_missing`: every child whose
    count of MISSING episodes in the 90 days is among the `limit` highest, children tied
    at the cut included (their names decide which of them are shown).

    One pass over those days' episodes (by the index on their start), counted by child and
    ranked by count, so that names are read for these few children only, not for every
    child of the 90 days. A child's rank (RANK(): one more than the number of children with
    a higher count) is at most `limit` exactly when fewer than `limit` children have more
    episodes.

    Read into a list when they are few: as a subquery, PostgreSQL cannot tell how few
    children pass the rank and plans for thousands (a scan of every child)."""
    from .models import Episode

    ranked = (
        Episode.objects.filter(recent_missing_filter(today), children)
        .values("child")
        .annotate(
            recent=models.Count("*"),
            rank=models.Window(Rank(), order_by=models.Count("*").desc()),
        )
        .filter(rank__lte=limit)
        .values_list("child", flat=True)
    )
    few = [int(child) for child in ranked[: CANDIDATES_AS_A_LIST + 1]]
    return few if len(few) <= CANDIDATES_AS_A_LIST else ranked


def recent_missing_count(today: dt.date) -> Coalesce:
    """A child's MISSING episodes in the 90 days to `today` (for a queryset of children)."""
    from .models import Episode

    count = (
        Episode.objects.filter(recent_missing_filter(today), child=OuterRef("pk"))
        .order_by()
        .values("child")
        .annotate(n=models.Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=models.IntegerField()), Value(0))
