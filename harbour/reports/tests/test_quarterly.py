"""The quarterly report, row by row (shared/spec/metrics.md, "Quarterly report")."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.common.tests.factories import ChildFactory
from harbour.reports.engine import build_report
from harbour.reports.periods import Period

from .helpers import (
    Q1,
    episode,
    figures,
    interview,
    london,
    looked_after_by,
    on_plan,
    value,
)

pytestmark = pytest.mark.django_db


def test_an_empty_period_has_zero_counts_and_null_extremes_and_percentages():
    result = figures()
    assert result["episodes_total"] == (0, None)
    assert result["episodes_ola"] == (0, None)
    assert result["duration_max_days"] == (None, None)
    assert result["age_youngest"] == (None, None)
    assert result["age_average"] == (None, None)
    assert result["rhi_longest_days"] == (None, None)


# Episodes in the period --------------------------------------------------------------


def test_episode_just_after_local_midnight_on_the_first_day_is_in_the_quarter():
    episode(started=london(2019, 4, 1, 0, 10))  # 23:10 UTC on 31 March
    assert value("episodes_total") == 1


def test_episode_just_before_local_midnight_on_the_last_day_is_in_the_quarter():
    episode(started=london(2019, 6, 30, 23, 50))  # 22:50 UTC on 30 June
    episode(started=london(2019, 7, 1, 0, 10))  # 23:10 UTC on 30 June: next quarter
    assert value("episodes_total") == 1


def test_episode_just_before_local_midnight_on_the_eve_of_the_quarter_is_not_in_it():
    episode(started=london(2019, 3, 31, 23, 30))  # 22:30 UTC on 31 March, BST
    assert value("episodes_total") == 0


def test_absences_count_only_when_asked_for():
    episode(category="ABSENT")
    episode(category="MISSING")
    assert value("episodes_total") == 1
    assert value("episodes_total", absences=True) == 2


# Groups: OLA, host, LAC, CP ----------------------------------------------------------


def test_episodes_are_split_by_group_with_percentages_of_their_bases():
    for _ in range(2):
        episode(child=looked_after_by("874"))
    for _ in range(3):
        episode(child=looked_after_by(""))
    episode(child=looked_after_by("343"))  # this authority's own code, written out
    episode(child=on_plan("CP"))
    episode(child=on_plan("CIN"))
    episode()

    result = figures()

    assert result["episodes_total"] == (9, None)
    assert result["episodes_ola"] == (2, 22)
    assert result["episodes_host"] == (7, 78)
    assert result["episodes_host_lac"] == (4, 57)
    assert result["episodes_host_cp"] == (1, 14)


def test_a_status_starting_on_the_episodes_local_date_decides_its_group():
    child = on_plan("CP", start=dt.date(2019, 5, 1))
    episode(started=london(2019, 5, 1, 0, 20), child=child)  # 23:20 UTC on 30 April
    assert value("episodes_host_cp") == 1


def test_a_status_ending_on_the_episodes_local_date_still_decides_its_group():
    child = looked_after_by("874", end_date=dt.date(2019, 5, 1))
    episode(started=london(2019, 5, 1, 23, 50), child=child)
    assert value("episodes_ola") == 1


def test_a_status_that_ended_the_day_before_does_not_count():
    child = looked_after_by("874", end_date=dt.date(2019, 4, 30))
    episode(started=london(2019, 5, 1, 0, 20), child=child)
    assert value("episodes_ola") == 0
    assert value("episodes_host") == 1


# Individuals ---------------------------------------------------------------------------


def test_individuals_are_counted_once_in_the_group_of_their_latest_episode():
    moved_here = on_plan("CP", end_date=dt.date(2019, 5, 31))
    looked_after_by("874", child=moved_here, start=dt.date(2019, 6, 1))
    episode(started=london(2019, 5, 10, 9, 0), child=moved_here)  # CP
    episode(started=london(2019, 6, 10, 9, 0), child=moved_here)  # OLA: the latest
    taken_into_care = ChildFactory()
    episode(started=london(2019, 4, 10, 9, 0), child=taken_into_care)  # NONE
    looked_after_by("", child=taken_into_care, start=dt.date(2019, 5, 1))
    episode(started=london(2019, 5, 10, 9, 0), child=taken_into_care)  # LAC: the latest
    episode(child=on_plan("CP"))

    result = figures()

    assert result["episodes_total"] == (5, None)
    assert result["individuals_total"] == (3, None)
    assert result["individuals_ola"] == (1, 33)
    assert result["individuals_host"] == (2, 67)
    assert result["individuals_host_lac"] == (1, 50)
    assert result["individuals_host_cp"] == (1, 50)


def test_an_absence_does_not_decide_an_individuals_group_unless_absences_are_included():
    child = looked_after_by("874", start=dt.date(2019, 6, 1))
    episode(started=london(2019, 5, 1, 9, 0), child=child)  # NONE
    episode(started=london(2019, 6, 5, 9, 0), child=child, category="ABSENT")  # OLA
    assert value("individuals_ola") == 0
    assert value("individuals_ola", absences=True) == 1


# Durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "band"),
    [
        (23.99, "duration_under_1_day"),
        (24, "duration_1_to_2_days"),
        (47.99, "duration_1_to_2_days"),
        (48, "duration_2_to_3_days"),
        (71.99, "duration_2_to_3_days"),
        (72, "duration_3_days_or_more"),
    ],
)
def test_duration_bands_include_their_lower_bound(hours, band):
    episode(hours=hours)
    bands = [
        "duration_under_1_day",
        "duration_1_to_2_days",
        "duration_2_to_3_days",
        "duration_3_days_or_more",
    ]
    result = figures()
    assert {b: result[b][0] for b in bands} == {b: int(b == band) for b in bands}
    assert result[band][1] == 100


def test_an_imported_episode_ending_before_it_starts_counts_under_a_day_by_the_literal_reading():
    # Only a date-only episode (from the 903) may be stored so: rule 567 lists it.
    episode(hours=5)
    episode(started=london(2019, 5, 10, 0, 0), hours=-96, date_only=True)

    result = figures()

    assert result["duration_under_1_day"][0] == 2
    assert result["duration_max_days"][0] == 0


def test_a_day_and_night_across_the_spring_clock_change_is_23_hours_so_under_a_day():
    period = Period(dt.date(2019, 3, 1), dt.date(2019, 3, 31))
    episode(started=london(2019, 3, 30, 22, 0), hours=23)  # 22:00 to 22:00 on the clock
    assert value("duration_under_1_day", period=period) == 1


def test_a_day_and_night_across_the_autumn_clock_change_is_25_hours_so_over_a_day():
    period = Period.quarter(2019, 3)
    episode(started=london(2019, 10, 26, 22, 0), hours=25)  # 22:00 to 22:00 on the clock
    assert value("duration_1_to_2_days", period=period) == 1


def test_open_episodes_have_no_duration_and_are_counted_as_open():
    episode(hours=None)
    episode(hours=30)
    result = figures()
    assert result["episodes_open"] == (1, 50)
    assert result["duration_under_1_day"][0] + result["duration_1_to_2_days"][0] == 1
    assert result["duration_max_days"] == (1, None)


def test_longest_duration_is_in_whole_days_rounded_down():
    episode(hours=34 * 24 + 23.9)
    episode(hours=3)
    assert value("duration_max_days") == 34


# Ages ----------------------------------------------------------------------------------


def test_youngest_age_and_a_birthday_on_the_day_of_the_episode():
    ten_today = ChildFactory(date_of_birth=dt.date(2009, 5, 1))
    episode(started=london(2019, 5, 1, 0, 20), child=ten_today)  # 23:20 UTC on 30 April
    episode(child=ChildFactory(date_of_birth=dt.date(2005, 1, 1)))
    assert value("age_youngest") == 10


def test_average_age_is_over_episodes_to_one_decimal_place_half_up():
    # Ages 15, 15, 15, 16: mean 15.25, which rounds half up to 15.3 (not to even 15.2).
    fifteen = ChildFactory(date_of_birth=dt.date(2003, 6, 1))
    for _ in range(3):
        episode(child=fifteen)
    episode(child=ChildFactory(date_of_birth=dt.date(2003, 1, 1)))
    assert value("age_average") == 15.3


# Return interviews ---------------------------------------------------------------------


def test_interview_outcomes_of_host_episodes():
    for outcome in ["ACCEPTED", "ACCEPTED", "DECLINED", "NO_RESPONSE", "NOT_REQUIRED"]:
        interview(episode(), outcome)
    interview(episode(), "NOT_OFFERED")
    episode()  # no interview row: not offered
    episode(hours=None)  # still missing
    result = figures()
    assert result["episodes_host"] == (8, 100)
    assert result["rhi_offered"] == (4, 50)
    assert result["rhi_declined"] == (1, 13)  # 1 of 8 is 12.5 %, half up 13
    assert result["rhi_accepted"] == (2, 25)


def test_interviews_recorded_for_ola_episodes_never_count_in_host_rows():
    for _ in range(3):
        interview(episode(child=looked_after_by("874")), "ACCEPTED", after_hours=1)
    interview(episode(), "DECLINED")
    result = figures()
    assert result["rhi_offered"] == (1, 100)
    assert result["rhi_accepted"] == (0, 0)
    assert result["rhi_completed"] == (0, None)
    assert result["rhi_longest_days"] == (None, None)


def test_completed_interviews_are_accepted_ones_that_took_place():
    interview(episode(), "ACCEPTED", after_hours=5)
    interview(episode(), "ACCEPTED", after_hours=None)  # accepted, not (yet) held
    result = figures()
    assert result["rhi_accepted"] == (2, 100)
    assert result["rhi_completed"] == (1, 50)


@pytest.mark.parametrize(
    ("hours", "within_72", "within_week"),
    [(72, 1, 1), (72.02, 0, 1), (168, 0, 1), (168.02, 0, 0)],
)
def test_interview_within_72_hours_and_within_a_week_include_the_limit(
    hours, within_72, within_week
):
    interview(episode(), "ACCEPTED", after_hours=hours)
    assert value("rhi_within_72_hours") == within_72
    assert value("rhi_within_1_week") == within_week


def test_interview_completed_72_wall_clock_hours_after_return_across_autumn_change_is_late():
    period = Period.quarter(2019, 3)
    # Found 10:00 on 25 October; interview 10:00 on 28 October, the clocks having gone
    # back on the 27th: 73 hours later, not 72.
    ep = episode(started=london(2019, 10, 25, 6, 0), hours=4)
    interview(ep, "ACCEPTED", after_hours=73)
    assert value("rhi_within_72_hours", period=period) == 0
    assert value("rhi_within_1_week", period=period) == 1


def test_interview_72_wall_clock_hours_after_return_across_spring_change_is_on_time():
    period = Period.quarter(2018, 4)
    ep = episode(started=london(2019, 3, 29, 6, 0), hours=4)  # found 10:00 on the 29th
    interview(ep, "ACCEPTED", after_hours=71)  # 10:00 on 1 April on the clock
    assert value("rhi_within_72_hours", period=period) == 1


def test_longest_time_to_interview_is_in_whole_days_of_completed_interviews():
    interview(episode(), "ACCEPTED", after_hours=23 * 24 + 23)
    interview(episode(), "ACCEPTED", after_hours=2)
    assert value("rhi_longest_days") == 23


# Contract ------------------------------------------------------------------------------


def test_the_quarterly_report_takes_two_queries(django_assert_max_num_queries):
    interview(episode(child=looked_after_by("874")), "ACCEPTED")
    interview(episode(), "DECLINED")
    with django_assert_max_num_queries(2):
        build_report("quarterly", Q1)


def test_the_annual_report_takes_at_most_twelve_queries():
    interview(episode(), "ACCEPTED")
    with CaptureQueriesContext(connection) as queries:
        build_report("annual", Period.financial_year(2019))
    assert len(queries) <= 12


def test_json_has_the_shape_the_spec_gives():
    episode()
    data = build_report("quarterly", Q1).as_json()
    assert list(data) == ["report", "from", "to", "include_absences", "rows"]
    assert (data["report"], data["from"], data["to"]) == ("quarterly", "2019-04-01", "2019-06-30")
    assert data["rows"][0] == {
        "id": "episodes_total",
        "label": "Total number of missing episodes",
        "value": 1,
        "percent": None,
    }
