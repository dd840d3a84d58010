"""Every response carries the security headers (docs/security.md)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from harbour.security import CONTENT_SECURITY_POLICY, format_policy, is_static

from .conftest import ONE_YEAR

pytestmark = pytest.mark.django_db

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


@pytest.fixture
def sign_in_page(client: Client, https_rules: None):
    response = client.get(reverse("sign_in"), secure=True)
    assert response.status_code == 200
    return response


def test_the_policy_is_exactly_the_documented_one() -> None:
    assert format_policy(CONTENT_SECURITY_POLICY) == STRICT_POLICY


def test_a_page_has_every_security_header(sign_in_page) -> None:
    headers = sign_in_page.headers
    assert headers["Content-Security-Policy"] == STRICT_POLICY
    assert headers["Strict-Transport-Security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "no-store" in headers["Cache-Control"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in headers["Permissions-Policy"]


def test_the_page_needs_nothing_the_policy_forbids(sign_in_page) -> None:
    html = sign_in_page.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"<style\b", html, flags=re.IGNORECASE)
    assert not re.search(r"<[^>]*\s(style|on[a-z]+)\s*=", html, flags=re.IGNORECASE)


def test_cookies_are_secure_http_only_and_same_site(
    client: Client, https_rules: None, client_as, settings
) -> None:
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False
    csrf = client.get(reverse("sign_in"), secure=True).cookies["csrftoken"]
    client_as()
    # The session is saved, and its cookie set again, on every request.
    session = client.get(reverse("health"), secure=True).cookies["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_without_hsts(client: Client, https_rules: None):
    response = client.get(reverse("sign_in"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/sign-in/"
    # HSTS is only ever sent over HTTPS (RFC 6797). The redirect, made by SecurityMiddleware
    # before any other middleware runs, has no body for a policy to govern.
    assert "Strict-Transport-Security" not in response


def test_the_health_check_answers_over_plain_http(client: Client, https_rules: None):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_error_responses_and_downloads_are_not_stored(client: Client, https_rules: None):
    response = client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == STRICT_POLICY


def test_static_files_may_be_cached(client: Client, https_rules: None) -> None:
    response = client.get("/static/harbour/not-a-file.css", secure=True)
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["Content-Security-Policy"] == STRICT_POLICY
    assert is_static("/static/harbour/application.css")
    assert not is_static("/reports/static/")


@pytest.mark.urls("harbour.tests_security.urls")
def test_a_nonce_is_in_the_policy_only_when_a_page_uses_one(client: Client) -> None:
    response = client.get("/test-nonce/")
    carried = re.search(r'nonce="([^"]+)"', response.content.decode())
    assert carried, "the page carries a nonce"
    nonce = carried.group(1)
    policy = response["Content-Security-Policy"]
    assert f"script-src 'self' 'nonce-{nonce}';" in policy
    assert f"style-src 'self' 'nonce-{nonce}';" in policy
    again = client.get("/test-nonce/")
    assert nonce not in again.content.decode(), "a new nonce for every response"
    assert "nonce-" not in client.get(reverse("health"))["Content-Security-Policy"]


def test_debug_pages_alone_may_use_inline_style_and_script(client: Client, settings) -> None:
    settings.DEBUG = True
    debug_404 = client.get("/no-such-page/")
    assert "script-src 'self' 'unsafe-inline';" in debug_404["Content-Security-Policy"]
    assert client.get(reverse("health"))["Content-Security-Policy"] == STRICT_POLICY
    settings.DEBUG = False
    assert client.get("/no-such-page/")["Content-Security-Policy"] == STRICT_POLICY


def test_the_middleware_runs_right_after_django_s_security_middleware(settings) -> None:
    middleware = list(settings.MIDDLEWARE)
    position = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[position + 1] == "harbour.security.SecurityHeadersMiddleware"
