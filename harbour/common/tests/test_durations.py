"""Durations are shown in days and hours, never as thousands of hours."""

import pytest
from django.template import engines

from harbour.common.durations import hours_in_words, seconds_in_words


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (0, "less than 1 hour"),
        (1, "1 hour"),
        (5, "5 hours"),
        (23, "23 hours"),
        (24, "1 day"),
        (25, "1 day 1 hour"),
        (49, "2 days 1 hour"),
        (72, "3 days"),
        (2070, "86 days 6 hours"),
    ],
)
def test_a_number_of_hours_reads_as_days_and_hours(hours, words):
    assert hours_in_words(hours) == words


def test_nothing_to_show_stays_empty():
    assert hours_in_words(None) == ""


def test_every_template_can_show_a_duration_with_the_filter():
    template = engines["jinja2"].from_string("Overdue by {{ hours|duration }}")
    assert template.render({"hours": 2070}) == "Overdue by 86 days 6 hours"


def test_the_dashboard_shows_overdue_interviews_in_days_and_hours(client, django_user_model):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from harbour.accounts.models import RoleAssignment
    from harbour.common.tests.factories import EpisodeFactory

    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(hours=2070 + 72 + 10), tick=False):
        EpisodeFactory(started_at=timezone.now(), ended_at=timezone.now() + dt.timedelta(hours=10))
    user = django_user_model.objects.create_user("coordinator")
    RoleAssignment.objects.create(user=user, role="COORDINATOR")
    client.force_login(user)
    with time_machine.travel(now, tick=False):
        page = client.get("/").content.decode()
    assert "86 days 6 hours" in page
    assert ">2070<" not in page


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (59, "less than 1 minute"),
        (60, "1 minute"),
        (45 * 60, "45 minutes"),
        (3600, "1 hour"),
        (12 * 3600 + 30 * 60, "12 hours 30 minutes"),
        (23 * 3600 + 59 * 60 + 59, "23 hours 59 minutes"),
        (72 * 3600 + 59 * 60, "3 days"),
        (100 * 3600, "4 days 4 hours"),
    ],
)
def test_how_long_an_episode_lasted_reads_in_minutes_hours_and_days(seconds, words):
    assert seconds_in_words(seconds) == words
