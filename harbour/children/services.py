"""Writes to children records. Every change goes through these functions.

The edit pages' changes (update_child, record_legal_status) carry the `version` the
person's form was loaded with: a stale one raises Conflict and nothing is saved, so
that nobody undoes a change they never saw. Each is allowed by the same rule as the page
(harbour/accounts/permissions.py) and audited as a change of the record, its old and new
values sealed with the child's key (harbour/common/services.py).
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from harbour.accounts import services as accounts
from harbour.accounts.models import GrantRequest
from harbour.audit.services import Actor, record
from harbour.common.services import delete_record, locked, save_record
from harbour.common.time import local_date

from .models import Child, LegalStatus, LegalStatusKind

# What the child's edit page changes; legal statuses have their own page.
CHILD_FIELDS = (
    "child_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "allocated_social_worker",
    "placement_address",
    "placement_postcode",
)
LEGAL_STATUS_FIELDS = ("status", "start_date", "end_date", "responsible_la", "placement")

# A UK postcode: outward code (area, district) and inward code (sector, unit).
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(postcode: str) -> str:
    """ "sw1a1aa" -> "SW1A 1AA"; ValidationError for text that is not a UK postcode."""
    text = " ".join((postcode or "").upper().split())
    if not text:
        return ""
    match = _POSTCODE.match(text)
    if match is None:
        raise ValidationError(
            {"placement_postcode": "Enter a real postcode, like SW1A 1AA, or leave it empty"}
        )
    return f"{match[1]} {match[2]}"


def _require(actor: Actor, permission: str, child: Child) -> None:
    from harbour.accounts.permissions import allowed

    if isinstance(actor, str):
        return  # the command line
    # No actor at all is no one signed in: refused (`allowed` would have failed on None).
    if actor is None or not allowed(actor, permission, child):
        raise PermissionDenied


def update_child(actor: Actor, child: Child, *, changes: Mapping[str, Any], version: int) -> Child:
    """Change the child's identity, allocated social worker or placement address
    (CHILD_FIELDS) from a form loaded at `version`."""
    unknown = sorted(set(changes) - set(CHILD_FIELDS))
    if unknown:
        raise ValueError(f"These fields cannot be changed here: {', '.join(unknown)}")
    _require(actor, "children.edit_child", child)
    with transaction.atomic():
        current = locked(child, version, what="child's record")
        before = {name: getattr(current, name) for name in changes}
        values = dict(changes)
        if "placement_postcode" in values:
            values["placement_postcode"] = normalise_postcode(values["placement_postcode"])
        if "child_id" in values:
            values["child_id"] = (values["child_id"] or "").strip()
            if not values["child_id"]:
                raise ValidationError({"child_id": "Enter the person id"})
            if Child.objects.filter(child_id=values["child_id"]).exclude(pk=current.pk).exists():
                raise ValidationError(
                    {"child_id": "This person id is already recorded for another child"}
                )
        worker = values.get("allocated_social_worker")
        if worker is not None and not _is_social_worker(worker):
            raise ValidationError(
                {"allocated_social_worker": "Select a social worker who uses Harbour"}
            )
        for name, value in values.items():
            setattr(current, name, value)
        if all(getattr(current, name) == before[name] for name in changes):
            raise ValidationError("Nothing has changed: change at least one detail, or cancel.")
        return save_record(actor, current)


def _is_social_worker(user: User) -> bool:
    from harbour.accounts.models import Role, RoleAssignment

    return (
        user.is_active
        and RoleAssignment.objects.filter(user=user, role=Role.SOCIAL_WORKER).exists()
    )


def record_legal_status(
    actor: Actor,
    child: Child,
    *,
    values: Mapping[str, Any],
    legal_status: LegalStatus | None = None,
    version: int | None = None,
) -> LegalStatus:
    """Add a legal status to the child (legal_status None), or change one loaded at
    `version`. A looked-after status names its responsible authority (empty: this one)
    and placement; the other statuses have neither."""
    unknown = sorted(set(values) - set(LEGAL_STATUS_FIELDS))
    if unknown:
        raise ValueError(f"These fields cannot be changed here: {', '.join(unknown)}")
    _require(actor, "children.record_legal_status", child)
    with transaction.atomic():
        if legal_status is None:
            current = LegalStatus(child=child)
        else:
            if legal_status.child_id != child.pk:
                raise LegalStatus.DoesNotExist
            current = locked(legal_status, version, what="legal status")
        for name, value in values.items():
            setattr(current, name, value if value is not None or name == "end_date" else "")
        current.responsible_la = (current.responsible_la or "").strip()
        if current.status != LegalStatusKind.LAC:
            errors = {}
            if current.responsible_la:
                errors["responsible_la"] = (
                    "Only a looked-after status has a responsible authority: leave it empty"
                )
            if current.placement:
                errors["placement"] = "Only a looked-after status has a placement type"
            if errors:
                raise ValidationError(errors)
        _refuse_bad_dates(current)
        clash = LegalStatus.objects.filter(
            child=child, status=current.status, start_date=current.start_date
        ).exclude(pk=current.pk)
        if clash.exists():
            raise ValidationError(
                {
                    "start_date": "This child already has a legal status of this kind starting "
                    "on this date: change that one instead"
                }
            )
        return save_record(actor, current)


def _refuse_bad_dates(status: LegalStatus) -> None:
    if status.start_date and status.end_date and status.end_date < status.start_date:
        raise ValidationError(
            {"end_date": "The end date must be the same as or after the start date"}
        )
    if status.start_date and status.start_date < status.child.date_of_birth:
        raise ValidationError(
            {"start_date": "The start date must be on or after the date of birth"}
        )
    if status.start_date and status.start_date > local_date(timezone.now()) + dt.timedelta(
        days=366
    ):
        raise ValidationError({"start_date": "The start date must be within the next year"})


def save_child(actor: Actor, child: Child) -> Child:
    """Create or change a child (the admin): validated, atomic, audited. A change moves the
    version on, so that an edit page opened before it is refused rather than undo it."""
    return save_record(actor, child)


def delete_child(actor: Actor, child: Child) -> None:
    delete_record(actor, child)


def save_legal_status(actor: Actor, legal_status: LegalStatus) -> LegalStatus:
    """Create or change a legal status (the admin): validated, atomic, audited."""
    return save_record(actor, legal_status)


def delete_legal_status(actor: Actor, legal_status: LegalStatus) -> None:
    delete_record(actor, legal_status)


@transaction.atomic
def set_restricted(actor: Actor, child: Child, restricted: bool) -> None:
    """Restrict a child's record to its access list, or open it again."""
    current = locked(child, None)
    if current.restricted == restricted:
        return
    current.restricted = restricted
    save_record(
        actor, current, action="children.restriction_changed", details={"restricted": restricted}
    )
    child.restricted, child.version = current.restricted, current.version


