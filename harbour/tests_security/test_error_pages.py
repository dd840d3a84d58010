"""Error pages say what went wrong in plain words, and echo nothing from the request."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver, reverse

from harbour import security

from .urls import PERSONAL_DATA

pytestmark = [pytest.mark.django_db, pytest.mark.urls("harbour.tests_security.urls")]


def page(client: Client, path: str, status: int) -> str:
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    for personal in ("Zoe", "Quartermaine", "2011-04-05", "?name", "&amp;dob"):
        assert personal not in html
    return html


def test_not_found_does_not_echo_the_address_or_its_parameters(client: Client) -> None:
    html = page(client, "/children/no-such-child-Quartermaine/?name=Zoe&dob=2011-04-05", 404)
    assert "<title>Page not found \N{EN DASH} Harbour \N{EN DASH} " in html
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "no-such-child" not in html and "dob" not in html


def test_not_found_does_not_show_the_exception_text(client: Client) -> None:
    page(client, "/test-not-found/?name=Zoe", 404)


def test_server_error_shows_neither_the_exception_nor_the_parameters(client: Client) -> None:
    html = page(client, "/test-fail/?name=Zoe", 500)
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html
    assert "RuntimeError" not in html and "Traceback" not in html
    assert "test-fail" not in html


def test_permission_denied_renders_harbour_s_403_page(client: Client) -> None:
    html = page(client, "/test-refuse/?name=Zoe", 403)
    assert "You do not have permission to see this page" in html


def test_a_bad_request_renders_harbour_s_400_page(client: Client) -> None:
    html = page(client, "/test-suspicious/?name=Zoe", 400)
    assert "Sorry, there is a problem with the service" in html
    assert "a test of the 400 page" not in html


def test_a_csrf_failure_renders_harbour_s_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("sign_in"), {"username": "Zoe", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Sorry, your form could not be sent" in html
    assert "Zoe" not in html and "CSRF" not in html


def test_error_pages_do_not_show_who_is_signed_in(client: Client, client_as) -> None:
    client_as(username="zoe.worker")
    html = page(client, "/test-refuse/", 403)
    assert "zoe.worker" not in html and "Sign out" not in html


def test_harbour_s_urls_use_these_error_handlers() -> None:
    resolver = get_resolver("harbour.urls")
    assert resolver.resolve_error_handler(400) is security.bad_request
    assert resolver.resolve_error_handler(403) is security.permission_denied
    assert resolver.resolve_error_handler(404) is security.page_not_found
    assert resolver.resolve_error_handler(500) is security.server_error


@pytest.mark.django_db(databases=[])
def test_the_500_page_needs_no_database() -> None:
    # No database access is allowed in this test: the page must render when it is down.
    response = security.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_the_500_page_falls_back_to_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("template missing")

    monkeypatch.setattr(security, "render_error", broken)
    response = security.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"there is a problem with the service" in response.content


def test_secret_is_what_the_failing_views_raise() -> None:
    assert "Zoe" in PERSONAL_DATA  # the assertions above look for its parts
