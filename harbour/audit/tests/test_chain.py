"""The hash chain and verify_audit: a good trail verifies; an edited, deleted or inserted
event is caught, naming the first broken link, with exit code 1."""

from __future__ import annotations

import datetime as dt

import pytest

from harbour.audit import services as auditor
from harbour.audit.chain import GENESIS, compute_hash, event_hash
from harbour.audit.models import AuditChainHead, AuditEvent
from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def write_events(count: int, **kwargs) -> list[AuditEvent]:
    return [
        auditor.record("tester", "test.event", details={"n": n, "float": n / 4}, **kwargs)
        for n in range(1, count + 1)
    ]


def test_events_are_numbered_and_linked_in_the_order_they_are_written():
    events = write_events(3)

    stored = list(AuditEvent.objects.order_by("sequence"))
    assert [event.sequence for event in stored] == [1, 2, 3]
    assert stored[0].previous_hash == GENESIS
    assert [event.previous_hash for event in stored[1:]] == [e.hash for e in stored[:2]]
    assert [event.hash for event in stored] == [event.hash for event in events]
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (3, stored[2].hash)


def test_the_hash_covers_every_stored_field_and_the_children():
    child = ChildFactory()
    event = auditor.record("tester", "test.event", children=[child], details={"a": [1, 2.5]})
    stored = AuditEvent.objects.get(pk=event.pk)

    assert event_hash(stored, [child.pk]) == stored.hash
    assert event_hash(stored, []) != stored.hash
    for name, value in [
        ("actor_name", "someone else"),
        ("action", "test.other"),
        ("object_id", "9"),
        ("details", {"a": [1, 2.6]}),
        ("occurred_at", stored.occurred_at + dt.timedelta(microseconds=1)),
        ("sealed", "v1:x"),
        ("sealed_for", child.pk),
        ("sequence", 2),
        ("previous_hash", "1" * 64),
    ]:
        changed = AuditEvent.objects.get(pk=event.pk)
        setattr(changed, name, value)
        assert event_hash(changed, [child.pk]) != stored.hash, name


def test_the_serialisation_does_not_depend_on_key_order_or_integral_floats():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
    common = {
        "sequence": 1,
        "previous_hash": GENESIS,
        "occurred_at": when,
        "actor_id": None,
        "actor_name": "x",
        "action": "y",
        "object_type": "",
        "object_id": "",
        "children": [2, 1],
        "sealed_for": None,
        "sealed": "",
    }
    first = compute_hash(**common, details={"b": 1e20, "a": 1.0})
    second = compute_hash(**common, details={"a": 1, "b": 100000000000000000000})
    assert first == second


def test_a_trail_of_many_events_verifies(verify):
    child = ChildFactory()
    write_events(250)
    write_events(10, children=[child])

    outcome = verify("--batch-size", "7")

    assert outcome.code == 0, outcome.output
    assert "audit trail verified: 260 events" in outcome.output


def test_an_empty_trail_verifies(verify):
    outcome = verify()
    assert outcome.code == 0
    assert "audit trail verified: 0 events" in outcome.output


def test_an_edited_event_is_caught(verify, tamper):
    write_events(10)
    tamper("UPDATE audit_auditevent SET action = %s WHERE sequence = 4", ["test.innocent"])

    outcome = verify()

    assert outcome.code == 1
    assert "event 4: hash does not match its contents" in outcome.output
    assert "events 1 to 3 verify" in outcome.output


def test_an_edited_event_whose_hash_was_recomputed_breaks_the_next_link(verify, tamper):
    write_events(10)
    event = AuditEvent.objects.get(sequence=4)
    event.details = {"n": 400}
    forged = event_hash(event, [])
    tamper(
        "UPDATE audit_auditevent SET details = %s, hash = %s WHERE sequence = 4",
        ['{"n": 400}', forged],
    )

    outcome = verify()

    assert outcome.code == 1
    assert "event 5: previous_hash does not match event 4" in outcome.output


