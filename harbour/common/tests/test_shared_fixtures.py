"""The fixtures every app's tests share (harbour/conftest.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from harbour.accounts.models import RoleAssignment
from harbour.common.tests.factories import make_staff
from harbour.common.time import UTC

NOW = dt.datetime(2024, 3, 31, 0, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.mark.frozen_at(NOW)
def test_a_frozen_test_sees_its_instant_and_the_clock_does_not_tick():
    first = timezone.now()
    second = timezone.now()
    assert first == second == NOW


@pytest.mark.frozen_at(NOW)
def test_the_clock_fixture_moves_a_frozen_clock_on(clock):
    clock.shift(dt.timedelta(hours=2))
    assert timezone.now() == NOW + dt.timedelta(hours=2)


def test_an_unmarked_test_runs_on_the_real_clock():
    assert timezone.now().year >= 2026


def test_make_staff_numbers_a_second_member_with_the_same_roles():
    first = make_staff("COORDINATOR")
    second = make_staff("COORDINATOR")
    assert (first.username, second.username) == ("user-coordinator", "user-coordinator-2")


def test_make_staff_with_no_roles_holds_none():
    user = make_staff()
    assert user.username == "user-none"
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_make_staff_gives_a_provider_only_when_asked():
    worker = make_staff("RHI_WORKER", organisation="Harbour Lights")
    assert worker.staff_profile.organisation == "Harbour Lights"
    assert not hasattr(make_staff("ANALYST"), "staff_profile")


def test_client_as_signs_the_test_client_in(client, client_as):
    user = client_as("ANALYST", username="analyst")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert list(user.role_assignments.values_list("role", flat=True)) == ["ANALYST"]
