"""The one save path (harbour/common/services.py): versions, conflicts, and the rows one
action writes under its one audit event."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from harbour.audit.models import AuditEvent
from harbour.audit.services import unseal
from harbour.authorities.models import LocalAuthority
from harbour.common.services import Conflict, locked, save_record
from harbour.common.time import UTC
from harbour.missing.models import NotificationReference

from .factories import EpisodeFactory

pytestmark = pytest.mark.django_db

RECEIVED = dt.datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_a_change_moves_the_version_on_from_the_stored_one_not_the_copy_in_hand():
    authority = save_record("tester", LocalAuthority(code="344", name="Northshire"))
    stale_copy = LocalAuthority.objects.get(pk=authority.pk)
    authority.name = "Northshire Council"
    save_record("tester", authority)

    stale_copy.email = "missing@northshire.example"
    save_record("tester", stale_copy)

    assert LocalAuthority.objects.get(pk=authority.pk).version == 3


def test_locked_refuses_a_page_loaded_before_someone_elses_change_and_hands_back_the_stored():
    authority = save_record("tester", LocalAuthority(code="344", name="Northshire"))
    loaded_at = authority.version
    authority.name = "Northshire Council"
    save_record("tester", authority)

    with transaction.atomic(), pytest.raises(Conflict) as raised:
        locked(authority, loaded_at, what="authority")

    assert raised.value.current.name == "Northshire Council"
    assert str(raised.value).startswith("Someone else changed this authority after you opened")


def test_a_conflict_is_a_validation_error_so_a_form_can_show_it():
    assert isinstance(Conflict("episode"), ValidationError)


def test_parts_are_written_under_the_records_one_event():
    episode = EpisodeFactory()
    reference = NotificationReference(episode=episode, reference="P-2", received_at=RECEIVED)
    before = AuditEvent.objects.count()

    save_record("tester", episode, action="missing.notification_merged", parts=[reference])

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    label = f"missing.notificationreference:{reference.pk}"
    assert event.details["parts"] == [label]
    assert unseal(event)["parts"][label]["reference"] == [None, "P-2"]


def test_a_part_that_breaks_a_rule_leaves_nothing_written():
    episode = EpisodeFactory(risk_level="")
    episode.risk_level = "LOW"
    duplicate = NotificationReference(episode=episode, reference=episode.episode_id)
    NotificationReference.objects.create(
        episode=episode, reference=episode.episode_id, received_at=RECEIVED
    )
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError):
        save_record("tester", episode, parts=[duplicate])

    episode.refresh_from_db()
    assert episode.risk_level == ""
    assert AuditEvent.objects.count() == events


def test_rows_removed_are_named_in_the_event_with_their_last_values_sealed():
    episode = EpisodeFactory()
    reference = NotificationReference.objects.create(
        episode=episode, reference="P-9", received_at=RECEIVED
    )
    label = f"missing.notificationreference:{reference.pk}"

    save_record("tester", episode, removing=[reference])

    assert not NotificationReference.objects.filter(reference="P-9").exists()
    event = AuditEvent.objects.latest("pk")
    assert event.details["removed"] == [label]
    assert unseal(event)["removed"][label]["reference"] == "P-9"


def test_values_about_no_child_are_never_sealed():
    with pytest.raises(ValueError, match="about a child"):
        save_record("tester", LocalAuthority(code="345", name="Eastshire"), sealed={"x": 1})

    assert not LocalAuthority.objects.filter(code="345").exists()
