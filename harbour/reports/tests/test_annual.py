"""The annual report, row by row (shared/spec/metrics.md, "Annual report")."""

import datetime as dt

import pytest

from harbour.common.tests.factories import (
    ChildFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    RiskAssessmentFactory,
)
from harbour.common.time import UTC
from harbour.reports.models import ChildPopulation
from harbour.reports.periods import Period

from .helpers import episode, figures, interview, london, looked_after_by, on_plan

pytestmark = pytest.mark.django_db

YEAR = Period.financial_year(2019)  # 1 April 2019 to 31 March 2020


def annual(absences: bool = False) -> dict:
    return figures("annual", YEAR, absences)


def test_episodes_by_sex_and_group_and_individuals_by_group():
    girl, boy = ChildFactory(sex="F"), ChildFactory(sex="M")
    unknown = ChildFactory(sex="U")
    episode(child=looked_after_by("874", child=girl))
    episode(child=boy)
    episode(child=on_plan("CIN", child=unknown))
    episode(child=on_plan("CP", child=ChildFactory(sex="U")))

    result = annual()

    assert result["episodes_female"] == (1, 25)
    assert result["episodes_male"] == (1, 25)
    assert [result[f"episodes_group_{g}"][0] for g in ("ola", "lac", "cp", "cin", "none")] == [
        1,
        0,
        1,
        1,
        1,
    ]
    assert result["individuals_group_none"] == (1, 25)


def test_repeat_individuals_have_three_or_more_episodes_in_the_period():
    three_times, twice = ChildFactory(), ChildFactory()
    for day in (1, 2, 3):
        episode(started=london(2019, 5, day, 12, 0), child=three_times)
    for day in (1, 2):
        episode(started=london(2019, 5, day, 12, 0), child=twice)
    episode(started=london(2019, 3, 30, 12, 0), child=twice)  # the year before
    assert annual()["individuals_repeat"] == (1, 50)


def test_peak_age_counts_each_child_once_at_their_first_episode_and_ties_go_younger():
    turns_15 = ChildFactory(date_of_birth=dt.date(2004, 6, 1))
    episode(started=london(2019, 5, 1, 12, 0), child=turns_15)  # 14
    episode(started=london(2019, 7, 1, 12, 0), child=turns_15)  # 15, not counted
    episode(started=london(2019, 7, 2, 12, 0), child=turns_15)  # 15, not counted
    episode(child=ChildFactory(date_of_birth=dt.date(2004, 1, 1)))  # 15
    assert annual()["age_peak"] == (14, None)


def test_peak_age_takes_each_childs_first_episode_by_local_date_and_29_february_rule():
    leapling = ChildFactory(date_of_birth=dt.date(2004, 2, 29))
    episode(started=london(2020, 2, 28, 12, 0), child=leapling)  # 15: 16 on the 29th
    episode(started=london(2020, 3, 1, 12, 0), child=leapling)  # 16, not counted
    # 00:30 British Summer Time on the birthday is still 31 May in UTC: the local date counts.
    birthday = ChildFactory(date_of_birth=dt.date(2004, 6, 1))
    episode(started=london(2019, 6, 1, 0, 30), child=birthday)  # 15
    episode(
        started=london(2019, 5, 1, 12, 0), child=ChildFactory(date_of_birth=dt.date(2003, 5, 1))
    )
    episode(
        started=london(2019, 7, 1, 12, 0), child=ChildFactory(date_of_birth=dt.date(2003, 7, 1))
    )
    # Two children at 15, two at 16: the tie goes to the younger age.
    assert annual()["age_peak"] == (15, None)


def test_episodes_under_four_hours():
    episode(hours=3.99)
    episode(hours=4)
    episode(hours=None)
    assert annual()["duration_under_4_hours"] == (1, 33)


def test_interviews_required_and_completed_for_home_and_looked_after_children():
    home = [episode(child=on_plan("CP")), episode(), episode(child=on_plan("CIN"))]
    interview(home[0], "ACCEPTED")
    interview(home[1], "NOT_REQUIRED")
    # home[2] has no interview row: not offered, so still required.
    episode(hours=None)  # still missing: not yet required
    cared_for = [episode(child=looked_after_by("")) for _ in range(4)]
    interview(cared_for[0], "ACCEPTED")
    interview(cared_for[1], "DECLINED", advice_given=True)
    interview(cared_for[2], "NO_RESPONSE", advice_given=False)
    interview(cared_for[3], "ACCEPTED", after_hours=None, advice_given=True)
    interview(episode(child=looked_after_by("874")), "ACCEPTED")  # OLA: no host row

    result = annual()

    assert result["rhi_required_home"] == (2, None)
    assert result["rhi_completed_home"] == (1, 50)
    assert result["rhi_required_lac"] == (4, None)
    assert result["rhi_completed_lac"] == (1, 25)
    assert result["rhi_advice_only_lac"] == (2, 50)
    assert result["rhi_completed_host"] == (2, None)


def test_engagement_reasons_and_risks_of_completed_host_interviews():
    interview(episode(), "ACCEPTED", child_engaged=True, reasons=";FRIENDS;SCHOOL;", risks=";CSE;")
    interview(episode(), "ACCEPTED", child_engaged=False, reasons=";FRIENDS;", risks="")
    interview(episode(), "DECLINED", reasons=";SCHOOL;")  # not completed
    ola = episode(child=looked_after_by("874"))
    interview(ola, "ACCEPTED", reasons=";FRIENDS;", risks=";CSE;")

    result = annual()

    assert result["rhi_engaged"] == (1, 50)
    assert result["reason_friends"] == (2, 100)
    assert result["reason_school"] == (1, 50)
    assert result["reason_other"] == (0, 0)
    assert result["risk_cse"] == (1, 50)
    assert result["risk_cce"] == (0, 0)


