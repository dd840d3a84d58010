"""The Django admin is for superusers only: anyone else who is signed in is told so, once,
instead of being sent round /admin/ → /admin/login/ → /sign-in/ → /admin/ until the browser
gives up."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "roles",
    [("COORDINATOR",), ("ADMINISTRATOR",), ("ANALYST",), ()],
    ids=["COORDINATOR", "ADMINISTRATOR", "ANALYST", "no role"],
)
@pytest.mark.parametrize("path", ["/admin/", "/admin/login/?next=/admin/", "/admin/missing/"])
def test_a_signed_in_user_who_is_not_a_superuser_is_refused_the_admin_with_403(
    client, client_as, roles, path
):
    client_as(*roles)
    response = client.get(path)

    assert response.status_code == 403
    assert b"Harbour administration is for superusers only" in response.content


def test_following_the_admin_as_a_non_superuser_ends_without_a_loop(client, client_as):
    client_as("COORDINATOR")
    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert response.redirect_chain == []


def test_an_anonymous_visitor_is_still_sent_to_harbours_sign_in():
    response = Client().get("/admin/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/sign-in/?next=")


def test_a_superuser_still_reaches_the_admin():
    superuser = get_user_model().objects.create_superuser("root", password="x" * 20)
    client = Client()
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 200
