"""Writes to the OLA notification log and to the authorities' reference data. Every change
goes through these functions: validated, atomic, and audited. An entry in an episode's log
carries the log's version the form was loaded with; a stale one is refused with Conflict
and nothing is written (docs/casework.md, "Other local authorities")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from harbour.audit.services import Actor
from harbour.common.services import Conflict, delete_record, locked, save_record
from harbour.common.time import epoch_seconds
from harbour.interviews.queries import placing_authority
from harbour.missing.models import Episode

from .models import NOTIFICATIONS, Kind, LocalAuthority, Method, OlaLog, OlaNotification, Response

NOTE_MAX = 10_000
NEEDS_REQUEST = "Record the request for a return interview before a chaser or an escalation"


# ---------------------------------------------------------------------- reference data


def save_authority(
    actor: Actor, authority: LocalAuthority, *, version: int | None = None
) -> LocalAuthority:
    """Create or change an authority's contact details. With a version (the pages), a
    change from a form loaded before someone else's is refused with Conflict."""
    with transaction.atomic():
        if authority.pk is not None:
            locked(authority, version, what="authority")
        return save_record(actor, authority)


def delete_authority(actor: Actor, authority: LocalAuthority) -> None:
    delete_record(actor, authority)


# ---------------------------------------------------------------------- the OLA log


def notify_placing_authority(
    actor: Actor,
    episode: Episode,
    *,
    kind: str,
    sent_at: dt.datetime,
    method: str,
    note: str = "",
    version: int,
) -> OlaNotification:
    """Record a notification sent to the placing authority: that the child is missing, that
    they have been found, or asking it to arrange the return interview (which starts the
    chaser and escalation clocks)."""
    if kind not in NOTIFICATIONS:
        raise ValidationError({"kind": "Choose what the placing authority was told"})
    return _add(actor, episode, kind, sent_at, method, note, "", version)


def record_response(
    actor: Actor,
    episode: Episode,
    *,
    received_at: dt.datetime,
    method: str,
    response: str,
    note: str = "",
    version: int,
) -> OlaNotification:
    """Record the placing authority's response. A response at or after the latest interview
    request closes the log."""
    if response not in Response.values:
        raise ValidationError({"response": "Select what the placing authority said"})
    return _add(actor, episode, Kind.RESPONSE, received_at, method, note, response, version)


def send_chaser(
    actor: Actor,
    episode: Episode,
    *,
    sent_at: dt.datetime,
    method: str,
    note: str = "",
    version: int,
) -> OlaNotification:
    """Record a chaser sent about the interview request."""
    return _add(actor, episode, Kind.CHASER, sent_at, method, note, "", version)


def escalate(
    actor: Actor,
    episode: Episode,
    *,
    escalated_at: dt.datetime,
    method: str,
    note: str = "",
    version: int,
) -> OlaNotification:
    """Record that the unanswered interview request was escalated (to whom: in the note)."""
    return _add(actor, episode, Kind.ESCALATED, escalated_at, method, note, "", version)


def _placing_authority(episode: Episode) -> str | None:
    """The placing authority's DfE number, or None if the child was not looked after by
    another authority when the episode started."""
    row = (
        Episode.objects.filter(pk=episode.pk)
        .with_group()
        .annotate(placing_authority=placing_authority())
        .values_list("group", "placing_authority")
        .get()
    )
    return row[1] if row[0] == "OLA" and row[1] else None


def _who(actor: Actor) -> tuple[User | None, str]:
    if isinstance(actor, str):
        return None, actor
    if actor is None or not actor.is_authenticated:
        return None, "anonymous"
    return actor, actor.get_username()


def _validate(
    episode: Episode, kind: str, at: dt.datetime | None, method: str, note: str
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if method not in Method.values:
        errors["method"] = "Select how it was sent or received"
    if len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX:,} characters or fewer"
    if at is None:
        errors["occurred_at"] = "Enter the date and time"
    elif at > timezone.now():
        errors["occurred_at"] = "The date and time must be now or in the past"
    elif at < episode.started_at:
        errors["occurred_at"] = "The date and time must not be before the child was last seen"
    elif kind in (Kind.FOUND, Kind.INTERVIEW_REQUESTED):
        if episode.ended_at is None:
            errors["kind"] = "The child has not been found yet: record that they were found first"
        elif at < episode.ended_at:
            errors["occurred_at"] = "The date and time must not be before the child was found"
    return errors


def _add(
    actor: Actor,
    episode: Episode,
    kind: str,
    at: dt.datetime | None,
    method: str,
    note: str,
    response: str,
    version: int,
) -> OlaNotification:
    note = (note or "").strip()
    errors = _validate(episode, kind, at, method, note)
    if errors:
        raise ValidationError(errors)
    assert at is not None  # _validate refuses an entry without its date and time
    user, name = _who(actor)
    occurred = epoch_seconds(at)
    try:
        with transaction.atomic():
            log = OlaLog.objects.select_for_update().filter(episode=episode).first()
            if (log.version if log else 0) != version:
                raise Conflict("log")
            code = _placing_authority(episode)
            if code is None:
                raise ValidationError(
                    "The child was not looked after by another authority when this episode "
                    "started, so there is no placing authority to notify."
                )
            if kind in (Kind.CHASER, Kind.ESCALATED) and (log is None or log.request_epoch is None):
                raise ValidationError({"kind": NEEDS_REQUEST})
            if log is None:
                log = save_record(actor, OlaLog(episode=episode))
            entry = OlaNotification(
                log=log,
                kind=kind,
                occurred_at=at,
                occurred_epoch=occurred,
                method=method,
                response=response,
                note=note,
                authority_code=code,
                recorded_by=user,
                recorded_by_name=name,
                recorded_at=timezone.now(),
            )
            _note_epoch(log, kind, occurred)
            # The log is the entries' summary (latest instant of each kind, and the version
            # a page checks), written under the entry's own audit event.
            save_record(
                actor,
                entry,
                parts=[log],
                action=f"authorities.ola_{kind.lower()}",
                child_pk=episode.child_id,
                details={
                    "episode": episode.pk,
                    "kind": kind,
                    "method": method,
                    "response": response,
                    "log_version": log.version + 1,  # as the entry's save moves it on
                },
                sealed={
                    "occurred_at": at.isoformat(),
                    "authority": code,
                    "note": note,
                },
            )
    except IntegrityError as error:
        # Two first entries at once: the second's log already exists.
        raise Conflict("log") from error
    return entry


def _note_epoch(log: OlaLog, kind: str, occurred: int) -> None:
    """Keep the log's stored latest instant of each kind."""

    def later(current: int | None) -> int:
        return occurred if current is None else max(current, occurred)

    if kind in NOTIFICATIONS:
        log.notified_epoch = later(log.notified_epoch)
    if kind == Kind.INTERVIEW_REQUESTED:
        log.request_epoch = later(log.request_epoch)
    elif kind == Kind.CHASER:
        log.chaser_epoch = later(log.chaser_epoch)
    elif kind == Kind.ESCALATED:
        log.escalated_epoch = later(log.escalated_epoch)
    elif kind == Kind.RESPONSE:
        log.response_epoch = later(log.response_epoch)
