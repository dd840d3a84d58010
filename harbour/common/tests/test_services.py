import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from harbour.audit.models import AuditEvent
from harbour.audit.services import unseal
from harbour.children.models import Child
from harbour.children.services import delete_child, save_child
from harbour.common.time import LONDON
from harbour.interviews.services import save_return_interview
from harbour.missing.services import save_episode

from .factories import ChildFactory, EpisodeFactory, ReturnInterviewFactory

pytestmark = pytest.mark.django_db


def test_saving_a_new_record_sets_derived_fields_and_audits_its_values():
    child = Child(child_id="C1", date_of_birth=dt.date(2006, 3, 4), sex="F")

    save_child("tester", child)

    assert Child.objects.get().birth_ymd == 20060304
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_name) == ("children.child.create", "tester")
    # Values about a child are sealed with the child's key; the plain details name fields.
    assert unseal(event)["changes"]["sex"] == [None, "F"]
    assert "sex" in event.details["fields"]
    assert event.child_pks == [Child.objects.get().pk]


def test_changing_a_record_audits_old_and_new_values_of_changed_fields_only():
    child = ChildFactory(given_name="Ada")
    child.given_name = "Adah"

    save_child("tester", child)

    event = AuditEvent.objects.get(action="children.child.change")
    assert unseal(event)["changes"] == {"given_name": ["Ada", "Adah"]}
    assert event.details == {"fields": ["given_name"]}


def test_an_invalid_record_is_refused_and_nothing_is_written():
    child = Child(child_id="C1", date_of_birth=dt.date(2006, 3, 4), sex="X")

    with pytest.raises(ValidationError):
        save_child("tester", child)

    assert Child.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_an_episode_may_not_start_before_the_child_was_born():
    child = ChildFactory(date_of_birth=dt.date(2010, 5, 1))
    episode = EpisodeFactory.build(
        child=child, started_at=dt.datetime(2010, 4, 30, 23, 30, tzinfo=LONDON)
    )

    with pytest.raises(ValidationError, match="date of birth"):
        save_episode("tester", episode)


def test_an_interview_is_refused_for_an_episode_that_has_not_ended():
    interview = ReturnInterviewFactory.build(
        episode=EpisodeFactory(ended_at=None), offered_at=None, completed_at=None
    )
    interview.outcome = "DECLINED"
    interview.offered_at = dt.datetime(2019, 5, 2, tzinfo=LONDON)

    with pytest.raises(ValidationError, match="has not ended"):
        save_return_interview("tester", interview)


def test_deleting_a_record_audits_what_it_held():
    child = ChildFactory(child_id="C7")

    delete_child("tester", child)

    event = AuditEvent.objects.get(action="children.child.delete")
    assert unseal(event)["values"]["child_id"] == "C7"


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (dt.date(2004, 2, 29), dt.date(2019, 2, 28), 14),
        (dt.date(2004, 2, 29), dt.date(2019, 3, 1), 15),
        (dt.date(2005, 6, 15), dt.date(2021, 6, 14), 15),
        (dt.date(2005, 6, 15), dt.date(2021, 6, 15), 16),
    ],
)
def test_completed_years_are_reached_on_the_birthday_and_on_1_march_for_29_february(
    born, on, years
):
    from harbour.common.time import completed_years

    assert completed_years(born, on) == years


def test_london_wall_clock_times_that_never_happened_or_happened_twice_are_never_guessed():
    from harbour.common.time import UTC, RepeatedLocalTime, SkippedLocalTime, from_london

    with pytest.raises(SkippedLocalTime):
        from_london(dt.datetime(2019, 3, 31, 1, 30))
    with pytest.raises(RepeatedLocalTime):
        from_london(dt.datetime(2019, 10, 27, 1, 30))
    first = from_london(dt.datetime(2019, 10, 27, 1, 30), first_of_two=True)
    second = from_london(dt.datetime(2019, 10, 27, 1, 30), first_of_two=False)
    assert (first, second) == (
        dt.datetime(2019, 10, 27, 0, 30, tzinfo=UTC),
        dt.datetime(2019, 10, 27, 1, 30, tzinfo=UTC),
    )
    assert from_london(dt.datetime(2019, 7, 1, 10, 0)) == dt.datetime(2019, 7, 1, 9, 0, tzinfo=UTC)
