"""The return interview worklist, as one annotated queryset (docs/casework.md).

Every row is an ended episode. The due instant is found + 72 elapsed hours
(`rhi_due_epoch`), and the seconds left (negative: overdue) are integer arithmetic on
epoch seconds against `now`, passed in as a parameter: the same SQL on SQLite and
PostgreSQL, no per-row Python. The group and the status are query expressions too, so
filters and counts happen in the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, models
from django.db.models import (
    Case,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from harbour.accounts.permissions import of_children
from harbour.children.models import LegalStatus
from harbour.common.time import DAY, epoch_seconds
from harbour.missing.models import Episode
from harbour.missing.queries import (
    RHI_DUE_SECONDS,
    own_authority_code,
    placed_by_another_authority,
    rhi_due_epoch,
    status_in_force,
    time_to_interview_seconds,
)

from .models import Allocation, Outcome


class WorklistStatus(models.TextChoices):
    """Where an episode's return interview stands; the first that applies, in this order."""

    COMPLETED = "COMPLETED", "Completed"
    NOT_REQUIRED = "NOT_REQUIRED", "Not required"
    DECLINED = "DECLINED", "Declined"
    NOTIFY = "NOTIFY", "Notify the placing authority"
    OVERDUE = "OVERDUE", "Overdue"
    OFFERED = "OFFERED", "Offered"
    ALLOCATED = "ALLOCATED", "Allocated"
    TO_ALLOCATE = "TO_ALLOCATE", "To allocate"


# Nothing more to do on the worklist.
CLOSED = (WorklistStatus.COMPLETED, WorklistStatus.NOT_REQUIRED, WorklistStatus.DECLINED)
# Still to do: the worklist's default view.
TO_DO = tuple(status for status in WorklistStatus if status not in CLOSED)


class GroupFilter(models.TextChoices):
    """The worklist's groups: the episode's group at its start, in three."""

    HOME = "HOME", "Missing from home"
    LAC = "LAC", "Looked after by this authority"
    OLA = "OLA", "Looked after by another authority"


# By the filter's value (a GroupFilter is its value).
GROUPS_IN_FILTER: dict[str, tuple[str, ...]] = {
    GroupFilter.HOME: ("CP", "CIN", "NONE"),
    GroupFilter.LAC: ("LAC",),
    GroupFilter.OLA: ("OLA",),
}


def _completed() -> Q:
    return Q(
        return_interview__outcome=Outcome.ACCEPTED, return_interview__completed_at__isnull=False
    )


def closed() -> Q:
    """An interview completed, declined or recorded as not required: the CLOSED statuses
    (the first three cases of status_expression)."""
    return _completed() | Q(return_interview__outcome__in=[Outcome.NOT_REQUIRED, Outcome.DECLINED])


def to_notify() -> Q:
    """The NOTIFY status as plain conditions: not closed, and the child was looked after by
    another authority when the episode started (group OLA)."""
    return Q(placed_by_another_authority()) & ~closed()


def status_expression(now_epoch: int) -> Case:
    """The worklist status (WorklistStatus).

    Overdue: the due instant has passed (now > found + 72 h, strictly: exactly 72 hours is
    on time) and the interview is neither completed, declined nor recorded as not
    required. An offer with no response, an accepted interview not yet held, and a record
    of "not offered" do not stop the clock.
    """
    ri = "return_interview__outcome"
    return Case(
        When(_completed(), then=Value(WorklistStatus.COMPLETED.value)),
        When(Q(**{ri: Outcome.NOT_REQUIRED}), then=Value(WorklistStatus.NOT_REQUIRED.value)),
        When(Q(**{ri: Outcome.DECLINED}), then=Value(WorklistStatus.DECLINED.value)),
        # Group OLA is exactly the group's first test: asked alone, not by repeating the
        # whole group CASE (four EXISTS) inside this one.
        When(placed_by_another_authority(), then=Value(WorklistStatus.NOTIFY.value)),
        When(ended_epoch__lt=now_epoch - RHI_DUE_SECONDS, then=Value(WorklistStatus.OVERDUE.value)),
        When(
            Q(**{f"{ri}__in": [Outcome.NO_RESPONSE, Outcome.ACCEPTED]}),
            then=Value(WorklistStatus.OFFERED.value),
        ),
        When(allocation__isnull=False, then=Value(WorklistStatus.ALLOCATED.value)),
        default=Value(WorklistStatus.TO_ALLOCATE.value),
        output_field=models.CharField(),
    )


