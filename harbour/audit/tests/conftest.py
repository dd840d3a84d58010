"""Helpers for the audit trail's tests: tampering with the trail on purpose (with the
append-only triggers suspended inside the test's transaction) and running verify_audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from harbour.audit import triggers
from harbour.common.tests.factories import make_staff

Tamper = Callable[..., None]


@pytest.fixture
def tamper() -> Tamper:
    """Run raw SQL against the trail as someone with database access would."""

    def run(sql: str, params: list | tuple = ()) -> None:
        with triggers.suspended(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@dataclass
class Outcome:
    code: int
    output: str


def run_command(name: str, *args: str) -> Outcome:
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return Outcome(code, out.getvalue() + err.getvalue())


@pytest.fixture
def verify() -> Callable[..., Outcome]:
    return lambda *args: run_command("verify_audit", *args)


def make_user(username: str, *roles: str) -> User:
    # Kept for harbour/browser_tests/test_audit_in_browser.py, which signs in with this
    # password; the audit tests themselves use make_staff and client_as.
    return make_staff(*roles, username=username, password="a-long-enough-password")


@pytest.fixture
def auditor_user(client_as: Callable[..., User]) -> User:
    """An auditor, signed in on the test client."""
    return client_as("AUDITOR", username="auditor")


@pytest.fixture
def auditor_client(client: Client, auditor_user: User) -> Client:
    return client
