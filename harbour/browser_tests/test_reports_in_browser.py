import pytest

from harbour.common.tests.factories import make_staff
from harbour.reports.tests.helpers import episode, interview, looked_after_by

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def analyst():
    for hours in (3, 30, 80):
        interview(episode(hours=hours), "ACCEPTED", reasons=";FRIENDS;", risks=";CSE;")
    for _ in range(6):
        episode(child=looked_after_by("874"))
    make_staff("ANALYST", username="analyst", password="a-long-enough-password")


def test_an_analyst_reads_the_quarterly_and_annual_reports(page, axe, live_server, analyst):
    sign_in(page, live_server.url, "analyst", "a-long-enough-password")
    check_page(page, axe, "reports-01-home")

    page.goto(f"{live_server.url}/reports/quarterly/?year=2019")
    assert page.get_by_role("heading", name="Quarterly report, 2019/20").is_visible()
    check_page(page, axe, "reports-02-quarterly")

    page.get_by_role("link", name="Annual report").click()
    page.get_by_label("Financial year").select_option("2019")
    page.get_by_role("button", name="Show report").click()
    charts = page.locator("figure svg")
    assert charts.count() >= 8
    # The SVG charts display under the page's security policy: they have a size.
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    check_page(page, axe, "reports-03-annual")

    page.get_by_label("For publication").check()
    page.get_by_role("button", name="Show report").click()
    assert page.get_by_text("[c]").first.is_visible()
    check_page(page, axe, "reports-04-annual-for-publication")

    page.get_by_role("link", name="Quarterly performance").click()
    page.get_by_text("Report on other dates").click()
    first = page.get_by_role("group", name="First day")
    first.get_by_label("Day").fill("1")
    first.get_by_label("Month").fill("5")
    first.get_by_label("Year").fill("2019")
    last = page.get_by_role("group", name="Last day")
    last.get_by_label("Day").fill("31")
    last.get_by_label("Month").fill("5")
    last.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Show report").click()
    heading = "Quarterly report, 1 May 2019 to 31 May 2019"
    assert page.get_by_role("heading", name=heading).is_visible()
    check_page(page, axe, "reports-05-quarterly-any-dates")

    last.get_by_label("Day").fill("")
    page.get_by_role("button", name="Show report").click()
    assert page.get_by_text("There is a problem").is_visible()
    page.get_by_role("link", name="The last day of the period must include a day").click()
    check_page(page, axe, "reports-06-dates-error")

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", name="You have signed out").is_visible()
    check_page(page, axe, "reports-07-signed-out")


def test_the_sign_in_page_is_accessible(page, axe, live_server):
    page.goto(f"{live_server.url}/sign-in/")
    check_page(page, axe, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("There is a problem").is_visible()
    check_page(page, axe, "sign-in-error")
