"""Every database check constraint reaches a person as a message on its field, never as
`Constraint "name" is violated.` (harbour/common/constraints.py)."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint

from harbour.common.constraints import RULES, FieldRuleConstraints
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, MeetingFactory
from harbour.common.time import UTC

CHECKS = [
    (model, constraint)
    for model in apps.get_models()
    for constraint in model._meta.constraints
    if isinstance(constraint, CheckConstraint)
]


@pytest.mark.parametrize(
    ("model", "constraint"), CHECKS, ids=[constraint.name for _, constraint in CHECKS]
)
def test_every_check_constraint_has_a_message_on_a_field_of_its_model(model, constraint):
    rule = RULES.get(constraint.name)
    assert rule is not None, f"Add {constraint.name} to harbour/common/constraints.py RULES"
    assert rule.field in {field.name for field in model._meta.get_fields()}
    assert constraint.name not in rule.message and "Constraint" not in rule.message
    assert issubclass(model, FieldRuleConstraints), (
        f"{model._meta.label} must validate with FieldRuleConstraints"
    )


@pytest.mark.django_db
def test_a_meeting_held_before_it_was_requested_is_an_error_on_the_date_held():
    meeting = MeetingFactory(requested_on=dt.date(2024, 3, 10))
    meeting.held_on = dt.date(2024, 3, 9)

    with pytest.raises(ValidationError) as refused:
        meeting.full_clean()

    assert refused.value.message_dict == {
        "held_on": [
            "The date the meeting was held must be the same as or after the date it was requested"
        ]
    }


@pytest.mark.django_db
def test_an_episode_found_before_last_seen_is_an_error_on_the_time_found():
    start = dt.datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    episode = EpisodeFactory.build(
        child=ChildFactory(), started_at=start, ended_at=start - dt.timedelta(hours=1)
    )
    episode.refresh_derived()

    with pytest.raises(ValidationError) as refused:
        episode.full_clean()

    assert "ended_at" in refused.value.message_dict
    assert "Constraint" not in str(refused.value)
