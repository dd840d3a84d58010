"""Recording notifications, merging repeats, flagging overlaps, marking found and amending,
with conflicts between two people editing the same episode refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent
from harbour.common.services import Conflict
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import LONDON, UTC
from harbour.missing.models import Episode, NotificationReference
from harbour.missing.services import (
    amend_episode,
    mark_found,
    record_notification,
    with_overlap,
)

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def notify(child, reference, started_at=NOON, **kwargs):
    return record_notification(
        "coordinator",
        child=child,
        police_reference=reference,
        category=kwargs.pop("category", "MISSING"),
        started_at=started_at,
        **kwargs,
    )


@pytest.fixture
def child():
    return ChildFactory()


def test_a_first_notification_creates_an_episode_with_its_reference(child):
    result = notify(child, "NWP-1", risk_level="HIGH", notified_at=NOON + dt.timedelta(hours=2))
    episode = result.episode
    assert (result.merged, result.repeated, result.overlapping) == (False, False, [])
    assert (episode.episode_id, episode.child, episode.risk_level, episode.version) == (
        "NWP-1",
        child,
        "HIGH",
        1,
    )
    assert [ref.reference for ref in episode.references.all()] == ["NWP-1"]
    event = AuditEvent.objects.get(action="missing.notification_recorded")
    assert "NWP-1" not in str(event.details)
    assert auditor.unseal(event)["reference"] == "NWP-1"


def test_a_repeat_notification_for_an_open_episode_is_merged_keeping_the_earliest_start(child):
    first = notify(child, "NWP-1").episode
    result = notify(child, "NWP-2", started_at=NOON - dt.timedelta(hours=3), risk_level="MEDIUM")
    assert result.merged and result.episode.pk == first.pk
    assert Episode.objects.count() == 1
    episode = Episode.objects.get()
    assert episode.episode_id == "NWP-1"
    assert episode.started_at == NOON - dt.timedelta(hours=3)
    assert episode.risk_level == "MEDIUM"
    assert episode.version == 2
    assert sorted(episode.references.values_list("reference", flat=True)) == ["NWP-1", "NWP-2"]


def test_a_later_start_in_a_merged_notification_does_not_move_the_start(child):
    notify(child, "NWP-1")
    notify(child, "NWP-2", started_at=NOON + dt.timedelta(hours=1))
    assert Episode.objects.get().started_at == NOON


def test_recording_the_same_notification_twice_changes_nothing(child):
    first = notify(child, "NWP-1")
    again = notify(child, "NWP-1", started_at=NOON - dt.timedelta(days=1))
    assert again.repeated and again.episode.pk == first.episode.pk
    assert Episode.objects.get().started_at == NOON
    assert NotificationReference.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="missing.notification").count() == 1


def test_a_reference_known_for_another_child_is_refused(child):
    notify(child, "NWP-1")
    with pytest.raises(ValidationError, match="different child"):
        notify(ChildFactory(), "NWP-1")


def test_an_imported_episode_id_counts_as_a_known_reference(child):
    episode = EpisodeFactory(child=child, episode_id="IMPORTED-1")
    assert notify(child, "IMPORTED-1").episode == episode


def test_a_notification_after_the_last_episode_closed_starts_a_new_one(child):
    EpisodeFactory(child=child, started_at=NOON - dt.timedelta(days=3))
    result = notify(child, "NWP-9")
    assert not result.merged and result.overlapping == []
    assert Episode.objects.filter(child=child).count() == 2


def test_a_notification_overlapping_a_closed_episode_is_flagged(child):
    earlier = EpisodeFactory(
        child=child, started_at=NOON - dt.timedelta(hours=2), ended_at=NOON + dt.timedelta(hours=2)
    )
    result = notify(child, "NWP-9")
    assert not result.merged
    assert result.overlapping == [earlier]
    flagged = with_overlap(Episode.objects.filter(child=child)).order_by("started_at")
    assert [episode.overlaps for episode in flagged] == [True, True]


def test_episodes_of_other_children_never_overlap(child):
    EpisodeFactory(started_at=NOON - dt.timedelta(hours=2), ended_at=NOON + dt.timedelta(hours=2))
    assert notify(child, "NWP-9").overlapping == []
    assert not with_overlap(Episode.objects.filter(child=child)).get().overlaps


def test_marking_found_closes_the_episode_and_starts_the_interview_clock(child):
    episode = notify(child, "NWP-1").episode
    found = NOON + dt.timedelta(hours=30)
    mark_found("coordinator", episode, ended_at=found, found_location="Home", version=1)
    episode = Episode.objects.with_rhi_due().with_duration().get()
    assert (episode.ended_at, episode.found_location, episode.version) == (found, "Home", 2)
    assert episode.duration_seconds == 30 * 3600
    assert episode.rhi_due_epoch == int(found.timestamp()) + 72 * 3600
    assert AuditEvent.objects.filter(action="missing.episode_found").count() == 1


@pytest.mark.frozen_at(dt.datetime(2024, 10, 28, tzinfo=UTC))
def test_marking_found_across_the_clocks_going_back_keeps_the_elapsed_time(child):
    # Last seen 00:30 BST on 27 October 2024; found 01:30 GMT (the second 1:30) the same
    # night: 2 hours elapsed, although the wall clock moved only one hour.
    last_seen = dt.datetime(2024, 10, 27, 0, 30, tzinfo=LONDON)
    found = dt.datetime(2024, 10, 27, 1, 30, fold=1, tzinfo=LONDON)
    episode = notify(child, "NWP-1", started_at=last_seen).episode
    mark_found("coordinator", episode, ended_at=found, found_location="Home", version=1)
    assert Episode.objects.with_duration().get().duration_seconds == 2 * 3600


def test_marking_found_before_the_last_seen_time_is_refused(child):
    episode = notify(child, "NWP-1").episode
    with pytest.raises(ValidationError, match="after the time"):
        mark_found("c", episode, ended_at=NOON - dt.timedelta(hours=1), version=1)


def test_two_people_marking_found_at_once_the_second_is_refused(child):
    episode = notify(child, "NWP-1").episode
    mine, theirs = Episode.objects.get(), Episode.objects.get()
    mark_found("one", theirs, ended_at=NOON + dt.timedelta(hours=1), version=theirs.version)
    with pytest.raises(Conflict, match="Someone else changed"):
        mark_found("two", mine, ended_at=NOON + dt.timedelta(hours=5), version=mine.version)
    assert Episode.objects.get(pk=episode.pk).ended_at == NOON + dt.timedelta(hours=1)


def test_an_amendment_needs_a_reason(child):
    episode = notify(child, "NWP-1").episode
    with pytest.raises(ValidationError, match="reason"):
        amend_episode("c", episode, changes={"risk_level": "LOW"}, reason=" ", version=1)


def test_an_amendment_is_saved_and_audited_with_its_reason_sealed(child):
    episode = notify(child, "NWP-1").episode
    amend_episode(
        "c",
        episode,
        changes={"risk_level": "LOW", "category": "ABSENT"},
        reason="Police regraded the risk",
        version=1,
    )
    episode = Episode.objects.get()
    assert (episode.risk_level, episode.category, episode.version) == ("LOW", "ABSENT", 2)
    event = AuditEvent.objects.get(action="missing.episode_amended")
    assert event.details["fields"] == ["category", "risk_level"]
    assert "Police" not in str(event.details)
    sealed = auditor.unseal(event)
    assert sealed["reason"] == "Police regraded the risk"
    assert sealed["changes"]["risk_level"] == ["", "LOW"]


def test_an_amendment_from_a_stale_form_is_refused_and_nothing_is_saved(child):
    episode = notify(child, "NWP-1").episode
    amend_episode("one", episode, changes={"risk_level": "HIGH"}, reason="Regraded", version=1)
    with pytest.raises(Conflict):
        amend_episode("two", episode, changes={"risk_level": "LOW"}, reason="Regraded", version=1)
    assert Episode.objects.get().risk_level == "HIGH"


def test_an_amendment_that_breaks_a_rule_is_refused(child):
    episode = notify(child, "NWP-1").episode
    with pytest.raises(ValidationError):
        amend_episode(
            "c",
            episode,
            changes={"started_at": dt.datetime(2999, 1, 1, tzinfo=UTC)},
            reason="Typo",
            version=1,
        )
    assert Episode.objects.get().version == 1
