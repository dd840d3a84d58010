"""The coordinator's dashboard, shown on the home page to users with casework.view_dashboard.

Every list is scoped to `visible_children(user)`, computed in SQL (elapsed times from the
stored epoch seconds, counts and flags as aggregates and EXISTS), and capped, so the page
runs the same few queries however many records there are. One audit event lists every
child the page shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Lower, Replace, Trim
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from harbour.accounts.permissions import allowed, of_children, visible_to
from harbour.audit import services as auditor
from harbour.authorities.queries import responses_awaited
from harbour.casework.flags import (
    FREQUENTLY_MISSING_DAYS,
    flag_annotations,
    frequently_missing_since,
    recent_missing_filter,
)
from harbour.casework.presenters import (
    Listed,
    Lists,
    Place,
    hotspot_rows,
    interview_rows,
    meeting_rows,
    missing_now_rows,
    ola_rows,
    places,
)
from harbour.children.models import Child
from harbour.common.paging import count_up_to, rows_and_total
from harbour.common.time import DAY, HOUR, epoch_seconds, local_date
from harbour.interviews.models import Outcome, ReturnInterview
from harbour.interviews.queries import found_since_epoch
from harbour.meetings.models import MeetingTask
from harbour.missing.models import Episode
from harbour.missing.queries import (
    MOST_MISSING_CHILDREN,
    RHI_DUE_SECONDS,
    most_missing_candidates,
    placed_by_another_authority,
    rhi_due_epoch,
)

HOTSPOT_CHILDREN = MOST_MISSING_CHILDREN
# The longest missing first; all of them are on the open episodes list. Rendering every
# open episode (435 at the benchmark's scale) was most of the page's time.
MISSING_NOW_ROWS = 50
INTERVIEW_ROWS = 50
MEETING_ROWS = 20
OLA_ROWS = 20
PLACES = 10


def _missing_now(children: Q, now_epoch: int) -> QuerySet:
    return (
        Episode.objects.open()
        .filter(of_children(children), category__in=["MISSING", "ABSENT"])
        .annotate(
            elapsed_hours=ExpressionWrapper(
                (Value(now_epoch) - F("started_epoch")) / Value(HOUR),
                output_field=BigIntegerField(),
            )
        )
        .select_related("child")
        .order_by("started_at")
    )


def _interviews_outstanding(children: Q) -> QuerySet:
    """Ended episodes of this authority's children and children placed here by no other
    authority (host episodes) with no completed, declined or not-required interview."""
    settled = ReturnInterview.objects.filter(episode=OuterRef("pk")).filter(
        Q(outcome=Outcome.ACCEPTED, completed_at__isnull=False)
        | Q(outcome__in=[Outcome.DECLINED, Outcome.NOT_REQUIRED])
    )
    # Group OLA is exactly the group's first test: only that test is asked, not the whole
    # group (three more EXISTS to build and compile in each query).
    return (
        Episode.objects.closed()
        .filter(of_children(children))
        .annotate(rhi_due_epoch=rhi_due_epoch())
        .exclude(placed_by_another_authority())
        .filter(~Exists(settled))
        .select_related("child")
    )


def _meetings_required(children: Q) -> QuerySet:
    """Open "multi-agency meeting required" tasks of these children, earliest due first."""
    return (
        MeetingTask.objects.filter(of_children(children), closed_at__isnull=True)
        .select_related("child")
        .order_by("due_on", "pk")
    )


# Lists are counted up to this many rows: the interviews overdue over years of records
# run to hundreds of thousands, and counting them all takes seconds (docs/performance.md).
COUNT_LIMIT = 1000


def _capped(queryset: QuerySet, limit: int) -> Listed[Any]:
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Listed(rows, len(rows))
    total = count_up_to(queryset, COUNT_LIMIT + 1)
    return Listed(rows[:limit], min(total, COUNT_LIMIT), total > COUNT_LIMIT)


def _counted_with_page(queryset: QuerySet, limit: int) -> Listed[Any]:
    """As `_capped`, for a list of a few hundred rows at most (the children missing now, the
    interviews due in the next day), which its page query reads whole anyway to sort them:
    the count comes with the page (COUNT(*) OVER ()) instead of from a second query."""
    rows, total = rows_and_total(queryset, 0, limit)
    return Listed(rows, min(total, COUNT_LIMIT), total > COUNT_LIMIT)


def _hotspot_children(children: Q, today: dt.date) -> list[Any]:
    """The children with the most MISSING episodes in the last 90 days, annotated with
    their flags (flags.flag_annotations).

    Found from the last 90 days' episodes (by the index on their start), not by counting
    every child's episodes."""
    candidates = most_missing_candidates(of_children(children), today, HOTSPOT_CHILDREN)
    return list(
        Child.objects.filter(pk__in=candidates)
        .annotate(**flag_annotations(today))
        .order_by(F("recent_missing").desc(), "family_name", "given_name", "pk")[:HOTSPOT_CHILDREN]
    )


