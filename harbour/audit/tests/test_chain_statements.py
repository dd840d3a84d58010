"""The chain's statements (plain SQL, harbour/audit/chain.py): every child of an event is
stored once, however many, in a few statements, and the trail still verifies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.audit import services as auditor
from harbour.audit.chain import SUBJECTS_PER_STATEMENT
from harbour.audit.models import AuditChainHead, AuditEvent, AuditSubject

pytestmark = pytest.mark.django_db


def test_an_event_about_a_thousand_children_stores_each_child_once_and_verifies(verify):
    children = list(range(1, 1001))

    with CaptureQueriesContext(connection) as queries:
        event = auditor.record("tester", "test.page_viewed", children=reversed(children))

    stored = AuditSubject.objects.filter(event=event).order_by("child_pk")
    assert list(stored.values_list("child_pk", flat=True)) == children
    inserts = [q["sql"] for q in queries if "INSERT" in q["sql"] and "subject" in q["sql"]]
    assert len(inserts) == -(-len(children) // SUBJECTS_PER_STATEMENT)
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (event.sequence, event.hash)
    assert AuditEvent.objects.get().child_pks == children
    outcome = verify()
    assert outcome.code == 0, outcome.output


def test_events_with_and_without_children_link_one_after_another(verify):
    first = auditor.record("tester", "test.one")
    second = auditor.record("tester", "test.two", children=[7])
    third = auditor.record("tester", "test.three", children=[7, 8])

    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert third.previous_hash == second.hash
    assert second.previous_hash == first.hash
    assert AuditChainHead.objects.get().hash == third.hash
    assert verify().code == 0