def placing_authority() -> Subquery:
    """The responsible authority of the episode's child's looked-after status in force on
    the day the episode started, when it is another authority (the OLA rows)."""
    return Subquery(
        LegalStatus.objects.filter(status_in_force("LAC", OuterRef("started_on")))
        .exclude(responsible_la__in=["", own_authority_code()])
        .order_by("-start_date")
        .values("responsible_la")[:1],
        output_field=models.CharField(),
    )


def worklist(children: QuerySet | Q, now: dt.datetime) -> QuerySet:
    """Every ended episode of these children, with its return interview's due instant,
    seconds left (negative when overdue), group, status and, for OLA rows, the placing
    authority. Ordered most urgent first (earliest due)."""
    now_epoch = epoch_seconds(now)
    big = models.BigIntegerField()
    return (
        Episode.objects.closed()
        .filter(of_children(children))
        .with_group()
        .annotate(
            due_epoch=rhi_due_epoch(),
            seconds_left=ExpressionWrapper(rhi_due_epoch() - Value(now_epoch), output_field=big),
            interview_seconds=time_to_interview_seconds(),
            placing_authority=placing_authority(),
        )
        .annotate(status=status_expression(now_epoch))
        .select_related("child", "return_interview", "allocation", "allocation__worker")
        # The due instant is the found instant + 72 hours: the same order, on an index.
        .order_by("ended_epoch", "pk")
    )


def possible_statuses(group: str = "", status: str = "") -> set[str]:
    """The statuses rows can have under these filters: an OLA row is NOTIFY until it is
    closed, and no other group's row ever is. The page asks only for what can be there: a
    query for rows that cannot exist reads every ended episode to find none."""
    if status == "ALL":
        asked = set(WorklistStatus.values)
    else:
        asked = {status} if status else {value.value for value in TO_DO}
    if group == GroupFilter.OLA:
        asked &= {*(value.value for value in CLOSED), WorklistStatus.NOTIFY.value}
    elif group:
        asked.discard(WorklistStatus.NOTIFY.value)
    return asked


def found_since_epoch(now: dt.datetime) -> int | None:
    """The start of the worklist's window (HARBOUR_INTERVIEW_WINDOW_DAYS before now), as
    epoch seconds; None when there is no window."""
    days = settings.HARBOUR_INTERVIEW_WINDOW_DAYS
    return epoch_seconds(now) - days * DAY if days > 0 else None


def filtered(
    rows: QuerySet,
    *,
    worker: int | None = None,
    organisation: str = "",
    group: str = "",
    status: str = "",
    now: dt.datetime | None = None,
) -> QuerySet:
    """The worklist's filters. status: a WorklistStatus, "ALL", or "" for still to do.

    Every status but "ALL" covers the episodes found within the window
    (found_since_epoch): a range on the indexed found instant, so that ten years of
    history are never read to find this quarter's work."""
    if worker:
        rows = rows.filter(allocation__worker=worker)
    if organisation:
        rows = rows.filter(allocation__organisation=organisation)
    if group:
        rows = rows.filter(group__in=GROUPS_IN_FILTER[group])
    if status == "ALL":
        return rows
    if (since := found_since_epoch(now or timezone.now())) is not None:
        rows = rows.filter(ended_epoch__gte=since)
    if status:
        return rows.filter(status=status)
    # "Not closed", written as the plain conditions it stands for rather than as a test of
    # the status CASE, so that PostgreSQL can estimate how many rows pass and read the
    # found-instant index in order instead of sorting every row in the window.
    return rows.exclude(closed())


def allocated_organisations() -> list[str]:
    """The organisations that hold allocations, each once.

    Read by skipping from one organisation to the next along the organisation index (a
    recursive query asking for the least name after the last), so that it costs one index
    probe per organisation, not a read of every allocation (tens of thousands at a million
    episodes: 5 ms on every worklist page on PostgreSQL, 0.3 ms this way)."""
    quote = connection.ops.quote_name
    table = quote(Allocation._meta.db_table)
    organisation = Allocation._meta.get_field("organisation")
    assert isinstance(organisation, models.Field) and organisation.column  # a stored column
    column = quote(organisation.column)
    # Identifiers from the model, quoted; no values.
    sql = f"""
        WITH RECURSIVE organisation (name) AS (
            SELECT min({column}) FROM {table} WHERE {column} > ''
            UNION ALL
            SELECT (SELECT min({column}) FROM {table} WHERE {column} > organisation.name)
            FROM organisation WHERE organisation.name IS NOT NULL
        )
        SELECT name FROM organisation WHERE name IS NOT NULL
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [name for (name,) in cursor.fetchall()]
