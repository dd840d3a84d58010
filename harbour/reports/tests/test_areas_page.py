"""The analysts' area counts page (/reports/areas/) and its CSV: counts by postcode
district and ward, every count from 1 to the threshold shown as [c], no totals, no names;
for analysts and exploitation leads only; each view audited with its period."""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.publication import SMALL_NUMBER_THRESHOLD
from harbour.common.tests.factories import ChildFactory
from harbour.exploitation.tests.network_factories import PlaceChildLinkFactory, PlaceFactory

pytestmark = pytest.mark.django_db

AT_THRESHOLD = SMALL_NUMBER_THRESHOLD
ABOVE = SMALL_NUMBER_THRESHOLD + 1
IN_2019 = dt.date(2019, 5, 1)  # in financial year 2019/20, Q1
PLACE_NAME = "Marrowbone Kebab House"
CHILD_GIVEN, CHILD_FAMILY = "Zephyrine", "Quillfeather"
TODAY = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)  # in 2026/27 Q3


class TableRows(HTMLParser):
    """The text of each body row of the table with id area-counts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.in_table = self.in_body = self.in_cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "area-counts") in attrs:
            self.in_table = True
        elif self.in_table and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("td", "th"):
            self.in_cell = True
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.in_table = False

    def handle_data(self, data):
        if self.in_cell:
            self.rows[-1][-1] += data.strip()


def table_rows(page: str) -> list[list[str]]:
    parser = TableRows()
    parser.feed(page)
    return parser.rows


def children_linked_to(place, count: int, *, found_at: bool = False, first_seen=IN_2019) -> None:
    for number in range(count):
        child = ChildFactory(given_name=CHILD_GIVEN, family_name=f"{CHILD_FAMILY}{number}")
        PlaceChildLinkFactory(place=place, child=child, found_at=found_at, first_seen=first_seen)


@pytest.fixture
def register():
    """NG1 / Castle: one place, children at the threshold (found there after going
    missing); NG7 / Lenton: one place, one child more than the threshold; NG9 with no
    ward: one place, no link in 2019/20."""
    small = PlaceFactory(name=PLACE_NAME, postcode="NG1 5DT", ward="Castle")
    children_linked_to(small, AT_THRESHOLD, found_at=True)
    large = PlaceFactory(name="Larkspur Chicken", postcode="NG7 2AB", ward="Lenton")
    children_linked_to(large, ABOVE)
    quiet = PlaceFactory(name="Quiet Corner Cafe", postcode="NG9 1AA", ward="")
    children_linked_to(quiet, 2, first_seen=dt.date(2018, 5, 1))


def test_an_analyst_sees_small_counts_suppressed_and_a_count_above_the_threshold_shown(
    client, client_as, register
):
    client_as("ANALYST")
    response = client.get("/reports/areas/?year=2019")
    assert response.status_code == 200
    rows = table_rows(response.content.decode())
    assert rows == [
        ["NG1", "Castle", "[c]", "[c]", "[c]"],
        ["NG7", "Lenton", "[c]", str(ABOVE), "0"],
        ["NG9", "Not recorded", "[c]", "0", "0"],
    ]


def test_children_count_only_for_links_first_seen_in_the_period(client, client_as, register):
    client_as("ANALYST")
    rows = table_rows(client.get("/reports/areas/?year=2018").content.decode())
    assert ["NG7", "Lenton", "[c]", "0", "0"] in rows
    rows = table_rows(client.get("/reports/areas/?year=2019&quarter=2").content.decode())
    assert all(row[3:] == ["0", "0"] for row in rows)


def test_the_page_explains_c_and_why_there_is_no_total(client, client_as, register):
    client_as("ANALYST")
    page = client.get("/reports/areas/?year=2019").content.decode()
    assert f"[c] means a count from 1 to {SMALL_NUMBER_THRESHOLD}" in page
    assert "There is no total" in page
    assert "Total" not in "".join(cell for row in table_rows(page) for cell in row)
    assert page.count("<h1") == 1
    assert "<caption" in page


def test_the_page_names_no_child_person_or_place(client, client_as, register):
    client_as("ANALYST")
    page = client.get("/reports/areas/?year=2019").content.decode()
    assert len(table_rows(page)) == 3  # the register's areas are shown, not its names
    for secret in (PLACE_NAME, "Larkspur Chicken", CHILD_GIVEN, CHILD_FAMILY):
        assert secret not in page


def test_an_exploitation_lead_may_open_the_page(client, client_as, register):
    client_as("EXPLOITATION_LEAD")
    assert client.get("/reports/areas/?year=2019").status_code == 200


@pytest.mark.parametrize(
    "role", ["COORDINATOR", "SOCIAL_WORKER", "RHI_WORKER", "ADMINISTRATOR", "AUDITOR"]
)
def test_other_roles_are_refused_the_page_and_its_csv(client, client_as, role):
    client_as(role)
    assert client.get("/reports/areas/").status_code == 403
    assert client.get("/reports/areas.csv?year=2019").status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    for path in ("/reports/areas/", "/reports/areas.csv"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_the_page_answers_get_only(client, client_as):
    client_as("ANALYST")
    assert client.post("/reports/areas/").status_code == 405


def test_each_view_is_audited_with_its_period_and_nothing_personal(client, client_as, register):
    analyst = client_as("ANALYST")
    client.get("/reports/areas/?year=2019&quarter=1")
    event = AuditEvent.objects.get(action="report.areas_viewed")
    assert event.actor == analyst
    assert event.details == {"period": ["2019-04-01", "2019-06-30"]}
    assert not event.subjects.exists()
    assert event.object_id == "" and event.sealed == ""


@pytest.mark.frozen_at(TODAY)
def test_without_a_choice_the_page_shows_the_exploitation_reports_default_year(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/areas/").content.decode()
    assert '<h1 class="govuk-heading-l">Area counts, 2026/27</h1>' in page
    event = AuditEvent.objects.get(action="report.areas_viewed")
    assert event.details == {"period": ["2026-04-01", "2027-03-31"]}


def test_a_range_of_dates_is_reported_on(client, client_as, register):
    client_as("ANALYST")
    query = "first_day=1&first_month=5&first_year=2019&last_day=1&last_month=5&last_year=2019"
    page = client.get(f"/reports/areas/?{query}").content.decode()
    assert "Area counts, 1 May 2019 to 1 May 2019" in page
    assert ["NG7", "Lenton", "[c]", str(ABOVE), "0"] in table_rows(page)


@pytest.mark.frozen_at(TODAY)
@pytest.mark.parametrize(
    ("query", "message", "anchor"),
    [
        ("year=abc", "Select a financial year from the list", "year"),
        ("year=2027", "Financial year 2027/28 has not started yet", "year"),
        ("year=2026&quarter=4", "2026/27 Q4 has not started yet", "quarter"),
        (
            "first_day=1&first_month=5&first_year=2019",
            "Enter the last day of the period",
            "last_day",
        ),
        ("first_day=1&first_month=1%00&first_year=2019", "control character", "first_day"),
    ],
)
def test_a_bad_period_is_an_error_on_its_field_with_no_counts_and_no_audit(
    client, client_as, register, query, message, anchor
):
    client_as("ANALYST")
    response = client.get(f"/reports/areas/?{query}")
    page = response.content.decode()
    assert response.status_code == 200  # as every report page: the form, with its errors
    assert "There is a problem" in page
    assert message in page
    assert f'href="#{anchor}"' in page
    assert 'id="area-counts"' not in page
    assert not AuditEvent.objects.filter(action="report.areas_viewed").exists()


def test_the_csv_is_the_same_suppressed_table_and_is_audited(client, client_as, register):
    client_as("ANALYST")
    response = client.get("/reports/areas.csv?year=2019")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="harbour-areas-2019-04-01-2020-03-31.csv"' in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "Postcode district",
        "Ward",
        "Places",
        "Children linked in the period",
        "Found-at matches in the period",
    ]
    assert rows[1:] == [
        ["NG1", "Castle", "[c]", "[c]", "[c]"],
        ["NG7", "Lenton", "[c]", str(ABOVE), "0"],
        ["NG9", "Not recorded", "[c]", "0", "0"],
    ]
    for secret in (PLACE_NAME, CHILD_GIVEN, CHILD_FAMILY):
        assert secret not in body
    event = AuditEvent.objects.get(action="report.download")
    assert event.details == {
        "report": "areas",
        "periods": [["2019-04-01", "2020-03-31"]],
        "for_publication": True,
        "format": "csv",
    }


def test_a_ward_that_reads_as_a_formula_is_escaped_in_the_csv(client, client_as):
    PlaceFactory(postcode="NG1 5DT", ward="=HYPERLINK(1)")
    client_as("ANALYST")
    rows = list(
        csv.reader(io.StringIO(client.get("/reports/areas.csv?year=2019").content.decode()))
    )
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_a_csv_with_a_bad_period_is_not_found(client, client_as):
    client_as("ANALYST")
    assert client.get("/reports/areas.csv?year=abc").status_code == 404


def test_the_reports_navigation_offers_the_page_only_to_those_who_may_open_it(client, client_as):
    client_as("ANALYST")
    assert 'href="/reports/areas/"' in client.get("/reports/quarterly/").content.decode()
    client.logout()
    client_as("COORDINATOR")
    assert 'href="/reports/areas/"' not in client.get("/reports/quarterly/").content.decode()