def test_looked_after_children_in_the_period_and_those_who_went_missing():
    looked_after_by("", end_date=dt.date(2019, 4, 1))  # in force on the first day
    looked_after_by("343", start=dt.date(2020, 3, 31))  # in force on the last day
    looked_after_by("", end_date=dt.date(2019, 3, 31))  # ended the day before
    looked_after_by("874")  # another authority's child
    went_missing = looked_after_by("")
    episode(child=went_missing)
    episode(child=went_missing)

    result = annual()

    assert result["lac_children"] == (3, None)
    assert result["lac_children_missing"] == (1, 33)


def test_police_notification_timeliness_from_report_or_else_from_start():
    start = dt.datetime(2019, 5, 1, 12, 0, tzinfo=UTC)
    h = dt.timedelta(hours=1)
    episode(started=start, reported_at=start + 2 * h, notified_at=start + 26 * h)  # 24 h
    episode(started=start, notified_at=start + 24 * h + dt.timedelta(seconds=1))  # > 24 h
    episode(started=start, notified_at=start + 72 * h)  # 72 h
    episode(started=start, notified_at=start + 73 * h)  # late
    episode(started=start)  # not timed
    episode(started=start, notified_at=start + h, category="ABSENT")

    result = annual()
    assert result["notifications_timed_missing"] == (4, None)
    assert result["notified_within_24_hours_missing"] == (1, 25)
    assert result["notified_24_to_72_hours_missing"] == (2, 50)
    assert result["notifications_timed_absent"] == (0, None)
    with_absences = annual(absences=True)
    assert with_absences["notifications_timed_absent"] == (1, None)
    assert with_absences["notified_within_24_hours_absent"] == (1, 100)


def test_meetings_requested_and_held_and_strategy_meetings():
    MeetingFactory(requested_on=dt.date(2019, 4, 1), held_on=dt.date(2019, 4, 3))
    MeetingFactory(requested_on=dt.date(2020, 3, 31), held_on=dt.date(2020, 4, 2))  # held later
    MeetingFactory(requested_on=dt.date(2020, 3, 30))
    MeetingFactory(requested_on=dt.date(2019, 3, 31), held_on=dt.date(2019, 4, 2))  # before
    child = ChildFactory()
    for held in (dt.date(2019, 6, 1), dt.date(2019, 7, 1)):
        MeetingFactory(
            child=child, kind="STRATEGY", trigger="", concern="CCE",
            requested_on=held, held_on=held,
        )  # fmt: skip
    MeetingFactory(
        kind="STRATEGY", trigger="", concern="CSE",
        requested_on=dt.date(2020, 3, 1), held_on=dt.date(2020, 4, 1),
    )  # fmt: skip

    result = annual()

    assert result["mam_requested"] == (3, None)
    assert result["mam_held"] == (2, 67)
    assert result["strategy_meetings"] == (2, None)
    assert result["strategy_meeting_children"] == (1, None)


def test_referrals_by_concern_and_source_and_children_referred_for_the_first_time():
    known = ChildFactory()
    ReferralFactory(child=known, received_on=dt.date(2018, 5, 1))
    ReferralFactory(child=known, received_on=dt.date(2019, 5, 1), concern="CCE", source="POLICE")
    new = ChildFactory()
    ReferralFactory(child=new, received_on=dt.date(2019, 6, 1), concern="CSE", source="")
    ReferralFactory(child=new, received_on=dt.date(2019, 7, 1), concern="BOTH", source="HEALTH")

    result = annual()

    assert result["referrals_total"] == (3, None)
    assert result["referrals_concern_cse"] == (1, 33)
    assert result["referrals_concern_both"] == (1, 33)
    assert result["referrals_concern_other"] == (0, 0)
    assert result["referrals_source_police"] == (1, 33)
    assert result["referrals_source_unknown"] == (1, 33)
    assert result["referral_children"] == (2, None)
    assert result["referral_children_new"] == (1, 50)


def test_risk_assessments_and_panel_children():
    RiskAssessmentFactory(kind="CSE", completed_on=dt.date(2019, 4, 1))
    RiskAssessmentFactory(kind="CE", completed_on=dt.date(2020, 3, 31))
    RiskAssessmentFactory(kind="CE", completed_on=dt.date(2020, 4, 1))
    child = ChildFactory()
    PanelListingFactory(child=child, panel="MACE", panel_date=dt.date(2019, 5, 1))
    PanelListingFactory(child=child, panel="MASE", panel_date=dt.date(2019, 6, 1))
    PanelListingFactory(panel="MISSING_HOTSPOTS", panel_date=dt.date(2019, 6, 1))

    result = annual()

    assert result["risk_assessments"] == (2, None)
    assert result["risk_assessments_cse"] == (1, 50)
    assert result["risk_assessments_ce"] == (1, 50)
    assert result["panel_children"] == (1, None)


def test_rates_per_10000_children_use_the_population_of_the_year_the_period_starts_in():
    for _ in range(3):
        episode(child=ChildFactory())
    assert annual()["rate_episodes_per_10k"] == (None, None)
    ChildPopulation.objects.create(financial_year=2019, population=80_000)
    ChildPopulation.objects.create(financial_year=2020, population=1)
    # 10,000 x 3 / 80,000 = 0.375, half up to one decimal place: 0.4
    assert annual()["rate_episodes_per_10k"] == (0.4, None)
    assert annual()["rate_individuals_per_10k"] == (0.4, None)
