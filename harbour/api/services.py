"""What the API's calls do (views stay thin: harbour/api/endpoints.py).

Police notifications are matched as the police file upload matches its rows
(harbour/missing/matching.py, harbour/missing/upload/preview.py): only the same person id,
with no detail that disagrees (name, date of birth), is certain, and is recorded through
missing.services.record_notification. Anything else is held (HeldNotification) for a
coordinator, who matches it on the notification form's "choose the child" step: never
silently on the wrong child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from harbour.children.models import Child
from harbour.common.services import delete_record, locked, save_record
from harbour.interviews.queries import worklist
from harbour.missing import matching
from harbour.missing import services as missing
from harbour.missing.models import Episode, NotificationReference
from harbour.missing.queries import RHI_DUE_SECONDS

from .models import ApiToken, HeldNotification
from .tokens import actor_for


@dataclass(frozen=True)
class Outcome:
    reference: str
    status: str  # recorded | held
    open: bool
    # True when this call created it (201 or 202); False when it was already there (200).
    created: bool


def _of_episode(reference: str, episode: Episode, created: bool) -> Outcome:
    return Outcome(reference, "recorded", episode.ended_at is None, created)


def _of_held(held: HeldNotification, created: bool) -> Outcome:
    return Outcome(held.police_reference, "held", held.ended_at is None, created)


def confident_child(
    child_id: str, given_name: str, family_name: str, date_of_birth: dt.date | None
) -> Child | None:
    """The child a notification is certainly about, as the upload decides it: the same
    person id, and nothing given that disagrees with the register. None otherwise."""
    if not child_id:
        return None
    candidates = matching.find_candidates(
        child_id=child_id,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
    )
    if not candidates or candidates[0].score != matching.CERTAIN:
        return None
    child = candidates[0].child
    if matching.disagreements(child, child_id, given_name, family_name, date_of_birth):
        return None
    return child


def receive_notification(token: ApiToken, data: Any) -> Outcome:
    """Record a police notification, or hold it for a coordinator. Idempotent by police
    reference: a reference already received answers as it stands, changing nothing."""
    reference = data.police_reference
    actor = actor_for(token)
    with transaction.atomic():
        held = HeldNotification.objects.filter(police_reference=reference).first()
        if held is not None:
            return _of_held(held, created=False)
        known = missing.episode_for_reference(reference)
        if known is not None:
            return _of_episode(reference, known, created=False)
        child = confident_child(
            data.child_id, data.given_name, data.family_name, data.date_of_birth
        )
        if child is not None:
            result = missing.record_notification(
                actor,
                child=child,
                police_reference=reference,
                category=data.category,
                started_at=data.last_seen_at,
                reported_at=data.reported_at,
                notified_at=timezone.now(),
                risk_level=data.risk_level or "",
                ended_at=data.found_at,
                found_location=data.found_location,
            )
            return _of_episode(reference, result.episode, created=True)
        held = HeldNotification(
            police_reference=reference,
            token=token,
            received_at=timezone.now(),
            category=data.category,
            started_at=data.last_seen_at,
            reported_at=data.reported_at,
            risk_level=data.risk_level or "",
            given_name=data.given_name,
            family_name=data.family_name,
            date_of_birth=data.date_of_birth,
            child_id=data.child_id,
            ended_at=data.found_at,
            found_location=data.found_location,
        )
        if held.ended_at is not None and held.ended_at < held.started_at:
            raise ValidationError({"found_at": "must be after the child was last seen"})
        if held.reported_at is not None and held.reported_at < held.started_at:
            raise ValidationError({"reported_at": "must be after the child was last seen"})
        save_record(actor, held, action="api.notification_held")
        return _of_held(held, created=True)


class NotFound(Exception):
    pass


def notification_found(
    token: ApiToken, reference: str, found_at: dt.datetime, found_location: str
) -> Outcome:
    """The child of this notification was found or returned at `found_at`: its episode is
    closed (missing.services.mark_found), or, while it is held, the held notification
    keeps the time for the coordinator. Repeating it changes nothing."""
    actor = actor_for(token)
    with transaction.atomic():
        held = HeldNotification.objects.filter(police_reference=reference).first()
        if held is not None:
            if held.ended_at is not None:
                return _of_held(held, created=False)
            current = locked(held, held.version, what="notification")
            if found_at < current.started_at:
                raise ValidationError({"found_at": "must be after the child was last seen"})
            current.ended_at = found_at
            current.found_location = found_location
            save_record(actor, current, action="api.held_notification_found")
            return _of_held(current, created=False)
        episode = missing.episode_for_reference(reference)
        if episode is None:
            raise NotFound(f"No notification has the police reference {reference}")
        if episode.ended_at is not None:
            return _of_episode(reference, episode, created=False)
        closed = missing.mark_found(
            actor,
            episode,
            ended_at=found_at,
            found_location=found_location,
            version=episode.version,
        )
        return _of_episode(reference, closed, created=False)


def child_in_scope(token: ApiToken, child_id: str) -> Child | None:
    """The child with this person id, if the token's scope names them; None otherwise
    (whether or not the child exists, so that a token learns nothing of other children)."""
    if not token.children:
        return None
    return Child.objects.filter(pk__in=token.children, child_id__iexact=child_id).first()


def report_missing(token: ApiToken, child: Child, data: Any) -> Outcome:
    """A home reports a child in its scope missing (or absent), with the police reference
    the police gave: recorded as a notification for that child (merged into an open
    episode, as the form does). Idempotent by police reference."""
    reference = data.police_reference
    with transaction.atomic():
        if HeldNotification.objects.filter(police_reference=reference).exists():
            raise ValidationError(
                {"police_reference": "This police reference is waiting for a coordinator"}
            )
        known = missing.episode_for_reference(reference)
        if known is not None:
            if known.child_id != child.pk:
                raise ValidationError(
                    {"police_reference": "This police reference is recorded for another child"}
                )
            return _of_episode(reference, known, created=False)
        result = missing.record_notification(
            actor_for(token),
            child=child,
            police_reference=reference,
            category=data.category,
            started_at=data.last_seen_at,
            reported_at=data.reported_at,
            notified_at=timezone.now(),
            risk_level=data.risk_level or "",
        )
        return _of_episode(reference, result.episode, created=True)


def report_returned(
    token: ApiToken, child: Child, returned_at: dt.datetime, found_location: str
) -> Outcome:
    """A home reports a child in its scope returned: the child's open episode is closed."""
    with transaction.atomic():
        episode = Episode.objects.open().filter(child=child).order_by("started_at").first()
        if episode is None:
            raise NotFound("This child has no open episode")
        closed = missing.mark_found(
            actor_for(token),
            episode,
            ended_at=returned_at,
            found_location=found_location,
            version=episode.version,
        )
        return _of_episode(closed.episode_id, closed, created=False)


