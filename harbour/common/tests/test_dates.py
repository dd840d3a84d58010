"""The one reader of dates and times typed into GOV.UK day, month, year, hour, minute boxes."""

import datetime as dt

import pytest
import time_machine

from harbour.common.dates import (
    DateEntryError,
    date_parts,
    datetime_parts,
    read_date,
    read_datetime,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 11, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def when(**parts):
    values = {"day": "2", "month": "4", "year": "2024", "hour": "21", "minute": "30"}
    return values | parts


def problem(reader, parts, **options):
    with pytest.raises(DateEntryError) as caught:
        reader(parts, "when the child was last seen", required=True, **options)
    return caught.value.message, caught.value.part


def test_a_summer_time_is_read_as_british_summer_time():
    assert read_datetime(when(), "it", required=True) == dt.datetime(2024, 4, 2, 20, 30, tzinfo=UTC)


def test_nothing_typed_is_none_unless_required():
    assert read_datetime({}, "it", required=False) is None
    assert read_date({"day": " "}, "it", required=False) is None
    assert problem(read_datetime, {}) == ("Enter when the child was last seen", "day")


@pytest.mark.parametrize(
    ("parts", "message", "part"),
    [
        (when(month=""), " must include a month", "month"),
        (when(minute=""), " must include a minute", "minute"),
        (when(day="2nd"), " must be real numbers, like 27 3 2024", "day"),
        (when(year="24"), " must have a 4-digit year", "year"),
        (when(day="31", month="2"), " must be a real date", "day"),
        (when(hour="24"), ": the hour must be from 0 to 23 (24-hour clock)", "hour"),
        (when(minute="60"), ": the minute must be from 0 to 59", "minute"),
        (when(year="2025"), " must be in the past", "day"),
    ],
)  # fmt: skip
def test_what_is_wrong_is_named_with_the_box_it_is_about(parts, message, part):
    assert problem(read_datetime, parts) == ("When the child was last seen" + message, part)


def test_the_hour_skipped_in_spring_is_refused():
    message, part = problem(read_datetime, when(day="31", month="3", hour="1", minute="30"))
    assert "did not exist in the UK" in message and part == "hour"


def test_the_hour_repeated_in_autumn_is_asked_about_then_read_as_chosen():
    repeated = when(day="27", month="10", hour="1", minute="30")
    message, part = problem(read_datetime, repeated)
    assert part == "offset" and "1:30 happened twice" in message

    first = read_datetime(repeated | {"offset": "+01:00"}, "it", required=True)
    second = read_datetime(repeated | {"offset": "+00:00"}, "it", required=True)

    assert second - first == dt.timedelta(hours=1)
    assert first == dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)


def test_a_future_date_is_allowed_only_when_asked():
    tomorrow = {"day": "2", "month": "11", "year": "2024"}
    assert problem(read_date, tomorrow)[0] == (
        "When the child was last seen must be today or in the past"
    )
    assert read_date(tomorrow, "it", required=True, past_only=False) == dt.date(2024, 11, 2)
    assert read_date({"day": "1", "month": "11", "year": "2024"}, "it", required=True)


def test_stored_values_fill_the_boxes_again_and_read_back_the_same():
    for instant in (
        dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
        dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
        dt.datetime(2024, 7, 1, 8, 5, tzinfo=UTC),
    ):
        parts = datetime_parts(instant)
        assert read_datetime(parts, "it", required=True) == instant
    assert "offset" not in datetime_parts(dt.datetime(2024, 7, 1, 8, 5, tzinfo=UTC))
    assert date_parts(dt.date(2024, 3, 7)) == {"day": "7", "month": "3", "year": "2024"}
