"""The coordinator's dashboard, shown on the home page to users with casework.view_dashboard.

Every list is scoped to `visible_children(user)`, computed in SQL (elapsed times from the
stored epoch seconds, counts and flags as aggregates and EXISTS), and capped, so the page
runs the same few queries however many records there are. One audit event lists every
child the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
from harbour.authorities.queries import status_tag as ola_status_tag
from harbour.casework.flags import (
    FREQUENTLY_MISSING_DAYS,
    child_flags,
    flag_annotations,
    frequently_missing_since,
    recent_missing_filter,
)
from harbour.children.models import Child
from harbour.common.paging import count_up_to
from harbour.common.time import DAY, HOUR, epoch_seconds, local_date
from harbour.interviews.models import Outcome, ReturnInterview
from harbour.interviews.queries import found_since_epoch
from harbour.meetings.models import MeetingTask
from harbour.meetings.triggers import trigger_words
from harbour.missing.models import Episode
from harbour.missing.queries import RHI_DUE_SECONDS, placed_by_another_authority, rhi_due_epoch

HOTSPOT_CHILDREN = 20
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


@dataclass
class Listed:
    rows: list[Any]
    total: int
    more: bool = False  # more than `total`, which is then COUNT_LIMIT

    @property
    def total_text(self) -> str:
        return f"more than {self.total:,}" if self.more else f"{self.total:,}"


# Lists are counted up to this many rows: the interviews overdue over years of records
# run to hundreds of thousands, and counting them all takes seconds (docs/performance.md).
COUNT_LIMIT = 1000


def _capped(queryset: QuerySet, limit: int) -> Listed:
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return Listed(rows, len(rows))
    total = count_up_to(queryset, COUNT_LIMIT + 1)
    return Listed(rows[:limit], min(total, COUNT_LIMIT), total > COUNT_LIMIT)


@dataclass(frozen=True)
class Section:
    """One folding section of the page (a GOV.UK details) and its line in the summary at
    the top, which links to it by `id`."""

    id: str
    title: str
    count_text: str
    # Words of the red tag on a section with rows to act on today ("Overdue"), which is
    # then open when the page loads; the others are folded. Words, not colour alone.
    attention: str = ""

    @property
    def open(self) -> bool:
        return bool(self.attention)


def _meetings_overdue_text(meetings: Listed) -> str:
    """The meetings' tag, "3 overdue", from the rows already read. They are earliest due
    first, so the overdue ones come first; when every row shown is overdue and more were
    cut off, at least that many are (counting them exactly would be one more query)."""
    overdue = sum(1 for task in meetings.rows if task.overdue)
    if not overdue:
        return ""
    if overdue == len(meetings.rows) and meetings.total > overdue:
        return f"At least {overdue:,} overdue"
    return f"{overdue:,} overdue"


def _sections(context: dict[str, Any]) -> list[Section]:
    """The page's sections in order, from the lists already read: no query of its own."""
    missing_now = len(context["missing_now"])
    overdue = context["overdue"]
    return [
        Section(
            "missing-now-section",
            "Children missing now",
            f"{missing_now:,}",
            "Needs action" if missing_now else "",
        ),
        Section(
            "interviews-due-section",
            "Return interviews due in the next 24 hours",
            context["due_soon"].total_text,
        ),
        Section(
            "interviews-overdue-section",
            "Return interviews overdue",
            overdue.total_text,
            "Overdue" if overdue.total else "",
        ),
        Section(
            "meetings-required-section",
            "Meetings required",
            context["meetings"].total_text,
            _meetings_overdue_text(context["meetings"]),
        ),
        Section(
            "ola-responses-section",
            "Responses awaited from other authorities",
            context["ola_awaited"].total_text,
        ),
        Section(
            "hotspots-section",
            "Children most often missing",
            f"{len(context['hotspots']):,}",
        ),
        Section(
            "places-section",
            "Places children are most often found",
            f"{len(context['places']):,}",
        ),
    ]