def episodes_of(child: Child, only_open: bool | None) -> list[dict[str, Any]]:
    """The child's episodes, newest first, each with its return interview's status (the
    worklist's) once the child is found."""
    episodes = Episode.objects.filter(child=child)
    if only_open is True:
        episodes = episodes.open()
    elif only_open is False:
        episodes = episodes.closed()
    now = timezone.now()
    statuses = dict(worklist(Child.objects.filter(pk=child.pk), now).values_list("pk", "status"))
    rows = []
    for episode in episodes.order_by("-started_at", "-pk"):
        due = (
            dt.datetime.fromtimestamp(episode.ended_epoch + RHI_DUE_SECONDS, tz=dt.UTC)
            if episode.ended_epoch is not None
            else None
        )
        rows.append(
            {
                "police_reference": episode.episode_id,
                "category": episode.category,
                "last_seen_at": episode.started_at,
                "reported_at": episode.reported_at,
                "found_at": episode.ended_at,
                "open": episode.ended_at is None,
                "risk_level": episode.risk_level,
                "return_interview_status": statuses.get(episode.pk),
                "return_interview_due_at": due,
            }
        )
    return rows


def purge_recorded(actor: Any) -> int:
    """Delete the held notifications whose police reference is now on an episode (matched
    by a coordinator, or recorded from a police file): the episode holds what they held,
    so the copy of the child's details goes. Each deletion is audited, its values
    withheld (HeldNotification.AUDIT_WITHHELD). The number deleted."""
    waiting = held_to_review().values("pk")
    done = HeldNotification.objects.exclude(pk__in=waiting)
    count = 0
    for held in done:
        delete_record(actor, held)
        count += 1
    return count


def held_to_review() -> QuerySet[HeldNotification]:
    """Held notifications a coordinator has still to match: those whose police reference
    is not yet recorded for an episode."""
    recorded = NotificationReference.objects.values("reference")
    episodes = Episode.objects.values("episode_id")
    return (
        HeldNotification.objects.exclude(police_reference__in=recorded)
        .exclude(police_reference__in=episodes)
        .select_related("token")
    )
