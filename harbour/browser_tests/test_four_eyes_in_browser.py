"""Four eyes in Chromium: an administrator asks for another administrator's place on a
restricted record's access list and a third approves it, with JavaScript off; a
coordinator's password reset is asked for by one administrator and approved by another,
who alone is shown the new link; casework asked for by the administrator who has just reset
an account is approved only with the box ticked. The pages pass axe-core."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page

from harbour.accounts.models import RoleAssignment
from harbour.common.tests.factories import ChildFactory, make_staff

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


@pytest.fixture
def administrators() -> None:
    for username in ("ada", "bob", "cyd"):
        make_staff("ADMINISTRATOR", username=username, password=PASSWORD)


def without_javascript(browser: Browser) -> Page:
    return browser.new_context(java_script_enabled=False).new_page()


def test_a_place_on_an_access_list_for_an_administrator_needs_a_third_administrator(
    browser, page, axe, live_server, administrators
):
    child = ChildFactory(restricted=True)
    base = live_server.url

    asking = without_javascript(browser)
    sign_in(asking, base, "ada", PASSWORD)
    asking.goto(f"{base}/children/{child.pk}/access-list/")
    asking.get_by_label("Add a member of staff by username").fill("bob")
    asking.get_by_role("button", name="Add to the access list").click()
    assert asking.get_by_text("needs a second administrator").is_visible()
    assert asking.get_by_role("heading", name="Waiting for a second administrator").is_visible()
    asking.goto(f"{base}/staff/requests/")
    assert asking.get_by_text("You asked for this").is_visible()
    assert asking.get_by_role("button", name="Approve").count() == 0
    asking.context.close()

    approving = without_javascript(browser)
    sign_in(approving, base, "cyd", PASSWORD)
    approving.goto(f"{base}/staff/")
    approving.get_by_role("link", name="1 request waiting for a second administrator").click()
    approving.get_by_role("button", name="Approve").click()
    assert approving.get_by_text("Approved: bob now has a place on the access list").is_visible()
    approving.context.close()
    assert list(child.access_list.values_list("username", flat=True)) == ["bob"]

    sign_in(page, base, "ada", PASSWORD)
    page.goto(f"{base}/children/{child.pk}/access-list/")
    check_page(page, axe, "four-eyes-01-access-list")
    page.get_by_label("Add a member of staff by username").fill("cyd")
    page.get_by_role("button", name="Add to the access list").click()
    check_page(page, axe, "four-eyes-02-access-list-waiting")
    page.goto(f"{base}/staff/requests/")
    check_page(page, axe, "four-eyes-03-requests")
    assert page.get_by_role("button", name="Approve").count() == 0
    page.goto(f"{base}/staff/")
    check_page(page, axe, "four-eyes-04-staff-list")
    page.goto(f"{base}/staff/{User.objects.get(username='ada').pk}/")
    check_page(page, axe, "four-eyes-05-own-page")


def test_a_coordinator_s_password_reset_is_approved_by_a_second_administrator_who_gets_the_link(
    browser, page, axe, live_server, administrators
):
    """The one who asks is never shown the link; the approver is, once, on the member of
    staff's page."""
    casey = make_staff("COORDINATOR", username="casey", password=PASSWORD, first_name="Casey")
    base = live_server.url

    asking = without_javascript(browser)
    sign_in(asking, base, "ada", PASSWORD)
    asking.goto(f"{base}/staff/{casey.pk}/")
    asking.get_by_role("button", name="Ask to reset password").click()
    assert asking.get_by_text("needs a second administrator, who will be shown the link").count()
    assert asking.locator("#set-password-link").count() == 0
    asking.context.close()
    casey.refresh_from_db()
    assert casey.check_password(PASSWORD)

    sign_in(page, base, "cyd", PASSWORD)
    page.goto(f"{base}/staff/requests/")
    check_page(page, axe, "four-eyes-06-requests-password")
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Approved: a new set-password link for casey").is_visible()
    link = page.locator("#set-password-link").input_value()
    assert "/staff/set-password/" in link
    check_page(page, axe, "four-eyes-07-link-for-the-approver")
    casey.refresh_from_db()
    assert not casey.has_usable_password()


def test_casework_asked_for_by_the_administrator_who_reset_the_account_needs_the_box_ticked(
    browser, page, axe, live_server, administrators
):
    """The takeover route: Ada resets an analyst's password (it takes effect at once and
    she is shown the link), then asks for the Coordinator role for the account. Cyd is
    warned, and approves only by confirming who uses the account."""
    dana = make_staff(
        "ANALYST", username="dana", password=PASSWORD, first_name="Dana", last_name="Obi"
    )
    base = live_server.url

    asking = without_javascript(browser)
    sign_in(asking, base, "ada", PASSWORD)
    asking.goto(f"{base}/staff/{dana.pk}/")
    asking.get_by_role("button", name="Reset password", exact=True).click()
    assert asking.locator("#set-password-link").count() == 1
    asking.get_by_label("Missing coordinator").check()
    asking.get_by_role("button", name="Save roles").click()
    assert asking.get_by_text("ada issued this account's set-password link on").is_visible()
    asking.context.close()

    approving = without_javascript(browser)
    sign_in(approving, base, "cyd", PASSWORD)
    approving.goto(f"{base}/staff/requests/")
    assert approving.get_by_text("Approve only if you know the account is used by Dana Obi").count()
    approving.get_by_role("button", name="Approve").click()
    assert approving.get_by_role("heading", name="There is a problem").is_visible()
    approving.context.close()
    assert not RoleAssignment.objects.filter(user=dana, role="COORDINATOR").exists()

    sign_in(page, base, "cyd", PASSWORD)
    page.goto(f"{base}/staff/{dana.pk}/")
    check_page(page, axe, "four-eyes-08-staff-page-warning")
    page.goto(f"{base}/staff/requests/")
    check_page(page, axe, "four-eyes-09-requests-warning")
    page.get_by_role("button", name="Approve").click()
    check_page(page, axe, "four-eyes-10-requests-not-confirmed")
    page.get_by_label(
        "I have checked with the member of staff that they, not ada, use this account"
    ).check()
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("Approved: dana now has the role Missing coordinator").is_visible()
    assert RoleAssignment.objects.filter(user=dana, role="COORDINATOR").exists()
