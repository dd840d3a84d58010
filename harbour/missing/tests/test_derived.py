"""Derived facts of an episode, computed in the database (metrics.md, Common terms)."""

import datetime as dt

import pytest

from harbour.children.models import LegalStatus
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, LegalStatusFactory
from harbour.common.time import LONDON, UTC
from harbour.missing.models import Episode
from harbour.missing.queries import age_on, date_ymd

pytestmark = pytest.mark.django_db

# 00:20 on 1 July 2019 in London is 23:20 UTC on 30 June: the local date decides.
JUST_AFTER_MIDNIGHT_1_JULY = dt.datetime(2019, 7, 1, 0, 20, tzinfo=LONDON)


def group_of(episode: Episode) -> str:
    return Episode.objects.with_group().get(pk=episode.pk).group


def episode_on_1_july(**status):
    episode = EpisodeFactory(started_at=JUST_AFTER_MIDNIGHT_1_JULY)
    if status:
        LegalStatusFactory(child=episode.child, **status)
    return episode


def test_episode_of_a_child_unknown_to_social_care_is_none():
    assert group_of(episode_on_1_july()) == "NONE"


def test_status_starting_on_the_episodes_local_date_is_in_force():
    episode = episode_on_1_july(status="CP", start_date=dt.date(2019, 7, 1))
    assert group_of(episode) == "CP"


def test_status_starting_the_day_after_is_not_in_force():
    episode = episode_on_1_july(status="CP", start_date=dt.date(2019, 7, 2))
    assert group_of(episode) == "NONE"


def test_status_ending_on_the_episodes_local_date_is_in_force():
    episode = episode_on_1_july(
        status="CIN", start_date=dt.date(2019, 1, 1), end_date=dt.date(2019, 7, 1)
    )
    assert group_of(episode) == "CIN"


def test_status_ending_on_the_utc_date_but_not_the_local_date_is_not_in_force():
    episode = episode_on_1_july(
        status="CIN", start_date=dt.date(2019, 1, 1), end_date=dt.date(2019, 6, 30)
    )
    assert group_of(episode) == "NONE"


def test_looked_after_with_no_responsible_authority_is_this_authoritys():
    episode = episode_on_1_july(status="LAC", start_date=dt.date(2019, 1, 1))
    assert group_of(episode) == "LAC"


def test_looked_after_with_this_authoritys_own_code_is_lac():
    episode = episode_on_1_july(status="LAC", start_date=dt.date(2019, 1, 1), responsible_la="343")
    assert group_of(episode) == "LAC"


def test_looked_after_by_another_authority_is_ola():
    episode = episode_on_1_july(status="LAC", start_date=dt.date(2019, 1, 1), responsible_la="874")
    assert group_of(episode) == "OLA"


def test_groups_take_the_first_match_in_order_ola_lac_cp_cin():
    episode = episode_on_1_july(status="CIN", start_date=dt.date(2019, 1, 1))
    assert group_of(episode) == "CIN"
    LegalStatusFactory(child=episode.child, status="CP", start_date=dt.date(2019, 2, 1))
    assert group_of(episode) == "CP"
    LegalStatusFactory(child=episode.child, status="LAC", start_date=dt.date(2019, 3, 1))
    assert group_of(episode) == "LAC"
    LegalStatusFactory(
        child=episode.child, status="LAC", start_date=dt.date(2019, 4, 1), responsible_la="891"
    )
    assert group_of(episode) == "OLA"


def test_another_childs_status_does_not_count():
    episode = episode_on_1_july()
    LegalStatusFactory(status="LAC", start_date=dt.date(2019, 1, 1))
    assert group_of(episode) == "NONE"


def age_of(episode: Episode) -> int:
    return Episode.objects.with_age().get(pk=episode.pk).age


def test_age_on_a_birthday_at_twenty_past_midnight_local_time_is_the_new_age():
    child = ChildFactory(date_of_birth=dt.date(2003, 7, 1))
    # 23:20 UTC on 30 June: in UTC the birthday has not come yet; in London it has.
    episode = EpisodeFactory(child=child, started_at=JUST_AFTER_MIDNIGHT_1_JULY)
    assert age_of(episode) == 16


