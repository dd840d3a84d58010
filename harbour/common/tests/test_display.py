"""The one way pages show dates and times: GOV.UK style, UK time (harbour/common/display.py)."""

import datetime as dt
import re

import pytest

from harbour.common.display import date_text, staff_name, time_text, when_text
from harbour.common.time import UTC, epoch_seconds, instant_of
from harbour.jinja2 import environment


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (utc(2026, 12, 4, 13, 16), "4 December 2026 at 1:16pm"),
        (utc(2026, 12, 4, 9, 0), "4 December 2026 at 9am"),
        (utc(2026, 12, 4, 12, 0), "4 December 2026 at midday"),
        (utc(2026, 12, 4, 0, 0), "4 December 2026 at midnight"),
        (utc(2026, 12, 4, 0, 5), "4 December 2026 at 12:05am"),
        (utc(2026, 12, 4, 12, 30), "4 December 2026 at 12:30pm"),
    ],
)
def test_an_instant_in_winter_reads_in_govuk_style(instant, shown):
    assert when_text(instant) == shown


def test_an_instant_in_summer_is_shown_in_british_summer_time_with_its_uk_date():
    # 23:30 UTC on 30 June is 12:30am on 1 July in London.
    assert when_text(utc(2026, 6, 30, 23, 30)) == "1 July 2026 at 12:30am"
    assert date_text(utc(2026, 6, 30, 23, 30)) == "1 July 2026"


def test_the_two_times_of_the_autumn_hour_say_which_they_are():
    # 25 October 2026: 1:30am happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
    assert when_text(utc(2026, 10, 25, 0, 30)) == "25 October 2026 at 1:30am (BST)"
    assert when_text(utc(2026, 10, 25, 1, 30)) == "25 October 2026 at 1:30am (GMT)"
    assert when_text(utc(2026, 10, 25, 2, 30)) == "25 October 2026 at 2:30am"


def test_the_audit_trail_shows_seconds():
    assert time_text(utc(2026, 12, 4, 13, 16, 5), seconds=True) == "1:16:05pm"
    assert when_text(utc(2026, 12, 4, 0, 0, 9), seconds=True) == "4 December 2026 at 12:00:09am"


def test_nothing_recorded_shows_nothing():
    assert when_text(None) == ""
    assert date_text(None) == ""


def test_a_date_has_no_leading_zero():
    assert date_text(dt.date(2026, 3, 7)) == "7 March 2026"


def test_templates_use_the_same_formatter_through_filters():
    template = environment().from_string("{{ at|when }} / {{ day|date_text }}")
    shown = template.render(at=utc(2026, 12, 4, 13, 16), day=dt.date(2026, 3, 7))
    assert shown == "4 December 2026 at 1:16pm / 7 March 2026"


def test_no_page_or_message_formats_a_date_by_itself():
    """Month names come only from harbour/common/display.py: a second formatter is how
    pages came to show "11:00am", "11am" and "11:00" for the same time."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    own = {root / "common" / "display.py"}
    month_name = re.compile(r"%B")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.rglob("*.py"), *root.rglob("*.html")]
        if path not in own
        and not any("tests" in part for part in path.parts)
        and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if month_name.search(line)
    ]
    assert found == []


def test_a_member_of_staff_is_named_in_full_or_by_username_when_no_name_is_recorded():
    from django.contrib.auth.models import User

    assert staff_name(User(username="jo.k", first_name="Jo", last_name="Kent")) == "Jo Kent"
    assert staff_name(User(username="jo.k")) == "jo.k"


def test_whole_epoch_seconds_turn_back_into_the_same_instant_across_the_clock_change():
    autumn_repeat = dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC)

    assert instant_of(epoch_seconds(autumn_repeat)) == autumn_repeat
    assert instant_of(0) == dt.datetime(1970, 1, 1, tzinfo=UTC)
