"""The meetings list runs the same number of queries however many tasks and meetings it
lists."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import ChildFactory, EpisodeFactory, MeetingFactory
from harbour.common.time import UTC
from harbour.meetings import triggers

T0 = dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
NOW = dt.datetime(2024, 3, 20, 12, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)
MAX_QUERIES = 18

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def tasks_and_meetings(count: int) -> None:
    """Per child: a task raised by a long episode and joined by three repeat episodes, and a
    meeting requested; every third child also has a meeting already held."""
    for n in range(count):
        child = ChildFactory.create()
        EpisodeFactory(child=child, started_at=T0, ended_at=T0 + 4 * DAY)
        for days in (5, 7, 9):
            EpisodeFactory(child=child, started_at=T0 + days * DAY, ended_at=T0 + days * DAY)
        triggers.evaluate("test", child, NOW)
        MeetingFactory(child=child, requested_on=NOW.date() - 2 * DAY)
        if n % 3 == 0:
            MeetingFactory(child=child, requested_on=T0.date(), held_on=T0.date() + DAY)


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_list_takes_the_same_queries_for_3_children_as_for_30(
    client, django_assert_max_num_queries, client_as
):
    client_as("COORDINATOR")
    client.get("/meetings/")  # the session and the user, loaded once

    tasks_and_meetings(3)
    few = queries_for(client, "/meetings/")
    tasks_and_meetings(27)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, "/meetings/")

    assert many == few


def test_long_lists_show_their_first_rows_and_how_many_there_are(client, monkeypatch, client_as):
    from harbour.common import paging
    from harbour.meetings import views

    monkeypatch.setattr(views, "LIST_ROWS", 2)
    monkeypatch.setattr(paging, "COUNT_LIMIT", 4)
    client_as("COORDINATOR")
    tasks_and_meetings(3)
    for _ in range(3):
        MeetingFactory(requested_on=NOW.date() - 3 * DAY)

    body = client.get("/meetings/").content.decode()

    assert "Meetings needed (3)" in body
    assert "Showing the 2 due earliest of 3." in body
    assert "Planned meetings (more than 4)" in body
    assert "Showing the 2 requested earliest of more than 4." in body