def _found_at(children: list[Any], today: dt.date) -> dict[int, list[str]]:
    """{child pk: the distinct places their recent episodes ended}, in one query."""
    places: dict[int, list[str]] = {child.pk: [] for child in children}
    rows = (
        Episode.objects.filter(recent_missing_filter(today), child__in=list(places))
        .exclude(found_location="")
        .order_by("-started_at")
        .values_list("child_id", "found_location")
    )
    seen: set[tuple[int, str]] = set()
    for child_pk, place in rows:
        key = (child_pk, folded(place))
        if key not in seen:
            seen.add(key)
            places[child_pk].append(place)
    return places


def folded(place: str) -> str:
    """A found location compared as the database compares it: case and spaces ignored."""
    return place.strip().lower().replace(" ", "")


def place_key() -> Replace:
    """found_location, lower case, with its spaces removed: "Bus Station", "bus  station"
    and "BUS STATION" are one place."""
    return Replace(Lower(Trim("found_location")), Value(" "), Value(""))


def _places(children: Q, today: dt.date) -> list[Place]:
    rows = (
        Episode.objects.filter(
            of_children(children),
            category__in=["MISSING", "ABSENT"],
            started_on__gte=frequently_missing_since(today),
            started_on__lte=today,
        )
        .exclude(found_location="")
        .annotate(place=place_key())
        .values("place")
        .annotate(
            name=Max("found_location"),
            episodes=Count("*"),
            children=Count("child", distinct=True),
        )
        .order_by("-episodes", "place")[:PLACES]
    )
    return places(rows)


def build(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the dashboard shows the user, and the children it names (for the audit)."""
    now = now or timezone.now()
    now_epoch = epoch_seconds(now)
    today = local_date(now)
    children = visible_to(user)

    missing_now = _counted_with_page(_missing_now(children, now_epoch), MISSING_NOW_ROWS)
    outstanding = _interviews_outstanding(children)
    # Due = found + 72 hours: filtered and ordered on the found instant, which is indexed.
    found_due_now = now_epoch - RHI_DUE_SECONDS
    due_soon = _counted_with_page(
        outstanding.filter(
            ended_epoch__gte=found_due_now, ended_epoch__lt=found_due_now + DAY
        ).order_by("ended_epoch", "pk"),
        INTERVIEW_ROWS,
    )
    overdue_found = Q(ended_epoch__lt=found_due_now)
    if (since := found_since_epoch(now)) is not None:
        overdue_found &= Q(ended_epoch__gte=since)
    overdue = _capped(
        outstanding.filter(overdue_found).order_by("ended_epoch", "pk"), INTERVIEW_ROWS
    )
    meetings = _capped(_meetings_required(children), MEETING_ROWS)
    ola_awaited = _capped(responses_awaited(children, now), OLA_ROWS)
    hotspots = _hotspot_children(children, today)

    shown = {episode.child_id for episode in missing_now.rows}
    shown |= {episode.child_id for episode in [*due_soon.rows, *overdue.rows]}
    shown |= {task.child_id for task in meetings.rows}
    shown |= {episode.child_id for episode in ola_awaited.rows}
    shown |= {child.pk for child in hotspots}
    lists = Lists(
        missing_now=missing_now.shown_as(missing_now_rows),
        due_soon=due_soon.shown_as(lambda rows: interview_rows(rows, now_epoch)),
        overdue=overdue.shown_as(lambda rows: interview_rows(rows, now_epoch)),
        meetings=meetings.shown_as(lambda rows: meeting_rows(rows, today)),
        ola_awaited=ola_awaited.shown_as(ola_rows),
        hotspots=hotspot_rows(hotspots, _found_at(hotspots, today)),
        places=_places(children, today),
    )
    summary = lists.sections()
    return {
        **lists.by_name(),
        "now": now,
        "today": today,
        "window_days": settings.HARBOUR_INTERVIEW_WINDOW_DAYS,
        "may_manage_meetings": allowed(user, "meetings.manage_meetings"),
        "may_notify": allowed(user, "ola.manage_notifications"),
        "since": frequently_missing_since(today),
        "days": FREQUENTLY_MISSING_DAYS,
        "children_shown": sorted(shown),
        "summary": summary,
        "sections": {section.id: section for section in summary},
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    context = build(request.user)
    auditor.record(
        request.user,
        "casework.dashboard_viewed",
        children=context["children_shown"],
        details={
            "missing_now": context["missing_now"].total,
            "interviews_due": context["due_soon"].total,
            "interviews_overdue": context["overdue"].total,
            "meetings_required": context["meetings"].total,
            "ola_responses_awaited": context["ola_awaited"].total,
            "hotspots": len(context["hotspots"]),
        },
    )
    return render(request, "dashboard.html", context)
