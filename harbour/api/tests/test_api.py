"""The partners' API (docs/api.md): tokens, scope, notifications and their matching,
homes' reports, reads, problem details, rate limits and the audit of every call."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings

from harbour.api import tokens
from harbour.api.models import ApiCallCount, ApiToken, HeldNotification
from harbour.api.staff_views import _form_fields
from harbour.api.tests.conftest import bearer
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.missing.models import Episode

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)),
]

UTC = dt.UTC


def post(client, path, body, secret=None, **extra):
    headers = bearer(secret) if secret else {}
    return client.post(
        path, data=json.dumps(body), content_type="application/json", **headers, **extra
    )


def notification(**fields):
    body = {
        "police_reference": "XSP-2026-0001",
        "category": "MISSING",
        "last_seen_at": "2026-03-09T21:30:00Z",
        "given_name": "Ada",
        "family_name": "Amberley",
        "date_of_birth": "2012-06-15",
        "child_id": "CH-API-1",
    }
    return {**body, **fields}


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    assert body["instance"] == response.wsgi_request.path
    return body


@pytest.fixture
def ada():
    return ChildFactory(
        child_id="CH-API-1",
        given_name="Ada",
        family_name="Amberley",
        date_of_birth=dt.date(2012, 6, 15),
    )


# Tokens


def test_only_the_hash_of_a_secret_is_stored(issue):
    token, secret = issue("notifications")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith(f"hbr_{stored.prefix}_")
    assert stored.secret_sha256 == tokens.digest(secret)
    values = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in value for value in values)
    issued = AuditEvent.objects.get(action="api.token.issue")
    assert secret not in json.dumps(issued.details)
    assert tokens.digest(secret) not in json.dumps(issued.details)


def test_a_wrong_secret_with_a_real_prefix_is_refused(client, issue, ada):
    token, _secret = issue("notifications")
    forged = f"hbr_{token.prefix}_{'x' * 43}"
    assert_problem(post(client, "/api/v1/notifications", notification(), forged), 401)


def test_an_expired_token_is_refused(client, issue, ada, clock):
    _, secret = issue("notifications", days=1)
    clock.shift(dt.timedelta(days=1, seconds=1))
    response = post(client, "/api/v1/notifications", notification(), secret)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_at_once_and_the_revocation_is_audited(client, issue, ada):
    token, secret = issue("notifications")
    tokens.revoke("test", token)
    assert_problem(post(client, "/api/v1/notifications", notification(), secret), 401)
    assert AuditEvent.objects.filter(action="api.token.revoke", object_id=str(token.pk)).exists()


def test_one_active_token_per_organisation_and_purpose(issue):
    issue("notifications", purpose="missing notifications")
    with pytest.raises(Exception, match="already has a token"):
        issue("notifications", purpose="Missing notifications")


def test_the_command_issues_and_revokes(capsys, ada):
    call_command(
        "api_token",
        "issue",
        "--organisation",
        "Sample House",
        "--purpose",
        "reports",
        "--scope",
        "reports",
        "--child",
        "CH-API-1",
    )
    out = capsys.readouterr().out
    secret = out.split("secret (shown once): ")[1].strip()
    token = tokens.authenticate(secret)
    assert token is not None and token.children == [ada.pk]
    call_command("api_token", "revoke", token.prefix)
    assert tokens.authenticate(secret) is None
    assert AuditEvent.objects.filter(
        action="api.token.issue", actor_name="api_token command"
    ).exists()


# Session cookies and CSRF


def test_a_signed_in_session_is_not_a_token(client, client_as, ada):
    client_as("COORDINATOR", "ADMINISTRATOR")
    assert_problem(post(client, "/api/v1/notifications", notification()), 401)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies = client.cookies
    assert_problem(post(csrf_client, "/api/v1/notifications", notification()), 401)
    assert not Episode.objects.exists()


# Police notifications


def test_a_confident_match_is_recorded_on_the_child_and_repeating_it_changes_nothing(
    client, issue, ada
):
    _, secret = issue("notifications")
    first = post(client, "/api/v1/notifications", notification(), secret)
    assert first.status_code == 201
    assert first.json() == {"police_reference": "XSP-2026-0001", "status": "recorded", "open": True}
    episode = Episode.objects.get()
    assert episode.child == ada and episode.episode_id == "XSP-2026-0001"
    again = post(client, "/api/v1/notifications", notification(), secret)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Episode.objects.count() == 1


def test_a_notification_without_a_person_id_is_held_for_a_coordinator(client, issue, ada):
    _, secret = issue("notifications")
    response = post(client, "/api/v1/notifications", notification(child_id=""), secret)
    assert response.status_code == 202
    assert response.json()["status"] == "held"
    assert not Episode.objects.exists()
    held = HeldNotification.objects.get()
    assert held.given_name == "Ada"
    again = post(client, "/api/v1/notifications", notification(child_id=""), secret)
    assert again.status_code == 200 and HeldNotification.objects.count() == 1


def test_a_person_id_whose_name_disagrees_is_held_not_recorded_on_that_child(client, issue, ada):
    _, secret = issue("notifications")
    response = post(
        client, "/api/v1/notifications", notification(given_name="Zed", family_name="Other"), secret
    )
    assert response.status_code == 202
    assert not Episode.objects.exists()


def test_a_held_notification_is_listed_for_coordinators_and_matched_on_the_form(
    client, client_as, issue, ada
):
    _, secret = issue("notifications")
    post(client, "/api/v1/notifications", notification(child_id=""), secret)
    client_as("COORDINATOR")
    page = client.get("/episodes/from-partners/")
    assert page.status_code == 200
    assert b"XSP-2026-0001" in page.content
    fields = _form_fields(HeldNotification.objects.get())
    for name, value in fields.items():
        assert f'name="{name}" value="{value}"'.encode() in page.content
    choose = client.post("/episodes/new/", fields)
    assert choose.status_code == 200
    assert f'value="{ada.pk}"'.encode() in choose.content
    recorded = client.post("/episodes/new/", {**fields, "step": "choose", "choice": str(ada.pk)})
    assert recorded.status_code == 302
    assert Episode.objects.get().child == ada
    assert b"XSP-2026-0001" not in client.get("/episodes/from-partners/").content
    # Once recorded, the held copy of the child's details is deleted, its values withheld
    # from the trail.
    assert not HeldNotification.objects.exists()
    deleted = AuditEvent.objects.get(action="api.heldnotification.delete")
    assert "Ada" not in json.dumps(deleted.details)
    assert "XSP-2026-0001" not in json.dumps(deleted.details)


def test_found_closes_the_episode_and_is_idempotent(client, issue, ada):
    _, secret = issue("notifications")
    post(client, "/api/v1/notifications", notification(), secret)
    body = {"found_at": "2026-03-10T08:15:00+00:00", "found_location": "A friend's house"}
    found = post(client, "/api/v1/notifications/XSP-2026-0001/found", body, secret)
    assert found.status_code == 200 and found.json()["open"] is False
    assert Episode.objects.get().ended_at == dt.datetime(2026, 3, 10, 8, 15, tzinfo=UTC)
    assert (
        post(client, "/api/v1/notifications/XSP-2026-0001/found", body, secret).status_code == 200
    )


def test_found_for_a_held_notification_waits_with_it(client, issue, ada):
    _, secret = issue("notifications")
    post(client, "/api/v1/notifications", notification(child_id=""), secret)
    body = {"found_at": "2026-03-10T08:15:00Z"}
    assert (
        post(client, "/api/v1/notifications/XSP-2026-0001/found", body, secret).status_code == 200
    )
    assert HeldNotification.objects.get().ended_at is not None


def test_found_for_an_unknown_reference_is_404(client, issue):
    _, secret = issue("notifications")
    body = {"found_at": "2026-03-10T08:15:00Z"}
    assert_problem(post(client, "/api/v1/notifications/NOPE/found", body, secret), 404)


# Homes and partners


def test_a_home_reports_its_child_missing_and_returned(client, issue, ada):
    _, secret = issue("reports", children=[ada], organisation="Sample House")
    report = {
        "police_reference": "XSP-77",
        "category": "MISSING",
        "last_seen_at": "2026-03-09T20:00:00Z",
    }
    created = post(client, "/api/v1/children/CH-API-1/missing", report, secret)
    assert created.status_code == 201
    assert post(client, "/api/v1/children/CH-API-1/missing", report, secret).status_code == 200
    returned = post(
        client,
        "/api/v1/children/CH-API-1/returned",
        {"returned_at": "2026-03-10T09:00:00Z"},
        secret,
    )
    assert returned.status_code == 200 and returned.json()["open"] is False
    assert Episode.objects.get().ended_at is not None


def test_a_home_reporting_a_child_outside_its_scope_gets_403_problem(client, issue, ada):
    other = ChildFactory(child_id="CH-API-2")
    _, secret = issue("reports", children=[ada], organisation="Sample House")
    report = {
        "police_reference": "XSP-78",
        "category": "MISSING",
        "last_seen_at": "2026-03-09T20:00:00Z",
    }
    body = assert_problem(
        post(client, f"/api/v1/children/{other.child_id}/missing", report, secret), 403
    )
    assert body["type"].endswith("/out-of-scope")
    # A child that does not exist answers the same: the token learns nothing.
    assert_problem(post(client, "/api/v1/children/NO-SUCH/missing", report, secret), 403)
    assert not Episode.objects.exists()


def test_a_token_may_use_only_its_endpoints(client, issue, ada):
    _, secret = issue("reports", children=[ada], organisation="Sample House")
    assert_problem(post(client, "/api/v1/notifications", notification(), secret), 403)
    assert_problem(client.get("/api/v1/children/CH-API-1/episodes", **bearer(secret)), 403)


# Read access


def test_an_integration_reads_its_childs_open_episodes_and_interview_status(client, issue, ada):
    from harbour.common.tests.factories import ReturnInterviewFactory

    EpisodeFactory(
        child=ada,
        episode_id="OPEN-1",
        started_at=dt.datetime(2026, 3, 9, tzinfo=UTC),
        ended_at=None,
    )
    closed = EpisodeFactory(
        child=ada, episode_id="CLOSED-1", started_at=dt.datetime(2026, 3, 1, tzinfo=UTC)
    )
    ReturnInterviewFactory(
        episode=closed, outcome="DECLINED", offered_at=closed.ended_at, completed_at=None
    )
    _, secret = issue(
        "read", children=[ada], organisation="Example Shire Council", purpose="case system"
    )
    only_open = client.get("/api/v1/children/CH-API-1/episodes?open=true", **bearer(secret))
    assert only_open.status_code == 200
    assert [e["police_reference"] for e in only_open.json()] == ["OPEN-1"]
    every = client.get("/api/v1/children/CH-API-1/episodes", **bearer(secret)).json()
    assert [(e["police_reference"], e["return_interview_status"]) for e in every] == [
        ("OPEN-1", None),
        ("CLOSED-1", "DECLINED"),
    ]


def test_reading_a_child_outside_the_scope_is_403(client, issue, ada):
    other = ChildFactory(child_id="CH-API-2")
    _, secret = issue("read", children=[ada], purpose="case system")
    assert_problem(client.get(f"/api/v1/children/{other.child_id}/episodes", **bearer(secret)), 403)


# Problems, rate limits, audit


def test_validation_errors_are_problem_details_naming_the_field(client, issue):
    _, secret = issue("notifications")
    response = post(
        client, "/api/v1/notifications", notification(category="LOST", given_name="A\x00"), secret
    )
    body = assert_problem(response, 422)
    fields = {error["field"] for error in body["errors"]}
    assert {"category", "given_name"} <= fields


def test_a_time_in_the_future_is_refused(client, issue, ada):
    _, secret = issue("notifications")
    response = post(
        client, "/api/v1/notifications", notification(last_seen_at="2026-03-11T00:00:00Z"), secret
    )
    assert_problem(response, 422)


def test_unknown_addresses_and_methods_under_api_are_problem_details(client, issue):
    _, secret = issue("notifications")
    assert_problem(client.get("/api/v2/anything", **bearer(secret)), 404)
    assert_problem(client.get("/api/v1/", **bearer(secret)), 404)
    assert_problem(client.get("/api/v1/notifications", **bearer(secret)), 405)
    assert_problem(
        client.post(
            "/api/v1/notifications",
            data="{not json",
            content_type="application/json",
            **bearer(secret),
        ),
        400,
    )


@override_settings(HARBOUR_API_CALLS_PER_MINUTE=3)
def test_past_the_rate_limit_a_token_gets_429_with_retry_after(client, issue, ada, clock):
    _, secret = issue("read", children=[ada], purpose="case system")
    path = "/api/v1/children/CH-API-1/episodes"
    assert [client.get(path, **bearer(secret)).status_code for _ in range(3)] == [200] * 3
    limited = client.get(path, **bearer(secret))
    body = assert_problem(limited, 429)
    assert body["type"].endswith("/rate-limited")
    assert int(limited["Retry-After"]) == 60  # the clock stands at the start of a minute
    clock.shift(dt.timedelta(seconds=60))
    assert client.get(path, **bearer(secret)).status_code == 200


def test_calls_are_counted_in_the_database_so_every_process_shares_the_count(
    client, issue, ada, clock
):
    token, secret = issue("read", children=[ada], purpose="case system")
    path = "/api/v1/children/CH-API-1/episodes"
    for _ in range(2):
        client.get(path, **bearer(secret))
    assert list(ApiCallCount.objects.values_list("token", "calls")) == [(token.pk, 2)]

    # Another process's calls are in the same row: the limit counts them too.
    ApiCallCount.objects.update(calls=settings.HARBOUR_API_CALLS_PER_MINUTE)
    assert client.get(path, **bearer(secret)).status_code == 429

    clock.shift(dt.timedelta(seconds=60))
    assert client.get(path, **bearer(secret)).status_code == 200
    # A new minute's count replaces the token's earlier ones.
    assert list(ApiCallCount.objects.values_list("calls", flat=True)) == [1]


def test_every_call_is_audited_with_its_token_and_no_personal_data(client, issue, ada):
    token, secret = issue("notifications")
    post(client, "/api/v1/notifications", notification(), secret)
    post(client, "/api/v1/notifications", notification(category="LOST"), secret)
    calls = AuditEvent.objects.filter(action="api.call").order_by("pk")
    assert [(e.details["token"], e.details["endpoint"], e.details["status"]) for e in calls] == [
        (token.pk, "notifications", 201),
        (token.pk, "notifications", 422),
    ]
    assert all(e.object_id == str(token.pk) for e in calls)
    text = json.dumps([e.details for e in calls]) + "".join(e.actor_name for e in calls)
    for personal in ("Ada", "Amberley", "CH-API-1", "2012-06-15"):
        assert personal not in text
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


# The documentation


def test_the_docs_are_for_signed_in_administrators_and_coordinators(client, client_as, issue):
    assert client.get("/api/v1/docs").status_code == 302
    assert_problem(client.get("/api/v1/openapi.json"), 401)
    _, secret = issue("notifications")
    assert client.get("/api/v1/openapi.json", **bearer(secret)).status_code == 200
    client_as("SOCIAL_WORKER")
    assert_problem(client.get("/api/v1/docs"), 403)
    client_as("COORDINATOR")
    assert client.get("/api/v1/docs").status_code == 200
    document = client.get("/api/v1/openapi.json").json()
    errors = document["paths"]["/api/v1/notifications"]["post"]["responses"]["403"]["content"]
    assert list(errors) == ["application/problem+json"]


def test_administrators_issue_and_revoke_tokens_on_the_staff_page(client, client_as, ada):
    client_as("ADMINISTRATOR")
    page = client.post(
        "/staff/api-tokens/",
        {
            "organisation": "Sample House",
            "purpose": "reports",
            "scopes": ["reports"],
            "children": "CH-API-1",
            "days": "30",
        },
    )
    assert page.status_code == 200
    secret = (
        page.content.decode()
        .split('<code id="secret" class="govuk-!-font-family-monospace">')[1]
        .split("<")[0]
    )
    assert secret.encode() in page.content
    token = tokens.authenticate(secret)
    assert token is not None and token.created_by is not None
    assert secret.encode() not in client.get("/staff/api-tokens/").content
    client.post(f"/staff/api-tokens/{token.pk}/revoke/")
    assert tokens.authenticate(secret) is None


def test_two_calls_racing_with_one_reference_answer_as_a_repeat(client, issue, ada, monkeypatch):
    """The second of two simultaneous calls breaks the reference's unique rule on insert;
    it is asked again and finds the first's notification."""
    from django.db import IntegrityError

    from harbour.api import services

    _, secret = issue("notifications")
    real = services.receive_notification
    calls = []

    def racing(token, data):
        calls.append(1)
        if len(calls) == 1:
            real(token, data)  # the other call's insert lands first
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(token, data)

    monkeypatch.setattr(services, "receive_notification", racing)
    response = post(client, "/api/v1/notifications", notification(), secret)
    assert response.status_code == 200
    assert Episode.objects.count() == 1


def test_the_log_names_the_endpoint_never_the_person_id_in_the_path(client, issue, ada, caplog):
    _, secret = issue("read", children=[ada], purpose="case system")
    with caplog.at_level("INFO"):
        client.get("/api/v1/children/CH-SECRET-9/episodes", **bearer(secret))
        client.get("/api/v1/nothing/CH-SECRET-9", **bearer(secret))
    assert "CH-SECRET-9" not in caplog.text
    assert "API GET child_episodes answered 403" in caplog.text
