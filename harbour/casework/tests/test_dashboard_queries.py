"""The dashboard runs the same number of queries whatever the number of children listed."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    PanelListingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
MAX_QUERIES = 24

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def children_on_every_list(count: int, start: int) -> None:
    """Children missing now, with interviews due soon and overdue, recent episodes found at
    places, exploitation records and legal statuses (some placed by other authorities)."""
    for n in range(start, start + count):
        child = ChildFactory()
        if n % 3 == 0:
            LegalStatusFactory(child=child, responsible_la="344")
        elif n % 3 == 1:
            LegalStatusFactory(child=child, responsible_la="343")
        EpisodeFactory(child=child, started_at=NOW - (n + 1) * HOUR, ended_at=None)
        for days in (3, 10, 20):
            EpisodeFactory(
                child=child,
                started_at=NOW - days * DAY,
                ended_at=NOW - days * DAY + 5 * HOUR,
                found_location=f"Place {n % 12}",
            )
        due_soon = EpisodeFactory(child=child, started_at=NOW - 60 * HOUR, ended_at=NOW - 50 * HOUR)
        overdue = EpisodeFactory(child=child, started_at=NOW - 40 * DAY, ended_at=NOW - 39 * DAY)
        ReturnInterviewFactory(episode=overdue, outcome="NO_RESPONSE", completed_at=None)
        if n % 2:
            ReturnInterviewFactory(episode=due_soon, outcome="ACCEPTED", completed_at=None)
        ReferralFactory(child=child, received_on=NOW.date() - 30 * DAY)
        RiskAssessmentFactory(child=child, completed_on=NOW.date() - 30 * DAY, risk="HIGH")
        PanelListingFactory(child=child, panel_date=NOW.date() - 30 * DAY)


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_dashboard_takes_the_same_queries_for_55_children_as_for_110(
    client_as, client, django_assert_max_num_queries
):
    # Both sizes are past every cap (50 interviews per list, 20 hotspots, 10 places), so
    # both count the lists they cut short.
    client_as("COORDINATOR")
    client.get("/")  # the session and the user, loaded once

    children_on_every_list(55, 0)
    few = queries_for(client, "/")
    children_on_every_list(55, 55)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, "/")

    assert many == few


def test_a_long_list_is_counted_only_up_to_the_limit(client, client_as, monkeypatch):
    from harbour.casework import dashboard

    monkeypatch.setattr(dashboard, "COUNT_LIMIT", 5)
    monkeypatch.setattr(dashboard, "INTERVIEW_ROWS", 2)
    client_as("COORDINATOR")
    for n in range(7):
        EpisodeFactory(started_at=NOW - (100 + n) * HOUR, ended_at=NOW - (90 + n) * HOUR)

    page = client.get("/").content.decode()

    assert "Overdue (more than 5)" in page
    assert "Showing the first 2 of more than 5." in page