def test_age_the_day_before_a_birthday_is_the_old_age():
    child = ChildFactory(date_of_birth=dt.date(2003, 7, 2))
    episode = EpisodeFactory(child=child, started_at=JUST_AFTER_MIDNIGHT_1_JULY)
    assert age_of(episode) == 15


@pytest.mark.parametrize(("day", "age"), [(dt.date(2019, 2, 28), 14), (dt.date(2019, 3, 1), 15)])
def test_a_29_february_birthday_is_reached_on_1_march_in_other_years(day, age):
    child = ChildFactory(date_of_birth=dt.date(2004, 2, 29))
    started = dt.datetime.combine(day, dt.time(12, 0), tzinfo=LONDON)
    assert age_of(EpisodeFactory(child=child, started_at=started)) == age


def duration_of(episode: Episode) -> int | None:
    return Episode.objects.with_duration().get(pk=episode.pk).duration_seconds


def test_a_day_across_the_spring_clock_change_lasts_23_hours():
    episode = EpisodeFactory(
        started_at=dt.datetime(2019, 3, 30, 22, 0, tzinfo=LONDON),
        ended_at=dt.datetime(2019, 3, 31, 22, 0, tzinfo=LONDON),
    )
    assert duration_of(episode) == 23 * 3600


def test_a_day_across_the_autumn_clock_change_lasts_25_hours():
    episode = EpisodeFactory(
        started_at=dt.datetime(2019, 10, 26, 22, 0, tzinfo=LONDON),
        ended_at=dt.datetime(2019, 10, 27, 22, 0, tzinfo=LONDON),
    )
    assert duration_of(episode) == 25 * 3600


def test_an_open_episode_has_no_duration():
    episode = EpisodeFactory(ended_at=None)
    assert duration_of(episode) is None
    assert list(Episode.objects.open()) == [episode]


def test_return_interview_is_due_72_elapsed_hours_after_return():
    found = dt.datetime(2019, 10, 25, 9, 0, tzinfo=LONDON)  # the clocks go back on the 27th
    episode = EpisodeFactory(started_at=found - dt.timedelta(hours=3), ended_at=found)
    due = Episode.objects.with_rhi_due().get(pk=episode.pk).rhi_due_epoch
    # Python adds timedeltas to zoned datetimes on the wall clock, so compare in UTC.
    assert dt.datetime.fromtimestamp(due, UTC) == found.astimezone(UTC) + dt.timedelta(hours=72)
    assert dt.datetime.fromtimestamp(due, LONDON).hour == 8  # 08:00 local, not 09:00


def test_the_local_start_date_decides_which_period_an_episode_falls_in():
    late_on_31_march = EpisodeFactory(started_at=dt.datetime(2019, 3, 31, 23, 30, tzinfo=LONDON))
    early_on_1_april = EpisodeFactory(started_at=dt.datetime(2019, 4, 1, 0, 30, tzinfo=LONDON))

    q1 = Episode.objects.started_between(dt.date(2019, 4, 1), dt.date(2019, 6, 30))

    assert list(q1) == [early_on_1_april]
    assert late_on_31_march.started_on == dt.date(2019, 3, 31)


@pytest.mark.parametrize(("day", "age"), [(dt.date(2019, 2, 28), 14), (dt.date(2019, 3, 1), 15)])
def test_age_on_any_date_column_or_given_date_follows_the_same_rule(day, age):
    # One expression for every "age on a day" (the reports' ages on a meeting's or
    # referral's date, an episode's age at start): here on a legal status's start date.
    child = ChildFactory(date_of_birth=dt.date(2004, 2, 29))
    status = LegalStatusFactory(child=child, status="CIN", start_date=day)
    ages = LegalStatus.objects.annotate(
        on_column=age_on(date_ymd("start_date")), on_date=age_on(day)
    ).get(pk=status.pk)
    assert (ages.on_column, ages.on_date) == (age, age)
