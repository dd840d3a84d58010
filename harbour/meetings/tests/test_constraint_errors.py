"""A database rule broken on a meetings form is a GOV.UK error on its field (issue 10, 3)."""

import datetime as dt

import pytest

from harbour.common.tests.factories import MeetingFactory
from harbour.common.time import UTC

pytestmark = pytest.mark.django_db


@pytest.mark.frozen_at(dt.datetime(2024, 3, 20, 12, 0, tzinfo=UTC))
def test_a_held_date_before_the_requested_date_is_an_error_on_the_date_held(client, client_as):
    client_as("COORDINATOR")
    meeting = MeetingFactory(requested_on=dt.date(2024, 3, 10))

    response = client.post(
        f"/meetings/{meeting.pk}/",
        {
            "form": "held",
            "version": meeting.version,
            "held_on-day": "9",
            "held_on-month": "3",
            "held_on-year": "2024",
            "attendees": ["POLICE"],
            "outcome": "Notes",
        },
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "Constraint" not in body and "meeting_held_not_before_requested" not in body
    message = "The date the meeting was held must be the same as or after the date it was requested"
    # In the summary, linked to the first box of the date, and on the field itself.
    assert f'<a href="#held_on-day">{message}</a>' in body
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in body


def test_the_error_summary_follows_the_order_of_the_schedule_page(client, client_as):
    client_as("COORDINATOR")
    meeting = MeetingFactory(requested_on=dt.date(2024, 3, 10))

    body = client.post(
        f"/meetings/{meeting.pk}/schedule/", {"version": meeting.version}
    ).content.decode()

    summary = body[body.index("govuk-error-summary__list") :]
    links = ["#scheduled_on-day", "#time", "#venue", "#chair", "#invitees"]
    positions = [summary.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)


def test_the_error_summary_follows_the_order_of_the_held_form(client, client_as):
    client_as("COORDINATOR")
    meeting = MeetingFactory(requested_on=dt.date(2024, 3, 10))

    body = client.post(
        f"/meetings/{meeting.pk}/", {"form": "held", "version": meeting.version}
    ).content.decode()

    summary = body[body.index("govuk-error-summary__list") :]
    links = ["#held_on-day", "#attendees", "#outcome"]
    positions = [summary.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)
