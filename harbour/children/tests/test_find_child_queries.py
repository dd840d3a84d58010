"""Finding a child runs the same number of queries however many children it finds or
lists: no query per child."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReferralFactory,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
MAX_QUERIES = 16


def smiths(count: int, start: int) -> None:
    for n in range(start, start + count):
        child = ChildFactory(
            given_name="John", family_name="Smith", restricted=n % 5 == 0, child_id=f"S{n}"
        )
        EpisodeFactory(child=child, started_at=NOW - dt.timedelta(hours=n + 1), ended_at=None)
        LegalStatusFactory(child=child, responsible_la="202")
        ReferralFactory(child=child, received_on=dt.date(2024, 6, 1))


def queries_for(client, path: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path, params",
    [
        ("/children/find/", {"q": "Jon Smith"}),
        ("/children/find/", {"q": "smith"}),
        ("/children/find/", {"q": "15/6/2005"}),
        ("/children/", {}),
        ("/children/", {"show": ["missing", "other-authority", "exploitation"]}),
    ],
)
def test_finding_children_takes_the_same_queries_for_three_or_thirty(
    client, client_as, settings, path, params
):
    settings.LOCAL_AUTHORITY_CODE = "999"
    client_as("COORDINATOR")
    client.get(path, params)  # the session and the user, loaded once
    smiths(3, 0)
    few = queries_for(client, path, params)
    smiths(27, 3)
    many = queries_for(client, path, params)
    assert few == many
    assert many <= MAX_QUERIES
