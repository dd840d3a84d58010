"""A subject access export holds everything the register keeps about a child, and a new
kind of record about a child cannot be added without deciding whether it is exported."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models

from harbour.authorities.models import OlaLog, OlaNotification
from harbour.children import subject_access
from harbour.children.models import Child
from harbour.common.tests.factories import (
    ChildFactory,
    ConcernPeriodFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
    NrmReferralFactory,
    PanelListingFactory,
    PanelMeetingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
    SupportReferralFactory,
)
from harbour.common.time import UTC
from harbour.exploitation.models import (
    Disruption,
    DisruptionChild,
    FoundLocationDecision,
    Group,
    GroupMember,
    Intelligence,
    IntelligenceMention,
    PanelAction,
    Person,
    PersonChildLink,
    Place,
    PlaceChildLink,
    ScreeningTask,
)
from harbour.interviews.models import Allocation
from harbour.meetings.models import MeetingAction, MeetingTask, TaskEpisode
from harbour.missing.models import NotificationReference

# Columns that name a child by its number rather than by a foreign key (the audit trail
# keeps them so that erasing a child leaves the hash chain intact: harbour/audit/models.py).
CHILD_NUMBER_COLUMNS = {"child_pk", "sealed_for"}


def models_holding_a_childs_data() -> dict[str, str]:
    """Every installed model (auto-created many-to-many tables included) whose rows are
    about a child: a foreign key to the child, or to a model whose rows are (an episode, a
    meeting, a task, a log, ...), followed transitively; or a column naming the child by
    number. {label: the path found, for the failure message}."""
    installed = apps.get_models(include_auto_created=True)
    found: dict[type[models.Model], str] = {Child: "the child"}
    grew = True
    while grew:
        grew = False
        for model in installed:
            if model in found:
                continue
            for field in model._meta.concrete_fields:
                target = field.related_model if field.is_relation else None
                if target in found:
                    found[model] = f"{field.name} -> {target._meta.label}"
                elif field.name in CHILD_NUMBER_COLUMNS:
                    found[model] = f"{field.name} (a child's number)"
                else:
                    continue
                grew = True
                break
    return {model._meta.label: path for model, path in found.items() if model is not Child}


def exported_labels() -> set[str]:
    return {model._meta.label for _title, model, _path in subject_access.SECTIONS}


def test_every_model_holding_a_childs_data_is_exported_or_excluded_with_a_reason():
    holding = models_holding_a_childs_data()

    missing = {
        label: path
        for label, path in holding.items()
        if label not in exported_labels() and label not in subject_access.NOT_EXPORTED
    }

    assert missing == {}, (
        "These models hold data about a child but are not in the subject access export: "
        "add them to SECTIONS in harbour/children/subject_access.py, or to NOT_EXPORTED "
        f"with the reason: {missing}"
    )


def test_the_exclusions_name_only_models_that_hold_a_childs_data_and_give_a_reason():
    holding = models_holding_a_childs_data()

    for label, reason in subject_access.NOT_EXPORTED.items():
        assert label in holding, f"{label} is listed in NOT_EXPORTED but holds no child's data"
        assert label not in exported_labels(), f"{label} is both exported and excluded"
        assert len(reason) > 20, f"say why {label} is not exported"


def test_the_guard_finds_records_reached_only_through_other_records():
    holding = models_holding_a_childs_data()

    # An action reaches the child through its meeting; a notification entry through its
    # log and the log's episode; a task's episode link through the task.
    assert {"meetings.MeetingAction", "authorities.OlaNotification", "meetings.TaskEpisode"} <= (
        holding.keys()
    )
    assert "missing.PoliceForce" not in holding and "accounts.StaffProfile" not in holding


NOW = dt.datetime(2024, 4, 2, 12, 0, tzinfo=UTC)


def one_of_everything(child: Child, worker: User, tag: str) -> None:
    """One record of every exported kind about `child`, its free text marked with `tag`."""
    LegalStatusFactory(child=child)
    episode = EpisodeFactory.create(child=child, started_at=NOW - dt.timedelta(days=3))
    NotificationReference.objects.create(
        episode=episode, reference=f"REF-{tag}", received_at=NOW - dt.timedelta(days=3)
    )
    ReturnInterviewFactory(episode=episode, child_account=f"Account {tag}")
    Allocation.objects.create(
        episode=episode, worker=worker, organisation=f"Org {tag}", allocated_at=NOW
    )
    meeting = MeetingFactory.create(
        child=child, outcome=f"Outcome {tag}", attendees=";POLICE;HEALTH;"
    )
    MeetingAction.objects.create(meeting=meeting, description=f"Action {tag}", owner="Police")
    task = MeetingTask.objects.create(
        child=child,
        trigger="LONG_MISSING",
        triggered_at=NOW,
        raised_at=NOW,
        due_on=NOW.date(),
        meeting=meeting,
    )
    TaskEpisode.objects.create(task=task, episode=episode, trigger="LONG_MISSING")
    log = OlaLog.objects.create(episode=episode)
    OlaNotification.objects.create(
        log=log,
        kind="MISSING",
        occurred_at=NOW,
        occurred_epoch=int(NOW.timestamp()),
        method="EMAIL",
        note=f"Note {tag}",
        authority_code="998",
        recorded_by=worker,
        recorded_by_name="Worker",
        recorded_at=NOW,
    )
    ReferralFactory(child=child)
    RiskAssessmentFactory(child=child)
    listing = PanelListingFactory.create(child=child)
    PanelAction.objects.create(
        panel_meeting=PanelMeetingFactory.create(),
        listing=listing,
        description=f"Panel action {tag}",
        owner="Police",
    )
    ScreeningTask.objects.create(
        child=child, episode=episode, reason="INTERVIEW_RISKS", raised_at=NOW
    )
    ConcernPeriodFactory(child=child)
    NrmReferralFactory(child=child)
    disruption = Disruption.objects.create(
        disruption_id=f"DIS-{tag}",
        subject_kind="PLACE",
        subject_description="A hotel",
        tactic="HOTEL_S116",
        lead_agency="POLICE",
        requested_on=NOW.date(),
    )
    DisruptionChild.objects.create(disruption=disruption, child=child)
    SupportReferralFactory(child=child)
    person = Person.objects.create(person_id=f"P-{tag}", given_name=f"Adult {tag}")
    PersonChildLink.objects.create(
        person=person, child=child, relationship="OLDER_FRIEND", source="RHI"
    )
    place = Place.objects.create(place_id=f"PL-{tag}", name=f"Cafe {tag}", type="TAKEAWAY")
    PlaceChildLink.objects.create(
        place=place, child=child, kind="FOUND_AT", episode=episode, source="RHI"
    )
    FoundLocationDecision.objects.create(
        episode=episode,  # (one of each kind: the services never hold both for an episode)
        reason=f"At home {tag}",
        decided_by=worker,
    )
    group = Group.objects.create(group_id=f"G-{tag}", label=f"Group {tag}", type="PEER_GROUP")
    GroupMember.objects.create(group=group, child=child, source="STRATEGY")
    intelligence = Intelligence.objects.create(
        intelligence_id=f"INT-{tag}",
        child=child,
        source_kind="RHI",
        episode=episode,
        created_at=NOW,
        what=f"Seen with adult {tag}",
    )
    IntelligenceMention.objects.create(intelligence=intelligence, person=person)


@pytest.mark.django_db
def test_the_export_holds_one_of_every_record_about_the_child_and_none_about_another(
    django_assert_max_num_queries,
):
    worker = User.objects.create_user("worker")
    child = ChildFactory(given_name="Ada")
    one_of_everything(child, worker, "ADA")
    one_of_everything(ChildFactory(given_name="Bea"), worker, "BEA")
    with django_assert_max_num_queries(len(subject_access.SECTIONS)):  # one a section
        subject_access.collect(child)

    archive = zipfile.ZipFile(io.BytesIO(subject_access.export(child)))
    data = json.loads(archive.read("record.json"))
    page = archive.read("record.html").decode()

    counts = {title: len(rows) for title, rows in data["records"].items()}
    assert counts == {title: 1 for title, _model, _path in subject_access.SECTIONS}
    text = json.dumps(data, ensure_ascii=False)
    for held in ("REF-ADA", "Account ADA", "Org ADA", "Outcome ADA", "Action ADA", "Note ADA"):
        assert held in text and held in page
    assert "BEA" not in text and "BEA" not in page
    notification = data["records"]["Notifications to the placing authority"][0]
    assert (notification["note"], notification["when"]) == ("Note ADA", "2024-04-02T13:00:00+01:00")
    # Known by the episode's police reference, as every other record of the episode is.
    episode_reference = data["records"]["Missing and absent episodes"][0]["police reference"]
    assert notification["episode"] == episode_reference
    assert data["records"]["Meetings"][0]["attendees' agencies"] == ["POLICE", "HEALTH"]
