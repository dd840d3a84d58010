"""Checking the chain: every event's hash, every link and every position, in order.

Streams the trail in sequence order a batch at a time (keyset pagination), with the
children of each batch read in one more query, so it runs in constant memory on millions
of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from .chain import GENESIS, HEAD_PK, event_hash
from .models import AuditChainHead, AuditEvent, AuditSubject

BATCH = 2000


@dataclass
class Verification:
    events: int
    problem: str = ""
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return not self.problem


def _events(batch: int, using: str) -> Iterator[tuple[AuditEvent, list[int]]]:
    after = 0
    while True:
        events = list(
            AuditEvent.objects.using(using).filter(sequence__gt=after).order_by("sequence")[:batch]
        )
        if not events:
            return
        last = events[-1].sequence
        children: dict[int, list[int]] = defaultdict(list)
        subjects = (
            AuditSubject.objects.using(using)
            .filter(event__sequence__gt=after, event__sequence__lte=last)
            .values_list("event_id", "child_pk")
        )
        for event_id, child_pk in subjects:
            children[event_id].append(child_pk)
        for event in events:
            yield event, children.get(event.pk, [])
        after = last


def _head(using: str) -> AuditChainHead | None:
    return AuditChainHead.objects.using(using).filter(pk=HEAD_PK).first()


def verify_chain(
    batch: int = BATCH, expect: dict[int, str] | None = None, using: str = DEFAULT_DB_ALIAS
) -> Verification:
    """The number of events checked and the first broken link, if any.

    `expect` maps sequences to hashes recorded elsewhere (an anchor: see docs/audit.md);
    an event whose hash differs from its anchor is a broken link even if the chain is
    consistent, since whoever rewrote it could have recomputed every hash after it.
    `using` names the database alias (the backup drill checks a restored copy).

    Other writers may append while it runs. The chain head is read before the walk (every
    event up to it must be there, the last with the head's hash) and again after it (no
    event may lie beyond it: the head is written in the same transaction as each event).
    """
    expect = dict(expect or {})
    head_before = _head(using)
    head_before_hash = GENESIS
    expected = 1
    previous = GENESIS
    for event, children in _events(batch, using):
        checked = expected - 1
        if event.sequence != expected:
            return Verification(checked, f"sequence {expected} is missing")
        if event_hash(event, children) != event.hash:
            return Verification(
                checked, f"event {event.sequence}: hash does not match its contents"
            )
        if event.previous_hash != previous:
            if event.sequence == 1:
                problem = "event 1: previous_hash is not the start of the chain"
            else:
                problem = (
                    f"event {event.sequence}: previous_hash does not match event "
                    f"{event.sequence - 1}"
                )
            return Verification(checked, problem)
        anchored = expect.pop(event.sequence, None)
        if anchored is not None and anchored.lower() != event.hash:
            return Verification(
                checked, f"event {event.sequence}: hash does not match its recorded anchor"
            )
        if head_before is not None and event.sequence == head_before.sequence:
            head_before_hash = event.hash
        previous = event.hash
        expected += 1
    count = expected - 1
    if expect:
        # The chain was cut short (and its head moved back): it ends before an anchor.
        return Verification(
            count,
            f"event {min(expect)} is recorded as an anchor but the chain ends at event {count}",
        )
    if head_before is not None:
        if head_before.sequence > count:
            return Verification(count, f"sequence {count + 1} is missing")
        if head_before.hash != head_before_hash:
            return Verification(
                count, f"event {head_before.sequence}: hash does not match the chain head"
            )
    head_after = _head(using)
    if head_after is not None and head_after.sequence < count:
        return Verification(
            count,
            f"event {head_after.sequence + 1}: not in the chain "
            f"(the chain head is event {head_after.sequence})",
        )
    return Verification(count, head_hash=previous)
