"""What the casework pages show, worked out from rows the queries have already read.

Each presenter takes query results and returns the values a template prints (words,
instants, counts, tags), so the templates only lay them out and the wording is tested
without rendering a page. No presenter runs a query.

    dashboard       missing_now_rows, interview_rows, meeting_rows, ola_rows,
                    hotspot_rows, places, Lists (and its sections)
    child's page    statuses_today, legal_status_rows, social_worker_text, placement_text,
                    chronology_shown_text, entries_text
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from harbour.authorities.queries import status_tag as ola_status_tag
from harbour.children.models import Child, LegalStatus
from harbour.common.display import date_text, staff_name
from harbour.common.time import HOUR, instant_of
from harbour.meetings.thresholds import trigger_words

from .flags import Flags, child_flags

Row = TypeVar("Row")
Shown = TypeVar("Shown")


@dataclass(frozen=True)
class Listed(Generic[Row]):
    """The first rows of a list, and how many there are: `total`, or more than `total`
    when `more` (the list was counted only up to a limit)."""

    rows: list[Row]
    total: int
    more: bool = False

    @property
    def total_text(self) -> str:
        return f"more than {self.total:,}" if self.more else f"{self.total:,}"

    @property
    def cut_short(self) -> bool:
        """More rows than are shown: the page says "Showing the first N of M"."""
        return self.total > len(self.rows)

    def shown_as(self, present: Callable[[list[Row]], list[Shown]]) -> Listed[Shown]:
        return Listed(present(self.rows), self.total, self.more)


# The dashboard. Its rows are model instances annotated by the dashboard's queries
# (elapsed_hours, rhi_due_epoch, ola_status, ...), which the models' types do not know.


@dataclass(frozen=True)
class MissingNowRow:
    child: Child
    category: str
    last_seen: dt.datetime
    elapsed_hours: int
    risk: str


def missing_now_rows(episodes: Iterable[Any]) -> list[MissingNowRow]:
    """Open episodes annotated with `elapsed_hours`."""
    return [
        MissingNowRow(
            child=episode.child,
            category=episode.get_category_display(),
            last_seen=episode.started_at,
            elapsed_hours=episode.elapsed_hours,
            risk=episode.get_risk_level_display() if episode.risk_level else "Not graded",
        )
        for episode in episodes
    ]


@dataclass(frozen=True)
class InterviewRow:
    child: Child
    episode_id: str
    found_at: dt.datetime
    due_at: dt.datetime
    hours_overdue: int  # 0 until it is due
    hours_left: int  # 0 once it is due


def interview_rows(episodes: Iterable[Any], now_epoch: int) -> list[InterviewRow]:
    """Ended episodes annotated with `rhi_due_epoch`, as interviews due at `now_epoch`."""
    return [
        InterviewRow(
            child=episode.child,
            episode_id=episode.episode_id,
            found_at=episode.ended_at,
            due_at=instant_of(episode.rhi_due_epoch),
            hours_overdue=max(0, (now_epoch - episode.rhi_due_epoch) // HOUR),
            hours_left=max(0, (episode.rhi_due_epoch - now_epoch) // HOUR),
        )
        for episode in episodes
    ]


@dataclass(frozen=True)
class MeetingRow:
    task_pk: int
    child: Child
    trigger: str  # in words: "Third missing episode within 90 days"
    due_on: dt.date
    overdue: bool
    status: str


def meeting_rows(tasks: Iterable[Any], today: dt.date) -> list[MeetingRow]:
    """Open "meeting required" tasks, overdue when due before `today`."""
    return [
        MeetingRow(
            task_pk=task.pk,
            child=task.child,
            trigger=trigger_words(task.trigger),
            due_on=task.due_on,
            overdue=task.due_on < today,
            status="Meeting requested" if task.meeting_id else "Meeting not requested",
        )
        for task in tasks
    ]


def meetings_overdue_text(meetings: Listed[MeetingRow]) -> str:
    """The meetings' tag, "3 overdue", from the rows already read. They are earliest due
    first, so the overdue ones come first; when every row shown is overdue and more were
    cut off, at least that many are (counting them exactly would be one more query)."""
    overdue = sum(1 for row in meetings.rows if row.overdue)
    if not overdue:
        return ""
    if overdue == len(meetings.rows) and meetings.total > overdue:
        return f"At least {overdue:,} overdue"
    return f"{overdue:,} overdue"


@dataclass(frozen=True)
class OlaRow:
    episode_pk: int
    child: Child
    episode_id: str
    authority: str
    requested_at: dt.datetime
    status_tag: dict[str, str]  # govukTag's parameters: words, and their colour


def ola_rows(episodes: Iterable[Any]) -> list[OlaRow]:
    """Episodes from authorities.queries.responses_awaited (with their OLA log, status
    and the placing authority's name)."""
    return [
        OlaRow(
            episode_pk=episode.pk,
            child=episode.child,
            episode_id=episode.episode_id,
            authority=episode.authority_name or episode.placing_authority or "Not recorded",
            requested_at=instant_of(episode.ola_log.request_epoch),
            status_tag=ola_status_tag(episode.ola_status),
        )
        for episode in episodes
    ]


@dataclass(frozen=True)
class HotspotRow:
    child: Child
    flags: Flags
    found_at: list[str]  # distinct places, most recent first

    @property
    def recent_missing(self) -> int:
        return self.flags.recent_missing

    @property
    def found_at_text(self) -> str:
        return "; ".join(self.found_at) if self.found_at else "Not recorded"

    @property
    def exploitation_text(self) -> str:
        """ "Referral, panel listing": why there is an exploitation concern."""
        return ", ".join(self.flags.exploitation_reasons).capitalize()


def hotspot_rows(children: Iterable[Any], found_at: Mapping[int, list[str]]) -> list[HotspotRow]:
    """Children fetched with flags.flag_annotations, and {child pk: places found}."""
    return [HotspotRow(child, child_flags(child), found_at.get(child.pk, [])) for child in children]


@dataclass(frozen=True)
class Place:
    name: str
    episodes: int
    children: int


def places(rows: Iterable[Mapping[str, Any]]) -> list[Place]:
    """Rows of {"name", "episodes", "children"}, one per place."""
    return [Place(row["name"], row["episodes"], row["children"]) for row in rows]


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


@dataclass(frozen=True)
class Lists:
    """The dashboard's lists, each of the rows it shows."""

    missing_now: Listed[MissingNowRow]
    due_soon: Listed[InterviewRow]
    overdue: Listed[InterviewRow]
    meetings: Listed[MeetingRow]
    ola_awaited: Listed[OlaRow]
    hotspots: list[HotspotRow]
    places: list[Place]

    def by_name(self) -> dict[str, Any]:
        """The lists by their names, for the template."""
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def sections(self) -> list[Section]:
        """The page's sections in order, from the lists already read."""
        return [
            Section(
                "missing-now-section",
                "Children missing now",
                self.missing_now.total_text,
                "Needs action" if self.missing_now.total else "",
            ),
            Section(
                "interviews-due-section",
                "Return interviews due in the next 24 hours",
                self.due_soon.total_text,
            ),
            Section(
                "interviews-overdue-section",
                "Return interviews overdue",
                self.overdue.total_text,
                "Overdue" if self.overdue.total else "",
            ),
            Section(
                "meetings-required-section",
                "Meetings required",
                self.meetings.total_text,
                meetings_overdue_text(self.meetings),
            ),
            Section(
                "ola-responses-section",
                "Responses awaited from other authorities",
                self.ola_awaited.total_text,
            ),
            Section("hotspots-section", "Children most often missing", f"{len(self.hotspots):,}"),
            Section(
                "places-section",
                "Places children are most often found",
                f"{len(self.places):,}",
            ),
        ]


# The child's page.


@dataclass(frozen=True)
class StatusToday:
    code: str  # LAC, CP, CIN
    label: str
    since: dt.date
    authority: str  # for a looked-after child: "this authority (343)", "another authority (316)"
    placement: str


def statuses_today(statuses: Iterable[LegalStatus], own_authority: str | None) -> list[StatusToday]:
    """Legal statuses in force, as the identity bar shows them, with the responsible
    authority of a looked-after child said from this authority's point of view."""
    shown = []
    for status in statuses:
        authority = ""
        if status.status == "LAC":
            if status.responsible_la in ("", own_authority):
                authority = "this authority" + (f" ({own_authority})" if own_authority else "")
            else:
                authority = f"another authority ({status.responsible_la})"
        shown.append(
            StatusToday(
                code=status.status,
                label=status.get_status_display(),
                since=status.start_date,
                authority=authority,
                placement=status.get_placement_display() if status.placement else "",
            )
        )
    return shown


@dataclass(frozen=True)
class LegalStatusRow:
    pk: int
    label: str
    from_text: str
    to_text: str  # "In force" while it has no end
    authority: str  # for a looked-after child: the responsible authority's code
    placement: str


def legal_status_rows(statuses: Iterable[LegalStatus]) -> list[LegalStatusRow]:
    """Every legal status recorded, for those who keep them, as the table lists them."""
    return [
        LegalStatusRow(
            pk=status.pk,
            label=status.get_status_display(),
            from_text=date_text(status.start_date),
            to_text=date_text(status.end_date) if status.end_date else "In force",
            authority=(status.responsible_la or "This authority") if status.status == "LAC" else "",
            placement=status.get_placement_display() if status.placement else "",
        )
        for status in statuses
    ]


def social_worker_text(child: Child) -> str:
    """The child's allocated social worker, or "Not allocated"."""
    worker = child.allocated_social_worker
    return staff_name(worker) if worker is not None else "Not allocated"


def chronology_shown_text(
    kinds: list[str], labels: Mapping[str, str], first: dt.date | None, last: dt.date | None
) -> str:
    """What a chronology holds, as the printed one says: "everything", or the kinds asked
    for, then the period: "meetings, panel listings from 1 May 2024 to 30 June 2024"."""
    if set(kinds) >= set(labels):
        shown = "everything"
    else:
        shown = ", ".join(labels[kind].lower() for kind in kinds)
    if first:
        shown += f" from {date_text(first)}"
    if last:
        shown += f" to {date_text(last)}"
    return shown


def entries_text(count: int) -> str:
    """ "1 entry", "12 entries"."""
    return f"{count:,} entry" if count == 1 else f"{count:,} entries"


def placement_text(child: Child) -> str:
    """ "12 Harbour Row, L20 1AA", either part alone, or "Not recorded"."""
    parts = [part for part in (child.placement_address, child.placement_postcode) if part]
    return ", ".join(parts) if parts else "Not recorded"
