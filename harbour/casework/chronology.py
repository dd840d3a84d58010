"""A child's chronology: everything that happened to them, across every app, newest first.

    chronology(child)                                   every kind, all time
    chronology(child, kinds={"episodes"}, first=d1, last=d2)

Each kind of entry is one small function here, registered in KINDS: it runs ONE query for
the child (filtered to the period in SQL) and turns the rows into Entry values. To add a
kind, write `_things(child, first, last, links)` and add a row to KINDS; the page's filter
picks it up from there.

Each entry links to the page of the record it comes from (`Entry.link`), when the viewer
may open that page: `links_for(user, child)` decides that once per request, from the
viewer's roles, and the address is made from ids the kind's query has already read (no
query per entry). Without `links` (the printed chronology, other callers) nothing links.

The period is of Europe/London calendar dates, both ends inclusive. An entry with an
instant is in the period when the instant's local date is; an entry with only a date
(a meeting, a referral) when that date is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard

from django.db.models import Q

from harbour.accounts.models import Role
from harbour.accounts.permissions import allocated_to, allowed, roles_of
from harbour.authorities.models import OlaNotification
from harbour.children.models import Child
from harbour.common.display import date_text, staff_name, when_text
from harbour.common.durations import seconds_in_words
from harbour.common.time import LONDON, epoch_seconds, local_date
from harbour.exploitation.models import (
    ConcernPeriod,
    Panel,
    PanelListing,
    Referral,
    RiskAssessment,
    ScreeningTask,
)
from harbour.interviews.models import Allocation, Outcome, ReturnInterview
from harbour.jinja2 import url
from harbour.meetings.models import Meeting, MeetingKind, MeetingTask
from harbour.meetings.thresholds import trigger_words
from harbour.missing.models import Episode, NotificationReference


@dataclass(frozen=True)
class Entry:
    """One thing that happened: `when` is an instant (aware datetime) or a date."""

    when: dt.datetime | dt.date
    kind: str
    title: str
    detail: str = ""
    link: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)

    @property
    def day(self) -> dt.date:
        """The Europe/London date of the entry."""
        return local_date(self.when) if isinstance(self.when, dt.datetime) else self.when

    @property
    def local_when(self) -> dt.datetime | dt.date:
        """For display: an instant in Europe/London, or the date."""
        return self.when.astimezone(LONDON) if isinstance(self.when, dt.datetime) else self.when

    @property
    def date_text(self) -> str:
        """ "1 May 2019", or "1 May 2019 at 7pm" for an instant (harbour.common.display)."""
        return when_text(self.when) if isinstance(self.when, dt.datetime) else date_text(self.day)

    @property
    def iso(self) -> str:
        return self.local_when.isoformat()

    def sort_key(self) -> tuple[dt.date, int, float]:
        # Newest first once reversed; on one day, timed entries come before dated ones.
        timestamp = self.when.timestamp() if isinstance(self.when, dt.datetime) else 0.0
        return (self.day, 1 if self.has_time else 0, timestamp)


# The pages the chronology links to, and the permission each asks of the viewer's role.
# Each also refuses a child the viewer may not see, which the child page has checked.
PAGE_PERMISSIONS = {
    "episode_detail": "missing.manage_episodes",
    "interviews_record": "interviews.record_interview",
    "interviews_allocate": "interviews.allocate",
    "meetings_meeting": "meetings.manage_meetings",
    "meetings_task": "meetings.manage_meetings",
    "ola_log": "ola.manage_notifications",
    "assessment_detail": "exploitation.screen",
    "period_detail": "exploitation.assess",
}
# Pages whose permission is decided on the child itself (a social worker's own child for a
# strategy discussion; a restricted record's access list): asked once, with the child.
CHILD_PAGE_PERMISSIONS = {
    "referral_detail": "exploitation.record_referral",
    "strategy_detail": "exploitation.manage_strategy",
}
# A panel listing's page (exploitation.views.panels.panel_listing) opens for those who run
# its panel (exploitation.manage_panels on the panel's code) and for the child's allocated
# social worker, with exploitation.view_panels.
LISTING_PAGE = "panel_listing"


@dataclass(frozen=True)
class Links:
    """The pages a viewer may open from a child's chronology (the default: none).

    pages               URL names from PAGE_PERMISSIONS (and CHILD_PAGE_PERMISSIONS, on
                        this child) the viewer's roles reach
    interview_episodes  the episodes (pks) whose return interview page they may open,
                        or None for every episode of the child
    listing_panels      the panels (codes) whose listings of this child they may open
    """

    pages: frozenset[str] = frozenset()
    interview_episodes: frozenset[int] | None = None
    listing_panels: frozenset[str] = frozenset()

    def to(self, viewname: str, pk: int) -> str:
        """The address of the page `viewname` of record `pk`, or "" if the viewer may not
        open it. `url` keeps addresses made before: no query, little work per entry."""
        if viewname not in self.pages:
            return ""
        episodes = self.interview_episodes
        if viewname == "interviews_record" and episodes is not None and pk not in episodes:
            return ""
        return url(viewname, pk)

    def to_listing(self, pk: int, panel: str) -> str:
        """The address of panel listing `pk` (of panel `panel`), or "" if the viewer may
        not open it."""
        return url(LISTING_PAGE, pk) if panel in self.listing_panels else ""


NO_LINKS = Links()


def links_for(user: Any, child: Child) -> Links:
    """The chronology's links for a viewer who may open the child's page. At most one
    query: a return interview worker records only the interviews of the episodes
    allocated to them or their organisation (the interviews.record_interview rule), so
    their episodes of this child are read once, not one episode at a time."""
    pages = frozenset(
        name for name, permission in PAGE_PERMISSIONS.items() if allowed(user, permission)
    ) | frozenset(
        name
        for name, permission in CHILD_PAGE_PERMISSIONS.items()
        if allowed(user, permission, child)
    )
    listing_panels: frozenset[str] = frozenset()
    if allowed(user, "exploitation.view_panels"):
        own = child.allocated_social_worker_id == user.pk
        listing_panels = frozenset(
            code
            for code in Panel.values
            if own or allowed(user, "exploitation.manage_panels", code)
        )
    interview_episodes = None
    if "interviews_record" in pages and Role.COORDINATOR not in roles_of(user):
        interview_episodes = frozenset(
            Episode.objects.filter(child=child)
            .filter(allocated_to(user, "allocation__"))
            .values_list("pk", flat=True)
        )
    return Links(pages, interview_episodes, listing_panels)


def _instant_bounds(first: dt.date | None, last: dt.date | None) -> tuple[Any, Any]:
    """[start, end) instants covering the local dates first..last."""
    start = dt.datetime.combine(first, dt.time(), tzinfo=LONDON) if first else None
    end = (
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=LONDON) if last else None
    )
    return start, end


def _instant_in(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    start, end = _instant_bounds(first, last)
    q = Q(**{f"{field}__isnull": False})
    if start:
        q &= Q(**{f"{field}__gte": start})
    if end:
        q &= Q(**{f"{field}__lt": end})
    return q


def _date_in(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    q = Q(**{f"{field}__isnull": False})
    if first:
        q &= Q(**{f"{field}__gte": first})
    if last:
        q &= Q(**{f"{field}__lte": last})
    return q


# One function per kind: (child, first, last, links) -> entries. One query each.


def _episodes(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    rows = Episode.objects.filter(child=child).filter(
        _instant_in("started_at", first, last) | _instant_in("ended_at", first, last)
    )
    start, end = _instant_bounds(first, last)

    def within(instant: dt.datetime) -> bool:
        return (start is None or instant >= start) and (end is None or instant < end)

    for episode in rows:
        link = links.to("episode_detail", episode.pk)
        category = episode.get_category_display().lower()
        if within(episode.started_at):
            detail = f"Police reference {episode.episode_id}"
            if episode.risk_level:
                detail += f". Risk: {episode.get_risk_level_display().lower()}"
            title = "Went missing" if episode.category == "MISSING" else "Absent"
            yield Entry(_as_recorded(episode, episode.started_at), "episodes", title, detail, link)
        if episode.ended_at is not None and within(episode.ended_at):
            if episode.date_only:
                days = (local_date(episode.ended_at) - episode.started_on).days
                detail = f"Dates only, {days} day{'' if days == 1 else 's'} after going {category}"
            else:
                lasted = epoch_seconds(episode.ended_at) - episode.started_epoch
                detail = f"After {seconds_in_words(lasted)} {category}"
            if episode.found_location:
                detail += f". Found at {episode.found_location}"
            yield Entry(
                _as_recorded(episode, episode.ended_at),
                "episodes",
                "Found or returned",
                detail,
                link,
            )


def _as_recorded(episode: Episode, instant: dt.datetime) -> dt.datetime | dt.date:
    """A date-only episode (from a return) is on its dates: its midnights are not times."""
    return local_date(instant) if episode.date_only else instant


def _interviews(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    no_offer = (Outcome.NOT_REQUIRED, Outcome.NOT_OFFERED)
    rows = (
        ReturnInterview.objects.filter(episode__child=child)
        .filter(
            _instant_in("offered_at", first, last)
            | _instant_in("completed_at", first, last)
            | (Q(outcome__in=no_offer) & _instant_in("episode__ended_at", first, last))
        )
        .select_related("episode")
    )
    start, end = _instant_bounds(first, last)

    def within(instant: dt.datetime | None) -> TypeGuard[dt.datetime]:
        return (
            instant is not None
            and (start is None or instant >= start)
            and (end is None or instant < end)
        )

    for rhi in rows:
        episode = rhi.episode.episode_id
        outcome = rhi.get_outcome_display()
        link = links.to("interviews_record", rhi.episode_id)
        if rhi.outcome in no_offer and within(rhi.episode.ended_at):
            yield Entry(
                rhi.episode.ended_at,
                "interviews",
                f"Return interview {outcome.lower()}",
                f"For episode {episode}",
                link,
            )
        if within(rhi.offered_at):
            yield Entry(
                rhi.offered_at,
                "interviews",
                "Return interview offered",
                f"For episode {episode}. Outcome: {outcome.lower()}",
                link,
            )
        if within(rhi.completed_at):
            how = ", ".join(
                part for part in (rhi.get_method_display().lower(), rhi.provider) if part
            )
            yield Entry(
                rhi.completed_at,
                "interviews",
                "Return interview completed",
                f"For episode {episode}" + (f". {how[0].upper()}{how[1:]}" if how else ""),
                link,
            )


def _meetings(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    rows = Meeting.objects.filter(child=child).filter(
        _date_in("requested_on", first, last)
        | _date_in("held_on", first, last)
        | _instant_in("cancelled_at", first, last)
    )
    for meeting in rows:
        kind = meeting.get_kind_display()
        why = meeting.get_trigger_display() or meeting.get_concern_display()
        detail = f"{meeting.meeting_id}" + (f". {why}" if why else "")
        # A strategy discussion's own page, for whoever may work on it; otherwise the
        # meetings page, which shows it without the forms.
        strategy = meeting.kind == MeetingKind.STRATEGY
        link = (strategy and links.to("strategy_detail", meeting.pk)) or links.to(
            "meetings_meeting", meeting.pk
        )
        if (first is None or meeting.requested_on >= first) and (
            last is None or meeting.requested_on <= last
        ):
            yield Entry(meeting.requested_on, "meetings", f"{kind} requested", detail, link)
        if meeting.held_on and (
            (first is None or meeting.held_on >= first)
            and (last is None or meeting.held_on <= last)
        ):
            yield Entry(meeting.held_on, "meetings", f"{kind} held", detail, link)
        if meeting.cancelled_at and (
            (first is None or local_date(meeting.cancelled_at) >= first)
            and (last is None or local_date(meeting.cancelled_at) <= last)
        ):
            yield Entry(
                meeting.cancelled_at,
                "meetings",
                f"{kind} cancelled",
                f"{detail}. {meeting.cancel_reason}",
                link,
            )


def _meeting_tasks(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """A multi-agency meeting required (meetings.MeetingTask), when it was raised, with
    the trigger and the date the meeting is due by."""
    rows = MeetingTask.objects.filter(child=child).filter(_instant_in("raised_at", first, last))
    for task in rows:
        detail = f"{trigger_words(task.trigger)}. Meeting due by {date_text(task.due_on)}"
        if task.meeting_id is not None:
            detail += ". Meeting requested"
        elif task.closed_at is not None:
            # Why it closed: held, not needed, or withdrawn (with Harbour's or the
            # coordinator's reason), so a false alarm reads as one.
            detail += f". {task.get_closed_because_display() or 'Closed'}"
            if task.closed_reason:
                detail += f": {task.closed_reason}"
        yield Entry(
            task.raised_at,
            "meeting_tasks",
            "Multi-agency meeting required",
            detail,
            links.to("meetings_task", task.pk),
        )


def _referrals(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    for referral in Referral.objects.filter(child=child).filter(
        _date_in("received_on", first, last)
    ):
        detail = referral.get_concern_display()
        if referral.source:
            detail += f". From {referral.get_source_display().lower()}"
        yield Entry(
            referral.received_on,
            "referrals",
            "Exploitation referral received",
            detail,
            links.to("referral_detail", referral.pk),
        )


def _assessments(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    for assessment in RiskAssessment.objects.filter(child=child).filter(
        _date_in("completed_on", first, last)
    ):
        stage = assessment.get_stage_display() or "Risk assessment"
        yield Entry(
            assessment.completed_on,
            "assessments",
            f"{stage} completed",
            f"{assessment.get_kind_display()}. Level: {assessment.get_risk_display().lower()}",
            links.to("assessment_detail", assessment.pk),
        )


def _periods(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """The child's exploitation concern periods: opened (with what opened it) and closed
    (with why)."""
    rows = ConcernPeriod.objects.filter(child=child).filter(
        _date_in("opened_on", first, last) | _date_in("closed_on", first, last)
    )
    for period in rows:
        link = links.to("period_detail", period.pk)
        if (first is None or period.opened_on >= first) and (
            last is None or period.opened_on <= last
        ):
            yield Entry(
                period.opened_on,
                "periods",
                "Concern period opened (exploitation)",
                f"{period.get_pathway_display()}. Opened by "
                f"{period.get_opened_by_display().lower()}",
                link,
            )
        if period.closed_on and (
            (first is None or period.closed_on >= first)
            and (last is None or period.closed_on <= last)
        ):
            detail = f"{period.get_pathway_display()}. {period.get_close_reason_display()}"
            yield Entry(
                period.closed_on, "periods", "Concern period closed (exploitation)", detail, link
            )


def _screening_tasks(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """ "Screen this child" tasks raised, and how each closed."""
    rows = (
        ScreeningTask.objects.filter(child=child)
        .filter(_instant_in("raised_at", first, last))
        .select_related("episode")
    )
    for task in rows:
        detail = f"{task.get_reason_display()}. For episode {task.episode.episode_id}"
        if task.closed_at is not None:
            detail += f". {task.get_closed_because_display()}"
        yield Entry(task.raised_at, "screening_tasks", "Screening needed", detail)


def _panels(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    for listing in PanelListing.objects.filter(child=child).filter(
        _date_in("panel_date", first, last)
    ):
        parts = [listing.get_panel_display()]
        if listing.risk:
            parts.append(f"Risk: {listing.get_risk_display().lower()}")
        if listing.nrm_referral:
            parts.append("Referred to the National Referral Mechanism")
        yield Entry(
            listing.panel_date,
            "panels",
            "Listed at panel",
            ". ".join(parts),
            links.to_listing(listing.pk, listing.panel),
        )


def _police_notifications(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """Every police notification received: an episode's first, and each repeat notification
    merged into it (missing.NotificationReference)."""
    rows = (
        NotificationReference.objects.filter(episode__child=child)
        .filter(_instant_in("received_at", first, last))
        .select_related("episode")
    )
    for row in rows:
        episode = row.episode.episode_id
        # A notification has no page of its own: the episode's page lists its references.
        link = links.to("episode_detail", row.episode_id)
        if row.reference == episode:
            yield Entry(
                row.received_at,
                "police_notifications",
                "Police notification received",
                f"Police reference {row.reference}",
                link,
            )
        else:
            yield Entry(
                row.received_at,
                "police_notifications",
                "Repeat police notification merged",
                f"Police reference {row.reference}, merged into episode {episode}",
                link,
            )


def _allocations(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """Return interviews allocated to a worker or a provider (interviews.Allocation); an
    allocation made again shows once, when it was last made."""
    rows = (
        Allocation.objects.filter(episode__child=child)
        .filter(_instant_in("allocated_at", first, last))
        .select_related("episode", "worker")
    )
    for allocation in rows:
        to = []
        if allocation.worker is not None:
            to.append(staff_name(allocation.worker))
        if allocation.organisation:
            to.append(allocation.organisation)
        yield Entry(
            allocation.allocated_at,
            "allocations",
            "Return interview allocated",
            f"For episode {allocation.episode.episode_id}. To {', '.join(to)}",
            # The allocation page shows who holds the interview now.
            links.to("interviews_allocate", allocation.episode_id),
        )


OLA_TITLES = {
    "MISSING": "Placing authority told the child is missing",
    "FOUND": "Placing authority told the child has been found",
    "INTERVIEW_REQUESTED": "Placing authority asked to arrange the return interview",
    "CHASER": "Chaser sent to the placing authority",
    "RESPONSE": "Response from the placing authority",
    "ESCALATED": "No response from the placing authority: escalated",
}


def _ola_notifications(
    child: Child, first: dt.date | None, last: dt.date | None, links: Links
) -> Iterable[Entry]:
    """The log of notifications to the authority that placed the child here (OLA)."""
    rows = (
        OlaNotification.objects.filter(log__episode__child=child)
        .filter(_instant_in("occurred_at", first, last))
        .select_related("log__episode")
    )
    for entry in rows:
        parts = [
            f"For episode {entry.log.episode.episode_id}",
            f"Placing authority {entry.authority_code}",
            entry.get_method_display(),
        ]
        if entry.response:
            parts.append(entry.get_response_display())
        yield Entry(
            entry.occurred_at,
            "ola",
            OLA_TITLES[entry.kind],
            ". ".join(parts),
            # The log of the episode's notifications is the page of each of them.
            links.to("ola_log", entry.log.episode_id),
        )


Source = Callable[[Child, dt.date | None, dt.date | None, Links], Iterable[Entry]]

# kind: (label for the filter, function). Order is the order of the filter's checkboxes.
KINDS: dict[str, tuple[str, Source]] = {
    "episodes": ("Missing and absent episodes", _episodes),
    "police_notifications": ("Police notifications", _police_notifications),
    "allocations": ("Return interview allocations", _allocations),
    "interviews": ("Return interviews", _interviews),
    "ola": ("Notifications to the placing authority", _ola_notifications),
    "meeting_tasks": ("Meetings required", _meeting_tasks),
    "meetings": ("Meetings", _meetings),
    "referrals": ("Exploitation referrals", _referrals),
    "screening_tasks": ("Screening needed", _screening_tasks),
    "assessments": ("Screenings and risk assessments", _assessments),
    "periods": ("Concern periods (exploitation)", _periods),
    "panels": ("Panel listings", _panels),
}


def chronology(
    child: Child,
    *,
    kinds: Iterable[str] | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    links: Links = NO_LINKS,
) -> list[Entry]:
    """Everything recorded about the child (of the given kinds, between the local dates
    first and last inclusive), newest first, linking to the pages `links` allows. One
    query per kind asked for."""
    wanted = list(KINDS) if kinds is None else [kind for kind in KINDS if kind in set(kinds)]
    entries = [entry for kind in wanted for entry in KINDS[kind][1](child, first, last, links)]
    return sorted(entries, key=Entry.sort_key, reverse=True)
