"""Writes to interviews records. Every change goes through these functions."""

from harbour.audit.services import Actor
from harbour.common.services import delete_record, save_record

from .models import ReturnInterview


def save_return_interview(actor: Actor, return_interview: ReturnInterview) -> ReturnInterview:
    """Create or change a return interview: validated, atomic, audited."""
    return save_record(actor, return_interview)


def delete_return_interview(actor: Actor, return_interview: ReturnInterview) -> None:
    delete_record(actor, return_interview)
