"""The pages of a child's episode, return interview and meetings name the child with a link
to the child's page, so that the child's whole story is one step away."""

import datetime as dt
import re

import pytest

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    MeetingFactory,
)
from harbour.common.time import UTC
from harbour.meetings.models import MeetingTask

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def child(client_as):
    client_as("COORDINATOR")
    return ChildFactory.create(given_name="Ada", family_name="Brook")


def page_of(client, child, kind: str) -> str:
    episode = EpisodeFactory.create(child=child, started_at=NOW - dt.timedelta(days=3))
    if kind == "meeting":
        path = f"/meetings/{MeetingFactory.create(child=child).pk}/"
    elif kind == "meeting task":
        task = MeetingTask.objects.create(
            child=child,
            trigger="LONG_MISSING",
            triggered_at=NOW,
            raised_at=NOW,
            due_on=NOW.date() + dt.timedelta(days=7),
        )
        path = f"/meetings/tasks/{task.pk}/"
    else:
        path = {
            "episode": f"/episodes/{episode.pk}/",
            "return interview": f"/interviews/{episode.pk}/record/",
            "allocation": f"/interviews/{episode.pk}/allocate/",
            "placing authority log": f"/authorities/ola/{episode.pk}/",
        }[kind]
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "kind",
    [
        "episode",
        "return interview",
        "allocation",
        "placing authority log",
        "meeting",
        "meeting task",
    ],
)
def test_the_page_names_the_child_with_a_link_to_the_child_s_page(client, child, kind):
    page = page_of(client, child, kind)

    links = re.findall(rf'<a class="govuk-link" href="/children/{child.pk}/">(.*?)</a>', page)
    assert any("Ada Brook" in text for text in links), links
