"""The child's page runs the same number of queries however long the child's story."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)
MAX_QUERIES = 26

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def story(child, count: int, start: int) -> None:
    """`count` more of everything the chronology shows, and legal statuses."""
    for n in range(start, start + count):
        started = NOW - (n + 1) * 7 * DAY
        episode = EpisodeFactory(child=child, started_at=started, found_location="Park")
        ReturnInterviewFactory(episode=episode)
        day = started.date()
        MeetingFactory(child=child, requested_on=day, held_on=day + DAY)
        ReferralFactory(child=child, received_on=day)
        RiskAssessmentFactory(child=child, completed_on=day, risk="HIGH")
        PanelListingFactory(child=child, panel_date=day)
        LegalStatusFactory(
            child=child,
            status="CIN",
            start_date=day,
            end_date=None if n == start else day + DAY,
        )


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("printable", [False, True])
def test_the_page_takes_the_same_queries_for_3_of_everything_as_for_30(
    client_as, client, printable, django_assert_max_num_queries
):
    client_as("COORDINATOR")
    child = ChildFactory()
    path = f"/children/{child.pk}/" + ("print/" if printable else "")
    client.get(path)  # the session and the user, loaded once

    story(child, 3, 0)
    few = queries_for(client, path)
    story(child, 27, 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        many = queries_for(client, path)

    assert many == few