def _hotspot_children(children: Q, today: dt.date) -> list[Any]:
    """The children with the most MISSING episodes in the last 90 days, with their flags.

    Found from the last 90 days' episodes (by the index on their start), not by counting
    every child's episodes."""
    order = ("family_name", "given_name", "pk")
    recent = (
        Episode.objects.filter(recent_missing_filter(today), of_children(children))
        .values("child")
        .annotate(recent=Count("pk"))
        .order_by("-recent", *(f"child__{field}" for field in order))
        .values("child")[:HOTSPOT_CHILDREN]
    )
    top: list[Any] = list(
        Child.objects.filter(pk__in=recent)
        .annotate(**flag_annotations(today))
        .order_by(F("recent_missing").desc(), *order)
    )
    for child in top:
        child.flags = child_flags(child)
    return top


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


def _places(children: Q, today: dt.date) -> list[dict[str, Any]]:
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
            episodes=Count("pk"),
            children=Count("child", distinct=True),
        )
        .order_by("-episodes", "place")[:PLACES]
    )
    return [dict(row) for row in rows]


def build(user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the dashboard shows the user, and the children it names (for the audit)."""
    now = now or timezone.now()
    now_epoch = epoch_seconds(now)
    today = local_date(now)
    children = visible_to(user)

    missing_now = list(_missing_now(children, now_epoch))
    outstanding = _interviews_outstanding(children)
    # Due = found + 72 hours: filtered and ordered on the found instant, which is indexed.
    found_due_now = now_epoch - RHI_DUE_SECONDS
    due_soon = _capped(
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
    for episode in [*due_soon.rows, *overdue.rows]:
        episode.due_at = dt.datetime.fromtimestamp(episode.rhi_due_epoch, tz=dt.UTC)
        episode.hours_overdue = max(0, (now_epoch - episode.rhi_due_epoch) // HOUR)
        episode.hours_left = max(0, (episode.rhi_due_epoch - now_epoch) // HOUR)
    meetings = _capped(_meetings_required(children), MEETING_ROWS)
    for task in meetings.rows:
        task.trigger_text = trigger_words(task.trigger)
        task.overdue = task.due_on < today
    # responses_awaited filters with of_children, which takes a Q as well as a queryset;
    # its annotation says only QuerySet (harbour/authorities/queries.py).
    ola_awaited = _capped(responses_awaited(children, now), OLA_ROWS)  # type: ignore[arg-type]
    for episode in ola_awaited.rows:
        episode.requested_at = dt.datetime.fromtimestamp(episode.ola_log.request_epoch, tz=dt.UTC)
        episode.status_tag = ola_status_tag(episode.ola_status)
    hotspots = _hotspot_children(children, today)
    found = _found_at(hotspots, today)
    for child in hotspots:
        child.found_at = found[child.pk]

    shown = {episode.child_id for episode in missing_now}
    shown |= {episode.child_id for episode in [*due_soon.rows, *overdue.rows]}
    shown |= {task.child_id for task in meetings.rows}
    shown |= {episode.child_id for episode in ola_awaited.rows}
    shown |= {child.pk for child in hotspots}
    context: dict[str, Any] = {
        "now": now,
        "today": today,
        "missing_now": missing_now,
        "due_soon": due_soon,
        "window_days": settings.HARBOUR_INTERVIEW_WINDOW_DAYS,
        "overdue": overdue,
        "meetings": meetings,
        "ola_awaited": ola_awaited,
        "may_manage_meetings": allowed(user, "meetings.manage_meetings"),
        "may_notify": allowed(user, "ola.manage_notifications"),
        "hotspots": hotspots,
        "places": _places(children, today),
        "since": frequently_missing_since(today),
        "days": FREQUENTLY_MISSING_DAYS,
        "children_shown": sorted(shown),
    }
    sections = _sections(context)
    context["sections"] = {section.id: section for section in sections}
    context["summary"] = sections
    return context


def dashboard(request: HttpRequest) -> HttpResponse:
    context = build(request.user)
    auditor.record(
        request.user,
        "casework.dashboard_viewed",
        children=context["children_shown"],
        details={
            "missing_now": len(context["missing_now"]),
            "interviews_due": context["due_soon"].total,
            "interviews_overdue": context["overdue"].total,
            "meetings_required": context["meetings"].total,
            "ola_responses_awaited": context["ola_awaited"].total,
            "hotspots": len(context["hotspots"]),
        },
    )
    return render(request, "dashboard.html", context)
