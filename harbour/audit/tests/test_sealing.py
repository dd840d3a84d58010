"""Personal values in the trail are sealed with a key of the child's own; erasing the child
destroys the key, so the values become unreadable, and the chain still verifies."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent, ChildKey
from harbour.children.erasure import erase_child
from harbour.children.models import Child, LegalStatus
from harbour.children.services import save_child
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
)
from harbour.exploitation.models import PanelListing, Referral, RiskAssessment
from harbour.interviews.models import ReturnInterview
from harbour.interviews.services import save_return_interview
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode
from harbour.missing.services import save_episode

pytestmark = pytest.mark.django_db


def child_events(child_pk: int):
    return AuditEvent.objects.about_child(child_pk).order_by("sequence")


def test_a_childs_values_are_sealed_not_stored_in_plain_text():
    child = ChildFactory(given_name="Ada", family_name="Amberley")
    child.given_name = "Adah"

    save_child("tester", child)

    event = AuditEvent.objects.get(action="children.child.change")
    stored = json.dumps(event.details) + event.sealed
    assert "Ada" not in stored
    assert "Amberley" not in stored
    assert event.sealed.startswith("v1:")
    assert event.sealed_for == child.pk
    assert event.child_pks == [child.pk]
    assert auditor.unseal(event) == {"changes": {"given_name": ["Ada", "Adah"]}}


def test_records_that_belong_to_a_child_are_sealed_with_that_childs_key():
    child = ChildFactory()
    episode = EpisodeFactory.build(child=child)
    save_episode("tester", episode)
    interview = ReturnInterviewFactory.build(episode=episode)
    save_return_interview("tester", interview)

    for action in ("missing.episode.create", "interviews.returninterview.create"):
        event = AuditEvent.objects.get(action=action)
        assert (event.sealed_for, event.child_pks) == (child.pk, [child.pk]), action
        assert auditor.unseal(event)["changes"]
    assert ChildKey.objects.filter(child_pk=child.pk).count() == 1


def test_each_child_has_a_random_key_of_their_own_not_the_secret_key():
    first, second = ChildFactory(), ChildFactory()
    save_child("tester", first)
    save_child("tester", second)

    keys = [bytes(key) for key in ChildKey.objects.values_list("key", flat=True)]
    assert len(keys) == 2
    assert keys[0] != keys[1]
    assert all(len(key) == 32 for key in keys)
    assert all(key not in settings.SECRET_KEY.encode() for key in keys)


def test_a_value_sealed_for_one_child_cannot_be_read_as_anothers():
    first, second = ChildFactory(), ChildFactory()
    event = auditor.record("tester", "test.event", children=[first], sealed={"x": 1})
    other = auditor.record("tester", "test.event", children=[second], sealed={"x": 2})

    assert auditor.unseal(event) == {"x": 1}
    event.sealed_for = second.pk  # as if the column were edited to point at another key
    assert auditor.unseal(event) is None
    assert auditor.unseal(other) == {"x": 2}


def test_sealed_values_must_be_about_exactly_one_child():
    with pytest.raises(ValueError, match="exactly one child"):
        auditor.record("tester", "test.event", sealed={"x": 1})
    with pytest.raises(ValueError, match="exactly one child"):
        auditor.record(
            "tester", "test.event", children=[ChildFactory(), ChildFactory()], sealed={"x": 1}
        )


def test_after_erasure_the_childs_values_are_unreadable_and_the_chain_still_verifies(verify):
    child = ChildFactory(given_name="Ada", child_id="P-ERASE")
    other = ChildFactory(given_name="Bea")
    for person, name in ((child, "Adah"), (other, "Beatrix")):
        person.given_name = name
        save_child("tester", person)
    auditor.record("worker", "children.child.view", children=[child, other])
    sealed_before = {event.pk: (event.sealed, event.hash) for event in child_events(child.pk)}
    assert any(auditor.unseal(event) for event in child_events(child.pk))

    erase_child("retention", child)

    events = list(child_events(child.pk))
    assert {event.pk: (event.sealed, event.hash) for event in events if event.sealed} == {
        pk: value for pk, value in sealed_before.items() if value[0]
    }
    assert all(auditor.unseal(event) is None for event in events)
    assert not ChildKey.objects.filter(child_pk=child.pk).exists()
    # The other child's values are untouched.
    other_event = AuditEvent.objects.get(action="children.child.change", sealed_for=other.pk)
    assert auditor.unseal(other_event) == {"changes": {"given_name": ["Bea", "Beatrix"]}}
    # Who looked at the erased child can still be answered.
    assert child_events(child.pk).filter(action="children.child.view").count() == 1
    outcome = verify()
    assert outcome.code == 0, outcome.output


def test_erasure_deletes_everything_about_the_child_and_audits_counts_only():
    child = ChildFactory(child_id="P-GONE", given_name="Ada", family_name="Amberley")
    LegalStatusFactory(child=child)
    episode = EpisodeFactory(child=child, episode_id="POLICE-REF-1")
    ReturnInterviewFactory(episode=episode)
    EpisodeFactory(child=child)
    MeetingFactory(child=child)
    ReferralFactory(child=child)
    RiskAssessmentFactory(child=child)
    PanelListingFactory(child=child)
    child.access_list.add(get_user_model().objects.create_user("listed"))
    kept = EpisodeFactory()  # someone else's

    counts = erase_child("tester", child)

    assert not Child.objects.filter(pk=child.pk).exists()
    for model in (LegalStatus, ReturnInterview, Meeting, Referral, RiskAssessment, PanelListing):
        assert model.objects.count() == 0, model
    assert list(Episode.objects.all()) == [kept]
    assert counts["missing.Episode"] == 2
    assert counts["children.Child"] == 1
    event = AuditEvent.objects.get(action="children.child.erase")
    assert event.child_pks == [child.pk]
    assert event.details["child"] == child.pk
    assert event.details["deleted"] == counts
    assert event.sealed == ""
    text = json.dumps(event.details)
    for personal in ("P-GONE", "Ada", "Amberley", "POLICE-REF-1"):
        assert personal not in text


def test_erasure_is_all_or_nothing(monkeypatch):
    child = ChildFactory()
    EpisodeFactory(child=child)
    save_child("tester", child)

    def fail(child_pk):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("harbour.audit.sealing.destroy_key", fail)
    with pytest.raises(RuntimeError):
        erase_child("tester", child)

    assert Child.objects.filter(pk=child.pk).exists()
    assert Episode.objects.filter(child=child).exists()
    assert ChildKey.objects.filter(child_pk=child.pk).exists()
    assert not AuditEvent.objects.filter(action="children.child.erase").exists()
