"""Append-only: the application cannot change or delete an event, and neither can plain
SQL while the database's triggers are in place (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from harbour.audit import services as auditor
from harbour.audit import triggers
from harbour.audit.apps import _install_triggers
from harbour.audit.models import AppendOnlyError, AuditEvent, AuditSubject
from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return auditor.record("tester", "test.event", children=[ChildFactory()])


def test_an_event_cannot_be_saved_again_or_deleted(event):
    event.action = "test.other"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    subject = event.subjects.get()
    with pytest.raises(AppendOnlyError):
        subject.save()
    with pytest.raises(AppendOnlyError):
        subject.delete()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEvent.objects.update(action="x"),
        lambda: AuditEvent.objects.filter(action="test.event").delete(),
        lambda: AuditEvent.objects.all().delete(),
        lambda: AuditEvent.objects.bulk_update(list(AuditEvent.objects.all()), ["action"]),
        lambda: AuditEvent.objects.bulk_create([AuditEvent(actor_name="x", action="y")]),
        lambda: AuditEvent.objects.update_or_create(action="test.event", defaults={"action": "x"}),
        lambda: AuditSubject.objects.update(child_pk=0),
        lambda: AuditSubject.objects.all().delete(),
    ],
    ids=[
        "update",
        "delete filtered",
        "delete all",
        "bulk_update",
        "bulk_create",
        "update_or_create",
        "subject update",
        "subject delete",
    ],
)
def test_querysets_refuse_to_change_or_delete_events(event, attempt):
    with pytest.raises(AppendOnlyError):
        attempt()
    assert AuditEvent.objects.filter(action="test.event").count() == 1


def test_creating_an_event_through_the_orm_still_goes_through_the_chain():
    first = AuditEvent.objects.create(occurred_at="2020-01-01T00:00Z", actor_name="x", action="y")
    second = AuditEvent.objects.create(actor_name="x", action="y")

    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash


def test_the_triggers_are_installed():
    assert triggers.installed(connection)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditsubject SET child_pk = 0",
        "DELETE FROM audit_auditsubject",
    ],
)
def test_the_database_refuses_to_change_or_delete_events(event, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.get().action == "test.event"
    assert AuditSubject.objects.count() == 1


def test_the_triggers_are_installed_again_after_every_migrate():
    # (SQLite drops a table's triggers when a migration rebuilds the table.)
    triggers.remove(connection)
    assert not triggers.installed(connection)

    _install_triggers(using="default")

    assert triggers.installed(connection)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="flush deletes rows only on SQLite")
def test_flush_can_still_empty_the_trail_on_sqlite(event):
    # The test runner flushes between transactional tests (the browser tests).
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)

    assert AuditEvent.objects.count() == 0
    assert triggers.installed(connection)
