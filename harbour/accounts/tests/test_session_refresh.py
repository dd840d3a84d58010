"""A signed-in session's idle clock is written at most once a minute, not on every request
(docs/security.md, docs/performance.md "Load"), and a session still never outlives
HARBOUR_IDLE_MINUTES without a request."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
PAGE = "/reports/definitions/"
IDLE = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(START)]


@pytest.fixture
def analyst(client, client_as):
    """The test client, signed in as an analyst at START, its session written then."""
    client_as("ANALYST")
    assert client.get(PAGE).status_code == 200
    return client


def expiry() -> dt.datetime:
    return Session.objects.get().expire_date


def test_requests_within_a_minute_of_the_last_write_leave_the_session_unwritten(analyst, clock):
    clock.move_to(START + dt.timedelta(seconds=30))
    assert analyst.get(PAGE).status_code == 200
    assert expiry() == START + IDLE


def test_a_request_a_minute_after_the_last_write_moves_the_idle_clock_on(analyst, clock):
    later = START + dt.timedelta(seconds=61)
    clock.move_to(later)
    assert analyst.get(PAGE).status_code == 200
    assert expiry() == later + IDLE


def test_a_session_never_outlives_the_idle_time_after_its_last_write(analyst, clock):
    clock.move_to(START + dt.timedelta(seconds=30))
    assert analyst.get(PAGE).status_code == 200
    clock.move_to(START + IDLE + dt.timedelta(seconds=1))
    assert analyst.get(PAGE)["Location"].startswith("/sign-in/")


def test_active_sessions_stay_signed_in_past_the_idle_time(analyst, clock):
    for minutes in (20, 40, 60):
        clock.move_to(START + dt.timedelta(minutes=minutes))
        assert analyst.get(PAGE).status_code == 200


def test_a_visitor_who_is_not_signed_in_gets_no_session(client):
    client.get("/sign-in/")
    assert not Session.objects.exists()