def test_an_event_whose_children_were_changed_is_caught(verify, tamper):
    first, second = ChildFactory(), ChildFactory()
    write_events(3)
    auditor.record("tester", "children.child.view", children=[first])
    write_events(3)
    tamper("UPDATE audit_auditsubject SET child_pk = %s", [second.pk])

    outcome = verify()

    assert outcome.code == 1
    assert "event 4: hash does not match its contents" in outcome.output


def test_an_event_deleted_from_the_middle_is_caught(verify, tamper):
    write_events(10)
    tamper("DELETE FROM audit_auditevent WHERE sequence = 5")

    outcome = verify()

    assert outcome.code == 1
    assert "sequence 5 is missing" in outcome.output


def test_events_deleted_from_the_end_are_caught_by_the_chain_head(verify, tamper):
    write_events(10)
    tamper("DELETE FROM audit_auditevent WHERE sequence >= 9")

    outcome = verify()

    assert outcome.code == 1
    assert "sequence 9 is missing" in outcome.output


def renumber_from(tamper, sequence: int) -> None:
    """Make room at `sequence` by moving every later event up one (two steps, so that the
    unique index never sees two events at one place)."""
    tamper(
        "UPDATE audit_auditevent SET sequence = -(sequence + 1) WHERE sequence >= %s", [sequence]
    )
    tamper("UPDATE audit_auditevent SET sequence = -sequence WHERE sequence < 0")


def forged_event(sequence: int, previous_hash: str) -> AuditEvent:
    """A well-formed event, hashed correctly and linked to the event before it, written
    straight into the table (not through the chain)."""
    event = AuditEvent(
        sequence=sequence,
        previous_hash=previous_hash,
        occurred_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        actor_name="intruder",
        action="accounts.sign_in",
        details={},
    )
    event.hash = event_hash(event, [])
    event._insert()
    return event


def test_an_event_inserted_into_the_middle_is_caught(verify, tamper):
    write_events(10)
    renumber_from(tamper, 6)
    forged_event(6, AuditEvent.objects.get(sequence=5).hash)

    outcome = verify()

    # The forged event itself links up; the event after it was moved, which its hash shows.
    assert outcome.code == 1
    assert "event 7: hash does not match its contents" in outcome.output
    assert "events 1 to 6 verify" in outcome.output


def test_an_event_inserted_at_the_end_is_caught_by_the_chain_head(verify):
    write_events(10)
    forged_event(11, AuditEvent.objects.get(sequence=10).hash)

    outcome = verify()

    assert outcome.code == 1
    assert "event 11: not in the chain (the chain head is event 10)" in outcome.output


def test_a_rewritten_chain_is_caught_by_a_hash_recorded_elsewhere(verify, tamper):
    write_events(10)
    anchor = verify().output.split("last event: ")[1].strip()
    assert anchor == f"10:{AuditEvent.objects.get(sequence=10).hash}"
    # Someone with the database rewrites event 3 and recomputes every hash after it,
    # the chain head included: the chain is consistent again...
    tamper("UPDATE audit_auditevent SET actor_name = 'nobody' WHERE sequence = 3")
    previous = AuditEvent.objects.get(sequence=2).hash
    for event in AuditEvent.objects.filter(sequence__gte=3).order_by("sequence"):
        event.previous_hash = previous
        previous = event_hash(event, [])
        tamper(
            "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [event.previous_hash, previous, event.pk],
        )
    AuditChainHead.objects.filter(pk=1).update(hash=previous)
    assert verify().code == 0

    # ...but not with the hash recorded before.
    outcome = verify("--expect", anchor)

    assert outcome.code == 1
    assert "event 10: hash does not match its recorded anchor" in outcome.output


def test_the_chain_head_is_rebuilt_if_it_is_missing(verify):
    write_events(3)
    AuditChainHead.objects.all().delete()

    auditor.record("tester", "test.event")

    assert AuditEvent.objects.order_by("-sequence").first().sequence == 4
    assert verify().code == 0
