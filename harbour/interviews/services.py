"""Writes to interviews records. Every change goes through these functions.

Each is validated, atomic and audited (one event naming the child, with the old and new
values sealed with the child's key: harbour/common/services.py). A change to a record that
exists carries the version it was loaded with; a stale one raises Conflict and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.accounts import permissions
from harbour.accounts.models import Role, RoleAssignment
from harbour.audit.services import Actor
from harbour.common.codes import store_codes
from harbour.common.services import Conflict, delete_record, save_record
from harbour.missing.models import Episode

from .models import OFFERED_OUTCOMES, Allocation, Method, Outcome, Reason, ReturnInterview, Risk

ORGANISATION_MAX = 200

# What must follow the saving of a return interview, in the same transaction. The
# exploitation app registers its "screen this child" trigger here when it loads
# (harbour/exploitation/apps.py), so that interviews, below exploitation, never imports it.
InterviewSaved = Callable[[Actor, ReturnInterview], list[Any]]
_after_interview_saved: list[InterviewSaved] = []


def after_interview_saved(hook: InterviewSaved) -> InterviewSaved:
    """Call `hook(actor, interview)` after each save of a return interview."""
    if hook not in _after_interview_saved:
        _after_interview_saved.append(hook)
    return hook


def _interview_saved(actor: Actor, interview: ReturnInterview) -> list[Any]:
    return [result for hook in _after_interview_saved for result in hook(actor, interview)]


def save_return_interview(actor: Actor, return_interview: ReturnInterview) -> ReturnInterview:
    """Create or change a return interview: validated, atomic, audited (the admin's path)."""
    with transaction.atomic():
        saved = save_record(actor, return_interview)
        _interview_saved(actor, saved)
    return saved


def delete_return_interview(actor: Actor, return_interview: ReturnInterview) -> None:
    delete_record(actor, return_interview)


def _locked_episode(episode: Episode) -> Episode:
    # Serialises writers of the same episode's interview and allocation (a no-op on SQLite,
    # which serialises every write).
    return Episode.objects.select_for_update().select_related("child").get(pk=episode.pk)


def allocate(
    actor: User,
    episode: Episode,
    *,
    worker: User | None = None,
    organisation: str = "",
    version: int = 0,
) -> Allocation:
    """Allocate (or reallocate) an episode's return interview to a worker, a provider
    organisation, or both. `version`: the allocation's version when the form was loaded
    (0 when there was none)."""
    organisation = (organisation or "").strip()
    errors: dict[str, str] = {}
    if worker is None and not organisation:
        errors["worker"] = "Choose a worker or an organisation to allocate the interview to"
    if worker is not None and not (
        worker.is_active
        and RoleAssignment.objects.filter(user=worker, role=Role.RHI_WORKER).exists()
    ):
        errors["worker"] = "Choose an active member of staff with the return interview worker role"
    if len(organisation) > ORGANISATION_MAX:
        errors["organisation"] = f"Organisation must be {ORGANISATION_MAX} characters or fewer"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        episode = _locked_episode(episode)
        allocation = Allocation.objects.filter(episode=episode).first()
        if (allocation.version if allocation else 0) != version:
            raise Conflict("allocation", current=allocation)
        if allocation is None:
            allocation = Allocation(episode=episode)
        allocation.worker = worker
        allocation.organisation = organisation
        allocation.allocated_at = timezone.now()
        allocation.allocated_by = actor
        return save_record(actor, allocation)


def _codes(values: Iterable[str], allowed: list[str], field: str, errors: dict) -> list[str]:
    codes = list(dict.fromkeys(values or []))
    if any(code not in allowed for code in codes):
        errors[field] = "Choose from the list"
    return codes


def interview_errors(
    episode: Episode,
    *,
    outcome: str,
    offered_at: dt.datetime | None,
    completed_at: dt.datetime | None,
    method: str,
    not_required_reason: str,
    now: dt.datetime,
) -> dict[str, str]:
    """The interchange spec's rules for a return interview (shared/spec/interchange.md),
    and the casework rule that "not required" needs a reason. {field: message}."""
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        return {"outcome": "Select what happened"}
    ended_at = episode.ended_at
    if ended_at is None and outcome not in (Outcome.NOT_REQUIRED, Outcome.NOT_OFFERED):
        errors["outcome"] = "The child has not returned yet: record the return first"
    if outcome in OFFERED_OUTCOMES and offered_at is None:
        errors["offered_at"] = "Enter the date and time the interview was offered"
    if outcome not in OFFERED_OUTCOMES and offered_at is not None:
        errors["offered_at"] = (
            "Leave the date offered empty if the interview was not offered or not required"
        )
    if offered_at is not None:
        if offered_at > now:
            errors["offered_at"] = "The date and time offered must be in the past"
        elif ended_at is not None and offered_at < ended_at:
            errors["offered_at"] = (
                "The date and time offered must be the same as or after the child returned"
            )
    if completed_at is not None:
        if outcome != Outcome.ACCEPTED:
            errors["completed_at"] = (
                "Leave the date of the interview empty unless the interview was accepted"
            )
        elif completed_at > now:
            errors["completed_at"] = "The date and time of the interview must be in the past"
        elif offered_at is not None and completed_at < offered_at:
            errors["completed_at"] = (
                "The date and time of the interview must be the same as or after it was offered"
            )
    if method and method not in Method.values:
        errors["method"] = "Select how the interview was held"
    if outcome == Outcome.NOT_REQUIRED and not (not_required_reason or "").strip():
        errors["not_required_reason"] = "Enter why a return interview is not required"
    return errors


def record_interview(
    actor: User,
    episode: Episode,
    *,
    outcome: str,
    offered_at: dt.datetime | None = None,
    completed_at: dt.datetime | None = None,
    method: str = "",
    child_engaged: bool | None = None,
    advice_given: bool | None = None,
    reasons: Iterable[str] = (),
    risks: Iterable[str] = (),
    child_account: str = "",
    not_required_reason: str = "",
    onward_actions: str = "",
    version: int = 0,
) -> ReturnInterview:
    """Record (or change) the return interview of an episode. `version`: the interview's
    version when the form was loaded (0 when there was none). Raises PermissionDenied when
    the actor may not record this episode's interview (`interviews.record_interview`: a
    return interview worker only the episodes allocated to them or their organisation),
    ValidationError ({field: message}) or Conflict, and then writes nothing."""
    with transaction.atomic():
        # Decided on the locked episode, so that a reallocation made meanwhile counts.
        episode = _locked_episode(episode)
        if not permissions.allowed(actor, "interviews.record_interview", episode):
            raise PermissionDenied
        errors = interview_errors(
            episode,
            outcome=outcome,
            offered_at=offered_at,
            completed_at=completed_at,
            method=method,
            not_required_reason=not_required_reason,
            now=timezone.now(),
        )
        reason_codes = _codes(reasons, Reason.values, "reasons", errors)
        risk_codes = _codes(risks, Risk.values, "risks", errors)
        if errors:
            raise ValidationError(errors)
        interview = ReturnInterview.objects.filter(episode=episode).first()
        if (interview.version if interview else 0) != version:
            raise Conflict("return interview", current=interview)
        if interview is None:
            interview = ReturnInterview(episode=episode)
        interview.outcome = outcome
        interview.offered_at = offered_at
        interview.completed_at = completed_at
        interview.method = method or ""
        interview.child_engaged = child_engaged
        interview.advice_given = advice_given
        interview.reasons = store_codes(reason_codes)
        interview.risks = store_codes(risk_codes)
        interview.child_account = (child_account or "").strip()
        interview.not_required_reason = (
            (not_required_reason or "").strip() if outcome == Outcome.NOT_REQUIRED else ""
        )
        interview.onward_actions = (onward_actions or "").strip()
        saved = save_record(actor, interview)
        _interview_saved(actor, saved)
        return saved
