import datetime as dt

import pytest

from harbour.common.time import UTC
from harbour.interchange.cells import (
    CellError,
    code_list_parser,
    parse_date,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2019-07-01T10:00", dt.datetime(2019, 7, 1, 9, 0, tzinfo=UTC)),  # naive, summer time
        ("2019-12-01T10:00", dt.datetime(2019, 12, 1, 10, 0, tzinfo=UTC)),  # naive, winter time
        ("2019-07-01T10:00:30", dt.datetime(2019, 7, 1, 9, 0, 30, tzinfo=UTC)),
        ("2019-07-01T10:00Z", dt.datetime(2019, 7, 1, 10, 0, tzinfo=UTC)),
        ("2019-07-01T10:00:00+01:00", dt.datetime(2019, 7, 1, 9, 0, tzinfo=UTC)),
        ("2019-07-01T10:00-05:30", dt.datetime(2019, 7, 1, 15, 30, tzinfo=UTC)),
        # An offset makes the autumn hour that happens twice unambiguous.
        ("2019-10-27T01:30+01:00", dt.datetime(2019, 10, 27, 0, 30, tzinfo=UTC)),
        ("2019-10-27T01:30+00:00", dt.datetime(2019, 10, 27, 1, 30, tzinfo=UTC)),
    ],
)
def test_date_times_with_and_without_offsets_are_instants(text, instant):
    assert parse_datetime(text) == instant


def test_a_naive_time_in_the_spring_forward_gap_is_refused():
    with pytest.raises(CellError, match="does not exist in Europe/London"):
        parse_datetime("2019-03-31T01:30")


def test_a_naive_time_in_the_autumn_fall_back_hour_is_refused():
    with pytest.raises(CellError, match="is ambiguous in Europe/London"):
        parse_datetime("2019-10-27T01:30")


def test_naive_times_either_side_of_the_clock_changes_are_accepted():
    assert parse_datetime("2019-03-31T00:59") == dt.datetime(2019, 3, 31, 0, 59, tzinfo=UTC)
    assert parse_datetime("2019-03-31T02:00") == dt.datetime(2019, 3, 31, 1, 0, tzinfo=UTC)
    assert parse_datetime("2019-10-27T00:59") == dt.datetime(2019, 10, 26, 23, 59, tzinfo=UTC)
    assert parse_datetime("2019-10-27T02:00") == dt.datetime(2019, 10, 27, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2019-07-01 10:00",  # space instead of T
        "2019-07-01T10:00:00.5",  # fractional seconds
        "2019-07-01T10:00:00.000Z",
        "2019-07-01T10:00+0100",  # offset without colon
        "2019-07-01T10:00+01",
        "2019-07-01",  # bare date
        "2019-07-01T10",
        "2019-7-1T10:00",
        "01/07/2019 10:00",
        "2019-07-01t10:00",
        "2019-07-01T10:00z",
        "2019-07-01T25:00",
        "2019-02-29T10:00",
        "2019-07-01T10:00:60",
        "2019-07-01T10:00+01:60",
    ],
)
def test_date_time_forms_the_spec_does_not_allow_are_refused(text):
    with pytest.raises(CellError):
        parse_datetime(text)


@pytest.mark.parametrize("text", ["2019-7-01", "20190701", "2019-07-01T00:00", "2019-02-29"])
def test_dates_must_be_real_and_exactly_yyyy_mm_dd(text):
    with pytest.raises(CellError):
        parse_date(text)


def test_a_leap_day_is_a_date():
    assert parse_date("2020-02-29") == dt.date(2020, 2, 29)


def test_code_lists_ignore_spaces_around_items_and_keep_their_order():
    parse = code_list_parser(["CSE", "CCE", "ONLINE"])
    assert parse("ONLINE ;  CSE") == ["ONLINE", "CSE"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("CSE;", "empty item"),
        (";CSE", "empty item"),
        ("CSE; ;CCE", "empty item"),
        ("CSE;CSE", "more than once"),
        ("CSE; cce", "unknown code 'cce'"),
    ],
)
def test_code_lists_refuse_empty_items_repeats_and_unknown_codes(text, message):
    parse = code_list_parser(["CSE", "CCE"])
    with pytest.raises(CellError, match=message):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:30+01:00",  # before year 1 in UTC
        "9999-12-31T23:30-01:00",  # after 9999 in UTC
        "0001-01-01T00:00Z",  # in UTC, but before year 1 in Europe/London (1 minute 15 behind)
    ],
)
def test_a_time_whose_instant_falls_outside_the_calendar_is_refused_with_a_message(text):
    # fromisoformat reads these, but the instant, or its date in Europe/London, is before
    # year 1 or after 9999: the derived facts (local_date) could not be computed.
    with pytest.raises(CellError, match="is outside the years 1 to 9999 in UTC or in Europe/Lo"):
        parse_datetime(text)


def test_the_first_and_last_instants_that_exist_in_both_zones_are_read():
    assert parse_datetime("0001-01-01T00:01:15Z") == dt.datetime(1, 1, 1, 0, 1, 15, tzinfo=UTC)
    assert parse_datetime("0001-01-01T00:00") == dt.datetime(1, 1, 1, 0, 1, 15, tzinfo=UTC)
    assert parse_datetime("9999-12-31T23:59Z") == dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
