"""Writes to missing records. Every change goes through these functions."""

from harbour.audit.services import Actor
from harbour.common.services import delete_record, save_record

from .models import Episode


def save_episode(actor: Actor, episode: Episode) -> Episode:
    """Create or change a episode: validated, atomic, audited."""
    return save_record(actor, episode)


def delete_episode(actor: Actor, episode: Episode) -> None:
    delete_record(actor, episode)
