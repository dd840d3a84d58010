"""The partners' API's staff pages in the browser (docs/api.md): an administrator issues a
token and sees its secret once, then revokes it; a coordinator opens a notification the
API held and matches it on the notification form's choose step; the interactive docs load
under the Content Security Policy. Every page is checked with axe-core and screenshotted
(test-artifacts/api-NN-*.png)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from harbour.api import tokens
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.missing.models import Episode

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


def test_an_administrator_issues_and_revokes_a_token(page: Page, axe, live_server):
    make_staff("ADMINISTRATOR", username="admin1", password=PASSWORD)
    ChildFactory.create(child_id="P-2001")
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "admin1", PASSWORD)
    page.goto(f"{live_server.url}/staff/api-tokens/")
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    check_page(page, axe, "api-01-tokens")

    page.get_by_role("button", name="Issue token").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the organisation")
    check_page(page, axe, "api-02-tokens-errors")

    page.get_by_label("Organisation").fill("Sample House")
    page.get_by_label("Purpose").fill("reports")
    page.get_by_label("Report a child in the token's scope missing or returned").check()
    page.get_by_label("Children the token may report on or read (optional)").fill("P-2001")
    page.get_by_role("button", name="Issue token").click()
    expect(page.get_by_text("Token issued for Sample House")).to_be_visible()
    secret = page.locator("#secret").inner_text().strip()
    assert tokens.authenticate(secret) is not None
    check_page(page, axe, "api-03-token-issued")

    page.goto(f"{live_server.url}/staff/api-tokens/")
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    assert tokens.authenticate(secret) is None
    check_page(page, axe, "api-04-token-revoked")


def test_a_coordinator_matches_a_held_notification(page: Page, axe, live_server):
    child = ChildFactory.create(
        child_id="P-3001", given_name="Bea", family_name="Brook", date_of_birth=dt.date(2011, 2, 3)
    )
    issued = tokens.issue(
        "test", organisation="Example Shire Police", purpose="notifications",
        scopes=["notifications"],
    )  # fmt: skip
    seen = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).replace(microsecond=0)
    response = Client().post(
        "/api/v1/notifications",
        data=json.dumps(
            {
                "police_reference": "XSP-HELD-1",
                "category": "MISSING",
                "last_seen_at": seen.isoformat(),
                "given_name": "Bea",
                "family_name": "Brook",
                "date_of_birth": "2011-02-03",
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 202
    make_staff("COORDINATOR", username="coord1", password=PASSWORD)
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "coord1", PASSWORD)
    page.goto(f"{live_server.url}/episodes/from-partners/")
    expect(page.get_by_role("heading", name="Notifications from partners to match")).to_be_visible()
    check_page(page, axe, "api-05-held")

    page.get_by_role("button", name="Choose the child").click()
    check_page(page, axe, "api-06-choose")
    page.get_by_label("Bea Brook", exact=False).first.check()
    page.get_by_role("button", name="Record").first.click()
    expect(page.get_by_text("XSP-HELD-1").first).to_be_visible()
    assert Episode.objects.get(episode_id="XSP-HELD-1").child == child
    page.goto(f"{live_server.url}/episodes/from-partners/")
    expect(page.get_by_text("There are no notifications waiting.")).to_be_visible()


def test_the_interactive_docs_load_for_a_coordinator(page: Page, axe, live_server):
    make_staff("COORDINATOR", username="coord2", password=PASSWORD)
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, "coord2", PASSWORD)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("/api/v1/notifications").first).to_be_visible()
