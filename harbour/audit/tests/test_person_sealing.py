"""A person of concern's values in the trail (their names, date of birth, police reference,
aliases and identifiers) are sealed with a key of the person's own, as a child's are with
theirs; erasing the person destroys the key, so the values become unreadable, and the chain
still verifies."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from harbour.audit import sealing
from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent, ChildKey, PersonKey
from harbour.audit.verify import verify_chain
from harbour.children.services import save_child
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.exploitation import retention
from harbour.exploitation.models import Person
from harbour.exploitation.services import persons as services

pytestmark = pytest.mark.django_db

# Every personal value recorded below, as entered and as stored (normalised).
PERSONAL = ["Dexter", "Marrable", "1980-05-04", "CAD 5150", "T-Bone", "t bone"]
PHONE = ["07700 900123", "07700900123"]
HANDLE = ["@dexm_synthetic", "dexm_synthetic"]


def record_dexter(actor="tester", **fields) -> Person:
    return services.record_person(
        actor,
        given_name="Dexter",
        family_name="Marrable",
        date_of_birth=dt.date(1980, 5, 4),
        police_ref="CAD 5150",
        aliases=["T-Bone"],
        identifiers=[("PHONE", "07700 900123"), ("SOCIAL_HANDLE", "@dexm_synthetic")],
        **fields,
    )


def events_sealed_for(person: Person) -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.exclude(sealed="")
        if auditor.person_of_sealed(event) == person.pk
    ]


def test_recording_a_person_keeps_no_name_date_of_birth_alias_or_identifier_in_clear():
    person = record_dexter()

    events = AuditEvent.objects.filter(action__startswith="exploitation.person.")
    assert sorted(events.values_list("action", flat=True)) == [
        "exploitation.person.alias_add",
        "exploitation.person.create",
        "exploitation.person.identifier_add",
        "exploitation.person.identifier_add",
    ]
    for event in events:
        stored = json.dumps(event.details) + event.sealed + event.object_id
        for value in PERSONAL + PHONE + HANDLE:
            assert value not in stored, (event.action, value)
        assert event.sealed.startswith("p1:")
        assert event.sealed_for == person.pk
        # About no child: a person's events name no children and use no child's key.
        assert event.child_pks == []
    assert not ChildKey.objects.exists()
    assert PersonKey.objects.filter(person_pk=person.pk).count() == 1
    created = events.get(action="exploitation.person.create")
    assert "given_name" in created.details["fields"] and "changes" not in created.details


def test_the_person_values_are_read_back_while_their_key_exists():
    person = record_dexter()
    alias = person.aliases.get()
    phone = person.identifiers.get(kind="PHONE")

    def opened(action, record):
        event = AuditEvent.objects.get(action=action, object_id=str(record.pk))
        return auditor.unseal(event)["changes"]

    created = opened("exploitation.person.create", person)
    assert created["given_name"] == [None, "Dexter"]
    assert created["family_name"] == [None, "Marrable"]
    assert created["date_of_birth"] == [None, "1980-05-04"]
    assert created["police_ref"] == [None, "CAD 5150"]
    assert opened("exploitation.person.alias_add", alias)["name"] == [None, "T-Bone"]
    phone_added = opened("exploitation.person.identifier_add", phone)
    assert phone_added["value"] == [None, "07700 900123"]

    services.remove_alias("tester", alias)
    removed = AuditEvent.objects.get(action="exploitation.person.alias_remove")
    assert removed.sealed.startswith("p1:") and "T-Bone" not in json.dumps(removed.details)
    assert auditor.unseal(removed)["values"]["name"] == "T-Bone"


def test_a_change_to_a_person_is_sealed_with_their_key_and_only_field_names_are_plain():
    person = record_dexter()
    person.refresh_from_db()

    services.change_person(
        "tester",
        person,
        version=person.version,
        given_name="Dex",
        family_name="Marrable",
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        age_band="",
        description="Drives a grey van",
        occupation_flag="",
        police_ref="CAD 5150",
        status=person.status,
        review_on=person.review_on,
        restricted=False,
    )

    event = AuditEvent.objects.get(action="exploitation.person.change")
    assert event.details["fields"] == ["description", "given_name"]
    assert "Dex" not in json.dumps(event.details) and "grey van" not in event.sealed
    changes = auditor.unseal(event)["changes"]
    assert changes["given_name"] == ["Dexter", "Dex"]
    # Free text may name others: withheld even from the person's sealed values.
    assert "grey van" not in json.dumps(changes)


def test_erasing_the_person_destroys_their_key_so_nothing_can_read_them_and_the_chain_verifies():
    person = record_dexter()
    person_pk = person.pk
    sealed = events_sealed_for(person)
    assert len(sealed) == 4 and all(auditor.unseal(event) for event in sealed)

    retention.erase_person("retention", person)

    assert not PersonKey.objects.filter(person_pk=person_pk).exists()
    assert auditor.unsealed(AuditEvent.objects.all()) == {}
    for event in AuditEvent.objects.filter(pk__in=[event.pk for event in sealed]):
        assert event.sealed.startswith("p1:")  # the ciphertext stays, unreadable
        assert auditor.unseal(event) is None
    erased = AuditEvent.objects.get(action="exploitation.person.erase")
    assert erased.details["person"] == person_pk
    assert erased.details["key_destroyed"] is True
    text = json.dumps(erased.details) + erased.sealed
    assert not any(value in text for value in PERSONAL + PHONE + HANDLE)
    verification = verify_chain()
    assert verification.ok, verification.problem
    assert verification.events == AuditEvent.objects.count()


def test_a_childs_sealed_values_still_read_beside_a_persons_and_survive_the_persons_erasure():
    person = record_dexter()
    # A child with the same internal id: the two keys and their values stay apart.
    child = ChildFactory(pk=person.pk, given_name="Ada")
    child.given_name = "Adah"
    save_child("tester", child)
    child_event = AuditEvent.objects.get(action="children.child.change")
    assert child_event.sealed.startswith("v1:") and child_event.sealed_for == person.pk

    opened = auditor.unsealed(AuditEvent.objects.all())
    assert opened[child_event.pk] == {"changes": {"given_name": ["Ada", "Adah"]}}
    assert len(opened) == 1 + len(events_sealed_for(person))

    retention.erase_person("retention", person)

    assert auditor.unsealed(AuditEvent.objects.all()) == {
        child_event.pk: {"changes": {"given_name": ["Ada", "Adah"]}}
    }


def test_text_sealed_with_a_persons_key_cannot_be_read_as_a_childs_of_the_same_id():
    person_key = sealing.PERSON.key_for(42)
    text = sealing.seal_for_person(42, {"given_name": "Dexter"})
    assert sealing.unseal_for_person(42, text, person_key) == {"given_name": "Dexter"}

    # With the child's key of the same internal id: not this key, and not this prefix.
    assert sealing.unseal(42, text, sealing.key_for(42)) is None
    # Even with the right key bytes, passed off as a child's text: the associated data
    # ("harbour-audit-person:42", not "harbour-audit-child:42") does not match.
    relabelled = sealing.CHILD.prefix + text[len(sealing.PERSON.prefix) :]
    assert sealing.unseal(42, relabelled, person_key) is None
    # Nor as another person's.
    assert sealing.unseal_for_person(43, text, person_key) is None


def test_a_link_between_a_person_and_a_child_stays_sealed_with_the_childs_key():
    person = record_dexter()
    child = ChildFactory()

    services.link_person_to_child("tester", person, child, relationship="ASSOCIATE", source="RHI")

    event = AuditEvent.objects.get(action="exploitation.person.link_child")
    assert event.sealed.startswith("v1:")
    assert event.sealed_for == child.pk and event.child_pks == [child.pk]
    assert auditor.unseal(event)["changes"]["relationship"] == [None, "ASSOCIATE"]


# --- The auditors' pages ----------------------------------------------------------------------


def test_an_auditor_sees_a_persons_values_on_the_trail(auditor_client):
    record_dexter()

    page = auditor_client.get("/audit/?action=exploitation.").content.decode()

    assert "Dexter" in page and "Marrable" in page and "07700 900123" in page


def test_a_restricted_persons_values_are_withheld_from_auditors_not_on_its_list(
    auditor_client, auditor_user
):
    person = record_dexter(make_staff("EXPLOITATION_LEAD"), restricted=True)

    page = auditor_client.get("/audit/").content.decode()
    assert "Withheld: restricted record" in page
    assert "Dexter" not in page and "07700 900123" not in page

    person.access_list.add(auditor_user)
    page = auditor_client.get("/audit/").content.decode()
    assert "Dexter" in page and "07700 900123" in page


def test_an_erased_persons_values_are_shown_as_unreadable(auditor_client):
    person = record_dexter()
    retention.erase_person("retention", person)

    page = auditor_client.get("/audit/").content.decode()
    export = auditor_client.get("/audit/export.csv").getvalue().decode()

    assert "Unreadable: person of concern erased" in page
    assert "Unreadable: child erased" not in page
    assert "unreadable: the person of concern was erased" in export
    for text in (page, export):
        assert not any(value in text for value in PERSONAL + PHONE + HANDLE)
