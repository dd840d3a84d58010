"""Writes to meetings records. Every change goes through these functions."""

from harbour.audit.services import Actor
from harbour.common.services import delete_record, save_record

from .models import Meeting


def save_meeting(actor: Actor, meeting: Meeting) -> Meeting:
    """Create or change a meeting: validated, atomic, audited."""
    return save_record(actor, meeting)


def delete_meeting(actor: Actor, meeting: Meeting) -> None:
    delete_record(actor, meeting)
