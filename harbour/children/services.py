"""Writes to children records. Every change goes through these functions."""

from harbour.audit.services import Actor
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
