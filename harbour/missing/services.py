"""Writes to missing records. Every change goes through these functions.

The casework functions (record_notification, mark_found, amend_episode) are validated,
atomic and audited with one event each, naming the child; the old and new values are
sealed with the child's key. Changes to an existing episode carry the `version` the
person's form was loaded with: a stale one raises Conflict and nothing is saved.

Each of them then calls what is registered with `after_episodes_change` (the meetings app's
trigger evaluation) in the same
transaction, so that the third episode in 90 days, or a found time more than 72 hours after
last seen, raises the meeting task as it is recorded. An episode still open past 72 hours
crosses that line with no save at all: `raise_meeting_tasks` (cron) catches those.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.audit.services import Actor
from harbour.children.models import Child
from harbour.common.services import delete_record, locked, save_record
from harbour.common.time import epoch_seconds

from .models import Episode, NotificationReference

AMENDABLE = (
    "category",
    "started_at",
    "reported_at",
    "notified_at",
    "ended_at",
    "risk_level",
    "found_location",
)


# A child created from a notification without the case-management system's person id is
# given a Harbour id in its place, recognisable by this prefix, until the person id is known.
HARBOUR_ID_PREFIX = "HARBOUR-"
# Letters and digits that cannot be mistaken for one another when read out or copied.
HARBOUR_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def harbour_child_id() -> str:
    """A new Harbour id, e.g. HARBOUR-7KQ2M9XD: random, so that two coordinators creating
    children at once cannot be given the same one (the unique person id is the backstop)."""
    return HARBOUR_ID_PREFIX + "".join(secrets.choice(HARBOUR_ID_ALPHABET) for _ in range(8))


@dataclass
class NotificationResult:
    episode: Episode
    # True when the notification was added to the child's episode that was already open.
    merged: bool
    # Other episodes of the same child whose time missing overlaps this one's.
    overlapping: list[Episode] = field(default_factory=list)
    # True when this police reference had already been recorded (nothing was changed).
    repeated: bool = False
    # Meeting tasks raised or joined because of this notification.
    meeting_tasks: list[Any] = field(default_factory=list)


def save_episode(actor: Actor, episode: Episode) -> Episode:
    """Create or change a episode: validated, atomic, audited."""
    return save_record(actor, episode)


def delete_episode(actor: Actor, episode: Episode) -> None:
    """Delete an episode (the admin). A meeting task it alone raised is withdrawn."""
    with transaction.atomic():
        child = episode.child
        delete_record(actor, episode)
        _evaluate_triggers(actor, child)


# Reads the services need (and the pages use).


def with_overlap(episodes: QuerySet) -> QuerySet:
    """Annotate `overlaps` (bool): the episode overlaps another episode of its child."""
    now = epoch_seconds(timezone.now())
    others = Episode.objects.filter(child=OuterRef("child")).exclude(pk=OuterRef("pk"))
    others = others.filter(
        Q(ended_epoch__isnull=True) | Q(ended_epoch__gt=OuterRef("started_epoch"))
    )
    # The outer episode ends when found, or now while open.
    ended = others.filter(started_epoch__lt=OuterRef("ended_epoch"))
    still_open = others.filter(started_epoch__lt=now)
    return episodes.annotate(
        overlaps=Exists(ended) | (Q(ended_epoch__isnull=True) & Exists(still_open))
    )


def overlapping_episodes(episode: Episode) -> list[Episode]:
    """The child's other episodes whose [last seen, found or now] overlaps this one's."""
    end = episode.ended_epoch if episode.ended_epoch is not None else epoch_seconds(timezone.now())
    return list(
        Episode.objects.filter(child_id=episode.child_id)
        .exclude(pk=episode.pk)
        .filter(Q(ended_epoch__isnull=True) | Q(ended_epoch__gt=episode.started_epoch))
        .filter(started_epoch__lt=end)
        .order_by("started_at")
    )


def episode_for_reference(reference: str) -> Episode | None:
    """The episode a police reference was received for, if any."""
    return (
        Episode.objects.filter(
            Q(episode_id=reference)
            | Q(pk__in=NotificationReference.objects.filter(reference=reference).values("episode"))
        )
        .select_related("child")
        .first()
    )


# Writes.


# What must follow any change to a child's episodes, in the same transaction. The meetings
# app registers its trigger evaluation here when it loads (harbour/meetings/apps.py), so that
# missing, below meetings, never imports it.
EpisodesChanged = Callable[[Actor, Child], list[Any]]
_after_episodes_change: list[EpisodesChanged] = []


def after_episodes_change(hook: EpisodesChanged) -> EpisodesChanged:
    """Call `hook(actor, child)` after each change to a child's episodes; what it returns
    (the meeting tasks raised or joined) is added to the result."""
    if hook not in _after_episodes_change:
        _after_episodes_change.append(hook)
    return hook


# What must follow an amendment of one episode, given its values before (the audit trail's
# field_values), in the same transaction: the exploitation app moves or withdraws the
# episode's found-at link (harbour/exploitation/apps.py). missing calls back, as above.
EpisodeAmended = Callable[[Actor, Episode, Mapping[str, Any]], None]
_after_episode_amended: list[EpisodeAmended] = []


def after_episode_amended(hook: EpisodeAmended) -> EpisodeAmended:
    """Call `hook(actor, episode, before)` after each amendment of an episode."""
    if hook not in _after_episode_amended:
        _after_episode_amended.append(hook)
    return hook


def _evaluate_triggers(actor: Actor, child: Child) -> list[Any]:
    return [result for hook in _after_episodes_change for result in hook(actor, child)]


def _locked(episode: Episode, version: int) -> Episode:
    return locked(episode, version, what="episode", related=("child",))


def record_notification(
    actor: Actor,
    *,
    child: Child,
    police_reference: str,
    category: str,
    started_at: dt.datetime,
    reported_at: dt.datetime | None = None,
    notified_at: dt.datetime | None = None,
    risk_level: str = "",
    ended_at: dt.datetime | None = None,
    found_location: str = "",
) -> NotificationResult:
    """Record a police notification for a child (already matched or just created).

    With `ended_at` (a notification that arrived after the child was found), the episode
    is then closed through `mark_found`, in the same transaction, so that its audit event,
    return interview clock and meeting triggers are those of any found episode; the
    triggers are evaluated once, on the closed episode, so that an episode found within
    72 hours of last seen is never judged as still open.

    - The reference is already known: the same episode is returned, unchanged
      (re-recording is idempotent); a reference known for another child is refused.
    - The child has an open episode: the notification is merged into it (its reference
      added, the earliest last-seen time kept, a risk grade filled in or updated).
    - Otherwise a new episode is created with this reference as its episode id.
    The result lists the child's other episodes that overlap the episode.
    """
    reference = (police_reference or "").strip()
    if not reference:
        raise ValidationError({"police_reference": "Enter the police reference."})
    with transaction.atomic():
        known = episode_for_reference(reference)
        if known is not None:
            if known.child_id != child.pk:
                raise ValidationError(
                    {
                        "police_reference": f"Police reference {reference} is already recorded "
                        "for a different child. Check the reference."
                    }
                )
            return NotificationResult(
                episode=known,
                merged=False,
                overlapping=overlapping_episodes(known),
                repeated=True,
            )
        received = notified_at or timezone.now()
        open_episode = (
            Episode.objects.select_for_update()
            .filter(child=child, ended_at__isnull=True)
            .order_by("started_at")
            .first()
        )
        if not joins_open_episode(open_episode, ended_at):
            # A late notification whose child was found before the open episode began is
            # an earlier episode of its own: merging would close the child's current one.
            open_episode = None
        if open_episode is not None:
            episode = open_episode
            if started_at < episode.started_at:
                episode.started_at = started_at
            if reported_at and (episode.reported_at is None or reported_at < episode.reported_at):
                episode.reported_at = reported_at
            if notified_at and episode.notified_at is None:
                episode.notified_at = notified_at
            if risk_level:
                episode.risk_level = risk_level
            action, merged = "missing.notification_merged", True
        else:
            episode = Episode(
                episode_id=reference,
                child=child,
                category=category,
                started_at=started_at,
                reported_at=reported_at,
                notified_at=notified_at,
                risk_level=risk_level or "",
            )
            action, merged = "missing.notification_recorded", False
        save_record(
            actor,
            episode,
            action=action,
            sealed={"reference": reference},
            parts=[
                NotificationReference(episode=episode, reference=reference, received_at=received)
            ],
        )
        if ended_at is not None:
            episode = mark_found(
                actor,
                episode,
                ended_at=ended_at,
                found_location=found_location,
                version=episode.version,
            )
            tasks: list[Any] = []
        else:
            tasks = _evaluate_triggers(actor, child)
        return NotificationResult(
            episode=episode,
            merged=merged,
            overlapping=overlapping_episodes(episode),
            meeting_tasks=tasks,
        )


def joins_open_episode(open_episode: Episode | None, ended_at: dt.datetime | None) -> bool:
    """Whether a notification (found at `ended_at`, if it was) is merged into the child's
    open episode: always, unless the child was found before that episode began."""
    if open_episode is None:
        return False
    return ended_at is None or ended_at >= open_episode.started_at


def mark_found(
    actor: Actor,
    episode: Episode,
    *,
    ended_at: dt.datetime,
    found_location: str = "",
    version: int,
) -> Episode:
    """The child was found or returned at `ended_at`: closes the episode and starts the
    return interview clock (due 72 hours later)."""
    with transaction.atomic():
        current = _locked(episode, version)
        if current.ended_at is not None:
            raise ValidationError(
                {
                    "ended_at": "This episode is already closed. Amend it to change when the "
                    "child was found."
                }
            )
        if ended_at < current.started_at:
            raise ValidationError(
                {"ended_at": "The time found must be after the time the child was last seen."}
            )
        current.ended_at = ended_at
        current.found_location = (found_location or "").strip()
        save_record(actor, current, action="missing.episode_found")
        _evaluate_triggers(actor, current.child)
    return current


def amend_episode(
    actor: Actor,
    episode: Episode,
    *,
    changes: Mapping[str, Any],
    reason: str,
    version: int,
) -> Episode:
    """Change an episode's details (AMENDABLE fields) for a stated reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the change."})
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown:
        raise ValueError(f"These fields cannot be amended: {', '.join(unknown)}")
    with transaction.atomic():
        current = _locked(episode, version)
        before = auditor.field_values(current)
        for name, value in changes.items():
            setattr(
                current,
                name,
                "" if value is None and name in ("risk_level", "found_location") else value,
            )
        if auditor.changes(before, auditor.field_values(current)) == {}:
            raise ValidationError("Nothing has changed: change at least one detail, or cancel.")
        save_record(
            actor,
            current,
            action="missing.episode_amended",
            sealed={"reason": reason},
            details={"reason_given": True},
        )
        for hook in _after_episode_amended:
            hook(actor, current, before)
        _evaluate_triggers(actor, current.child)
    return current
