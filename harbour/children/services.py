"""Writes to children records. Every change goes through these functions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from harbour.accounts import services as accounts
from harbour.accounts.models import GrantRequest
from harbour.audit.services import Actor, record
from harbour.common.services import delete_record, save_record

from .models import Child, LegalStatus


def save_child(actor: Actor, child: Child) -> Child:
    """Create or change a child: validated, atomic, audited."""
    return save_record(actor, child)


def delete_child(actor: Actor, child: Child) -> None:
    delete_record(actor, child)


def save_legal_status(actor: Actor, legal_status: LegalStatus) -> LegalStatus:
    """Create or change a legal status: validated, atomic, audited."""
    return save_record(actor, legal_status)


def delete_legal_status(actor: Actor, legal_status: LegalStatus) -> None:
    delete_record(actor, legal_status)


@transaction.atomic
def set_restricted(actor: Actor, child: Child, restricted: bool) -> None:
    """Restrict a child's record to its access list, or open it again."""
    if child.restricted == restricted:
        return
    child.restricted = restricted
    child.save(update_fields=["restricted"])
    record(actor, "children.restriction_changed", obj=child, details={"restricted": restricted})


@transaction.atomic
def grant_access(actor: Actor, child: Child, user: AbstractBaseUser) -> GrantRequest:
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


def place_on_access_list(
    actor: Actor, child: Child, user: AbstractBaseUser, *, approved: GrantRequest
) -> None:
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
def revoke_access(actor: Actor, child: Child, user: AbstractBaseUser) -> None:
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
