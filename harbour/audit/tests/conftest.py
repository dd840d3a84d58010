"""Helpers for the audit trail's tests: tampering with the trail on purpose (with the
append-only triggers suspended inside the test's transaction) and running verify_audit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from harbour.accounts.models import RoleAssignment
from harbour.audit import triggers

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


def make_user(username: str, *roles: str):
    user = get_user_model().objects.create_user(username, password="a-long-enough-password")
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    return user


@pytest.fixture
def auditor_user():
    return make_user("auditor", "AUDITOR")


@pytest.fixture
def auditor_client(client, auditor_user):
    client.force_login(auditor_user)
    return client
