"""An episode imported from an SSDA903 return holds dates only: its instants are local
midnights no one saw, so every page shows its dates, never "at midnight"."""

import datetime as dt
import html

import pytest

from harbour.casework.chronology import chronology
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC
from harbour.returns.ssda903.importer import local_midnight

NOW = dt.datetime(2024, 11, 1, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def date_only_episode(ended: dt.date | None = dt.date(2024, 7, 4)):
    return EpisodeFactory(
        child=ChildFactory(child_id="DO-1"),
        episode_id="903-DO-1-M-20240701",
        started_at=local_midnight(dt.date(2024, 7, 1)),
        ended_at=local_midnight(ended) if ended else None,
        date_only=True,
    )


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_episode_page_shows_dates_and_says_the_times_are_not_known(client, client_as):
    episode = date_only_episode()
    client_as("COORDINATOR")

    body = page(client, f"/episodes/{episode.pk}/")

    details = body[: body.index("Return interview due by")]
    assert "1 July 2024" in details and "4 July 2024" in details
    assert "midnight" not in details
    assert "which holds dates only" in body


def test_an_episode_with_real_times_keeps_them_and_has_no_dates_only_note(client, client_as):
    episode = EpisodeFactory(
        started_at=dt.datetime(2024, 7, 1, 18, 0, tzinfo=UTC),
        ended_at=dt.datetime(2024, 7, 2, 9, 30, tzinfo=UTC),
    )
    client_as("COORDINATOR")

    body = page(client, f"/episodes/{episode.pk}/")

    assert "1 July 2024 at 7pm" in body
    assert "which holds dates only" not in body


def test_the_episode_list_shows_the_dates_alone(client, client_as):
    date_only_episode(ended=None)
    client_as("COORDINATOR")

    body = page(client, "/episodes/")

    assert "1 July 2024" in body
    assert "1 July 2024 at midnight" not in body


def test_the_chronology_places_a_date_only_episode_on_its_dates_with_days_not_hours():
    episode = date_only_episode()

    entries = [entry for entry in chronology(episode.child, kinds={"episodes"})]

    assert [(entry.date_text, entry.title, entry.has_time) for entry in entries] == [
        ("4 July 2024", "Found or returned", False),
        ("1 July 2024", "Went missing", False),
    ]
    assert entries[0].detail == "Dates only, 3 days after going missing"
