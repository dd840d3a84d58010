"""The meeting triggers' thresholds, from the settings, and their words: shared by the
trigger search (triggers.py), the services that record what it finds, and the pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from harbour.common.time import HOUR

from .models import TaskTrigger, Trigger


@dataclass(frozen=True)
class Found:
    """One trigger: the child, which trigger, the episodes that make it, and the instant
    (epoch seconds) the threshold was crossed."""

    child_pk: int
    trigger: str
    episode_pks: tuple[int, ...]
    triggered_epoch: int


def long_missing_seconds() -> int:
    return settings.HARBOUR_LONG_MISSING_HOURS * HOUR


def repeat_missing_seconds() -> int:
    return settings.HARBOUR_REPEAT_MISSING_HOURS * HOUR


def repeat_missing_count() -> int:
    count = settings.HARBOUR_REPEAT_MISSING_COUNT
    if count < 2:
        raise ImproperlyConfigured("HARBOUR_REPEAT_MISSING_COUNT must be at least 2.")
    return count


def trigger_words(trigger: str) -> str:
    """The trigger in words, with the thresholds in force."""
    if trigger == TaskTrigger.LONG_MISSING:
        return f"Missing more than {settings.HARBOUR_LONG_MISSING_HOURS} hours"
    if trigger == TaskTrigger.REPEAT_MISSING:
        hours = settings.HARBOUR_REPEAT_MISSING_HOURS
        span = f"{hours // 24} days" if hours % 24 == 0 else f"{hours} hours"
        return f"{_ordinal(repeat_missing_count())} missing episode within {span}"
    # Triggers recorded by hand or imported (professional judgement) have a fixed label.
    return Trigger(trigger).label if trigger in Trigger.values else trigger


def _ordinal(number: int) -> str:
    words = {2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth"}
    return words.get(number, f"{number}th")
