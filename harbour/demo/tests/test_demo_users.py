"""The demo users: one per role with the published password, only with DEBUG on."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from harbour.accounts.permissions import roles_of
from harbour.accounts.services import grant_demo_role
from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import EpisodeFactory
from harbour.common.time import UTC
from harbour.demo.management.commands.demo_users import PASSWORD
from harbour.interviews.models import Allocation

pytestmark = pytest.mark.django_db


def test_demo_users_refuse_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_users")
    assert not get_user_model().objects.exists()


def test_demo_users_give_each_role_a_user_with_the_published_password(settings):
    settings.DEBUG = True
    call_command("demo_users")
    users = get_user_model().objects
    expected = {
        "admin": {"ADMINISTRATOR"},
        "coordinator": {"COORDINATOR"},
        "rhi-worker": {"RHI_WORKER"},
        "social-worker": {"SOCIAL_WORKER"},
        "exploitation-lead": {"EXPLOITATION_LEAD"},
        "analyst": {"ANALYST"},
        "auditor": {"AUDITOR"},
    }
    for username, roles in expected.items():
        user = users.get(username=username)
        assert set(roles_of(user)) == roles
        assert user.check_password(PASSWORD)
    assert users.get(username="admin").is_superuser


def test_the_demo_s_casework_roles_are_given_by_the_command_and_audited_as_such(settings):
    settings.DEBUG = True
    call_command("demo_users")

    granted = AuditEvent.objects.filter(
        action="accounts.user.grant_role", details__role="COORDINATOR"
    ).get()
    assert (granted.actor_name, granted.details["demo"]) == ("demo_users", True)


def test_no_role_is_given_without_a_second_administrator_when_debug_is_off(settings):
    settings.DEBUG = False
    user = get_user_model().objects.create_user("not-a-demo")

    with pytest.raises(ValidationError, match="DEBUG"):
        grant_demo_role(user, "COORDINATOR")

    assert roles_of(user) == frozenset()
    assert not AuditEvent.objects.exists()


def test_running_demo_users_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("demo_users")
    call_command("demo_users")
    assert get_user_model().objects.count() == 7


def test_demo_worker_is_given_recent_interviews_once(settings):
    settings.DEBUG = True
    ended = dt.datetime(2025, 3, 1, 12, tzinfo=UTC)
    for hours in range(12):
        EpisodeFactory(
            category="MISSING",
            started_at=ended - dt.timedelta(hours=hours + 5),
            ended_at=ended - dt.timedelta(hours=hours),
        )
    call_command("demo_users")
    call_command("demo_users")
    worker = get_user_model().objects.get(username="rhi-worker")
    assert Allocation.objects.filter(worker=worker).count() == 8


def test_demo_worker_is_not_given_children_placed_by_other_authorities(settings):
    # Their return interview is the placing authority's: this authority notifies it, and
    # the worker would see the child under "Notify the placing authority".
    from harbour.common.tests.factories import ChildFactory, LegalStatusFactory

    settings.DEBUG = True
    ended = dt.datetime(2025, 3, 1, 12, tzinfo=UTC)
    placed_here = ChildFactory()
    LegalStatusFactory(child=placed_here, responsible_la="344", start_date=dt.date(2024, 1, 1))
    for hours in range(3):
        EpisodeFactory(
            child=placed_here,
            category="MISSING",
            started_at=ended - dt.timedelta(hours=hours + 5),
            ended_at=ended - dt.timedelta(hours=hours),
        )
    home = EpisodeFactory(
        category="MISSING", started_at=ended - dt.timedelta(days=3), ended_at=ended
    )

    call_command("demo_users")

    worker = get_user_model().objects.get(username="rhi-worker")
    assert [a.episode for a in Allocation.objects.filter(worker=worker)] == [home]
