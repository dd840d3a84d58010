"""What every signed-in request reads before the page: the session's generation ("sign out
everywhere") and the user's roles, in one query (docs/performance.md, "Load")."""

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from harbour.accounts.middleware import SESSION_GENERATION, SignOutEverywhereMiddleware
from harbour.accounts.models import RoleAssignment, StaffProfile
from harbour.accounts.permissions import allowed, roles_of
from harbour.common.tests.factories import make_staff

pytestmark = pytest.mark.django_db


def checked_request(user: User, generation: int = 0):
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=user.pk)  # as the session loads it: no roles read yet
    request.session = SessionStore()
    request.session[SESSION_GENERATION] = generation
    seen = {}

    def page(request):
        with CaptureQueriesContext(connection) as queries:
            seen["roles"] = roles_of(request.user)
            seen["may_report"] = allowed(request.user, "reports.view_reports")
        seen["queries"] = len(queries)
        return HttpResponse("page")

    with CaptureQueriesContext(connection) as queries:
        response = SignOutEverywhereMiddleware(page)(request)
    return response, seen, len(queries)


def test_the_session_check_reads_the_roles_so_the_page_asks_no_query_for_them():
    user = make_staff("COORDINATOR", "ANALYST")
    StaffProfile.objects.create(user=user, session_generation=2)

    response, seen, queries = checked_request(user, generation=2)

    assert response.status_code == 200
    assert seen == {
        "roles": frozenset({"COORDINATOR", "ANALYST"}),
        "may_report": True,
        "queries": 0,
    }
    assert queries == 1


def test_a_user_with_no_profile_and_no_roles_has_generation_zero_and_no_roles():
    user = make_staff()

    response, seen, _ = checked_request(user, generation=0)

    assert response.status_code == 200
    assert seen["roles"] == frozenset()
    assert seen["may_report"] is False


def test_a_session_from_before_sign_out_everywhere_still_ends():
    user = make_staff("COORDINATOR")
    StaffProfile.objects.create(user=user, session_generation=3)

    response, seen, _ = checked_request(user, generation=2)

    assert response.status_code == 302
    assert seen == {}


def test_a_role_taken_away_is_gone_on_the_next_request():
    user = make_staff("COORDINATOR", "ANALYST")
    _, before, _ = checked_request(user)
    RoleAssignment.objects.filter(user=user, role="ANALYST").delete()

    _, after, _ = checked_request(user)

    assert before["roles"] == frozenset({"COORDINATOR", "ANALYST"})
    assert after["roles"] == frozenset({"COORDINATOR"})
