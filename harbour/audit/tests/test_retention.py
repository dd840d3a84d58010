"""apply_retention: a dry run changes nothing; --commit erases exactly the children past
retention (18 + 7 years, or 18 + 25 for a child ever looked after), and audits it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from harbour.audit.models import AuditEvent
from harbour.children.erasure import RetentionRule
from harbour.children.models import Child
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReturnInterviewFactory,
)
from harbour.missing.models import Episode

from .conftest import run_command

pytestmark = pytest.mark.django_db

# 16 June 2030, UK time: a child born on 15 June 2005 is past 18 + 7 years since today.
TODAY = dt.datetime(2030, 6, 16, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def children():
    due = ChildFactory(child_id="DUE", date_of_birth=dt.date(2005, 6, 15))
    EpisodeFactory(child=due)
    ReturnInterviewFactory(episode=EpisodeFactory(child=due))
    on_the_day = ChildFactory(child_id="ANNIVERSARY-TODAY", date_of_birth=dt.date(2005, 6, 16))
    young = ChildFactory(child_id="YOUNG", date_of_birth=dt.date(2012, 1, 1))
    # Looked after once: kept for 18 + 25 years.
    looked_after = ChildFactory(child_id="LAC-KEPT", date_of_birth=dt.date(1990, 1, 1))
    LegalStatusFactory(child=looked_after, status="LAC", start_date=dt.date(2000, 1, 1))
    looked_after_due = ChildFactory(child_id="LAC-DUE", date_of_birth=dt.date(1987, 6, 15))
    LegalStatusFactory(child=looked_after_due, status="LAC", start_date=dt.date(2000, 1, 1))
    # A child protection plan is not being looked after.
    on_a_plan = ChildFactory(child_id="CP-DUE", date_of_birth=dt.date(1999, 1, 1))
    LegalStatusFactory(child=on_a_plan, status="CP", start_date=dt.date(2005, 1, 1))
    return {
        "due": {due.pk, looked_after_due.pk, on_a_plan.pk},
        "kept": {on_the_day.pk, young.pk, looked_after.pk},
    }


@pytest.mark.frozen_at(TODAY)
def test_a_dry_run_lists_the_children_past_retention_and_changes_nothing(children):
    before = (Child.objects.count(), Episode.objects.count())

    outcome = run_command("apply_retention")

    assert outcome.code == 0
    assert (Child.objects.count(), Episode.objects.count()) == before
    for person_id in ("DUE", "LAC-DUE", "CP-DUE"):
        assert f"person id {person_id} " in outcome.output
    for person_id in ("ANNIVERSARY-TODAY", "YOUNG", "LAC-KEPT"):
        assert f"person id {person_id} " not in outcome.output
    assert "3 children past retention. Dry run: nothing was erased" in outcome.output
    assert "past retention since 2030-06-16" in outcome.output
    event = AuditEvent.objects.get(action="children.retention.dry_run")
    assert set(event.child_pks) == children["due"]
    assert event.details["past_retention"] == 3
    assert not AuditEvent.objects.filter(action="children.child.erase").exists()


@pytest.mark.frozen_at(TODAY)
def test_commit_erases_exactly_the_children_past_retention(children, verify):
    outcome = run_command("apply_retention", "--commit", "--batch-size", "2")

    assert outcome.code == 0, outcome.output
    assert "Erased 3 children past retention." in outcome.output
    assert set(Child.objects.values_list("pk", flat=True)) == children["kept"]
    assert not Episode.objects.exists()
    erased = AuditEvent.objects.filter(action="children.child.erase")
    assert {pk for event in erased for pk in event.child_pks} == children["due"]
    run = AuditEvent.objects.get(action="children.retention.apply")
    assert run.details["erased"] == 3
    assert run.details["years_after_18"] == 7
    assert set(run.child_pks) == children["due"]
    assert verify().code == 0


@pytest.mark.frozen_at(TODAY)
def test_the_periods_come_from_settings(children, settings):
    settings.RETENTION_YEARS_AFTER_18 = 8
    assert RetentionRule.from_settings() == RetentionRule(8, 25)
    due = set(
        RetentionRule.from_settings()
        .past_retention(TODAY.date())
        .values_list("child_id", flat=True)
    )
    assert due == {"LAC-DUE", "CP-DUE"}

    settings.RETENTION_YEARS_AFTER_18 = 6
    settings.RETENTION_YEARS_AFTER_18_LOOKED_AFTER = 30
    assert RetentionRule.from_settings() == RetentionRule(6, 30)

    settings.RETENTION_YEARS_AFTER_18 = "soon"
    with pytest.raises(ImproperlyConfigured):
        RetentionRule.from_settings()


def test_a_29_february_birthday_falls_due_on_1_march():
    rule = RetentionRule(7, 25)
    child = ChildFactory(date_of_birth=dt.date(2004, 2, 29))

    assert rule.erase_from(child, looked_after=False) == dt.date(2029, 3, 1)
    assert not rule.past_retention(dt.date(2029, 2, 28)).exists()
    assert rule.past_retention(dt.date(2029, 3, 1)).get() == child
