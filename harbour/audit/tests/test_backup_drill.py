"""The backup drill needs PostgreSQL; on SQLite it says so and exits 1. (The drill itself
runs in harbour/tests_operations/test_backup_drill.py, on the PostgreSQL leg.)"""

import pytest
from django.db import connection

from .conftest import run_command

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite refusal"),
]


def test_the_drill_refuses_a_database_that_is_not_postgresql():
    outcome = run_command("backup_drill")

    assert outcome.code == 1
    assert "backup drill FAILED: the drill uses pg_dump and pg_restore" in outcome.output
