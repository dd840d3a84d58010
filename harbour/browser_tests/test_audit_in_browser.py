import pytest

from harbour.audit import services as auditor
from harbour.audit.tests.conftest import make_user
from harbour.children.services import save_child
from harbour.common.tests.factories import ChildFactory

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_auditor_reads_the_trail_in_plain_english_and_filters_it(page, axe, live_server):
    make_user("auditor", "AUDITOR")
    child = ChildFactory(child_id="P-100", given_name="Ada")
    child.given_name = "Adah"
    save_child("worker", child)
    auditor.record(
        "analyst", "report.download", details={"report": "annual", "for_publication": True}
    )
    sign_in(page, live_server.url, "auditor", "a-long-enough-password")

    page.goto(f"{live_server.url}/audit/")
    assert page.locator("td", has_text="Changed a child's record").first.is_visible()
    assert page.get_by_role("table", name="Before and after").first.is_visible()
    assert page.get_by_text("For publication: Yes").is_visible()
    check_page(page, axe, "audit-01-trail")

    page.get_by_label("Action").select_option(label="Downloaded a report")
    from_date = page.get_by_role("group", name="From")
    from_date.get_by_label("Day").fill("31")
    from_date.get_by_label("Month").fill("2")
    from_date.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show events").click()
    assert page.get_by_text("There is a problem").is_visible()
    page.get_by_role("link", name="The start date must be a real date").click()
    check_page(page, axe, "audit-02-filter-error")

    from_date = page.get_by_role("group", name="From")
    from_date.get_by_label("Day").fill("1")
    page.get_by_role("button", name="Show events").click()
    assert page.get_by_text("1 event").is_visible()
    check_page(page, axe, "audit-03-filtered")
