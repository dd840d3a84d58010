"""Concurrent writers: each takes the chain head's row lock in turn, so the chain stays
gap-free and verifies (PostgreSQL: SQLite has one writer at a time anyway)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
]

THREADS = 8
EVENTS = 15


def test_concurrent_writers_keep_the_chain_whole(verify):
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS):
                with transaction.atomic():
                    auditor.record(f"writer {number}", "test.event", details={"n": n})
                    if n % 5 == 0:
                        time.sleep(0.01)  # hold the lock a while, inside the transaction
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEvent.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS * EVENTS + 1))
    outcome = verify()
    assert outcome.code == 0, outcome.output
