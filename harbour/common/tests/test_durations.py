"""Durations are shown in days and hours, never as thousands of hours."""

import pytest
from django.template import engines

from harbour.common.durations import hours_in_words


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