@transaction.atomic
def grant_access(actor: Actor, child: Child, user: User) -> GrantRequest:
    """Ask for the user's place on the child's access list: it takes effect when a second
    administrator approves the request returned (harbour/accounts/services.py,
    docs/roles.md, "Four eyes")."""
    accounts.refuse_own_access_change(actor, user, "place on an access list")
    user = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("Only an active member of staff can be given access.")
    if child.access_list.filter(pk=user.pk).exists():
        raise ValidationError(f"{user.get_username()} is already on the access list.")
    return accounts.ask_second_administrator(actor, user, kind=GrantRequest.Kind.PLACE, child=child)


def place_on_access_list(actor: Actor, child: Child, user: User, *, approved: GrantRequest) -> None:
    """The write behind a second administrator's approval of grant_access's request
    (accounts.services.approve_grant, which passes the request it approves)."""
    if child.access_list.filter(pk=user.pk).exists():
        raise ValidationError(f"{user.get_username()} is already on the access list.")
    child.access_list.add(user)
    details = {
        "user": user.get_username(),
        "user_id": user.pk,
        "request_id": approved.pk,
        "requested_by": approved.requested_by.get_username(),
    }
    record(actor, "children.access_granted", obj=child, details=details)


@transaction.atomic
def revoke_access(actor: Actor, child: Child, user: User) -> None:
    accounts.refuse_own_access_change(actor, user, "place on an access list")
    if not child.access_list.filter(pk=user.pk).exists():
        raise ValidationError(f"{user.get_username()} is not on the access list.")
    child.access_list.remove(user)
    record(
        actor,
        "children.access_revoked",
        obj=child,
        details={"user": user.get_username(), "user_id": user.pk},
    )
