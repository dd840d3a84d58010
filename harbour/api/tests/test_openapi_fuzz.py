"""The OpenAPI document, fuzzed with schemathesis in-process against Harbour's WSGI app:
every operation, with data made from the document, as a token allowed everything on one
child. Not one server error, and every response as the document says (status, media
type, headers, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as sc
from schemathesis.specs.openapi import checks as oc

from harbour.api import tokens
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory, EpisodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wsgi_app():
    """Harbour's WSGI application, as a server runs it, but keeping the test's database
    connection open between requests (as Django's test client does): the test's
    transaction holds the records the run uses."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


CHECKS = [
    sc.not_a_server_error,
    oc.status_code_conformance,
    oc.content_type_conformance,
    oc.response_headers_conformance,
    oc.response_schema_conformance,
]


def fuzz(operation, pinned, known, auth):
    """A hypothesis test of one operation (called to run it)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if pinned and case.path_parameters:
            case.path_parameters = {
                name: known.get(name, value) for name, value in case.path_parameters.items()
            }
        case.call_and_validate(headers=auth, checks=CHECKS)

    return run


@override_settings(HARBOUR_API_CALLS_PER_MINUTE=100_000, ALLOWED_HOSTS=["*"])
def test_the_api_answers_every_generated_request_as_its_document_says(wsgi_app):
    child = ChildFactory(child_id="FUZZ-1")
    EpisodeFactory(child=child, episode_id="FUZZ-REF-1", ended_at=None)
    issued = tokens.issue(
        "test",
        organisation="Fuzz",
        purpose="schemathesis",
        scopes=["notifications", "reports", "read"],
        children=[child.child_id],
        days=1,
    )
    auth = {"Authorization": f"Bearer {issued.secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5
    failures = []
    # Each operation as generated, then with its path naming the child in the token's
    # scope and a police reference on the register, so that the run goes past the scope
    # and lookup checks into the services.
    known = {"child_id": child.child_id, "reference": "FUZZ-REF-1"}
    for operation, pinned in [(o, False) for o in operations] + [(o, True) for o in operations]:
        try:
            fuzz(operation, pinned, known, auth)()
        except Exception as failure:  # every operation is tried; each failure is reported
            failures.append(f"{operation.label}: {str(failure)[:2000]}")
    assert failures == []
    # The run reached the API: each call made with the token is in the audit trail.
    calls = AuditEvent.objects.filter(action="api.call", object_id=str(issued.token.pk))
    assert calls.count() >= 5 * 10
    assert calls.filter(details__status__lt=300).exists()
