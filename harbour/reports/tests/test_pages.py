import csv
import datetime as dt
import io
import json
import re

import pytest
from openpyxl import load_workbook

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import make_staff

from .helpers import episode, figures, interview, looked_after_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    for _ in range(7):
        interview(episode(), "ACCEPTED", reasons=";FRIENDS;")
    episode(child=looked_after_by("874"))


def test_reports_are_refused_to_staff_without_a_reporting_role(client, client_as):
    client_as()
    assert client.get("/reports/quarterly/").status_code == 403


def test_report_pages_need_a_signed_in_user(client):
    for path in ["/reports/quarterly/", "/reports/annual/", "/reports/quarterly.csv"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


def test_quarterly_page_shows_four_quarters_and_the_previous_year(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/quarterly/?year=2019").content.decode()
    for label in ["2019/20 Q1", "2019/20 Q4", "2018/19 Q1", "2018/19 Q4"]:
        assert label in page
    assert "Total number of missing episodes" in page
    assert "Previous year" in page


def test_one_quarter_can_be_chosen(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/quarterly/?year=2019&quarter=1").content.decode()
    assert "2019/20 Q1" in page
    assert "2019/20 Q2" not in page


def test_annual_page_has_charts_each_with_its_figures(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/annual/?year=2019").content.decode()
    charts = page.count('<svg xmlns="http://www.w3.org/2000/svg"')
    assert charts >= 8
    assert page.count("Figures for this chart") == charts
    assert 'role="img"' in page and "<title id=" in page


def test_pages_carry_no_inline_script_or_style(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/annual/?year=2019").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "<style" not in page


def test_for_publication_suppresses_small_numbers_on_the_page(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/quarterly/?year=2019&quarter=1&for_publication=on").content.decode()
    assert "[c]" in page
    assert "For publication" in page


def test_csv_download_is_audited_with_the_period_and_publication_flag(client, client_as, records):
    analyst = client_as("ANALYST")
    response = client.get("/reports/quarterly.csv?year=2019&quarter=1&for_publication=on")
    assert response["Content-Type"].startswith("text/csv")
    assert "for-publication" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:3] == ["episodes_total", "Total number of missing episodes", "8"]
    event = AuditEvent.objects.get(action="report.download")
    assert event.details["for_publication"] is True
    assert event.details["periods"] == [["2019-04-01", "2019-06-30"]]
    assert event.actor_name == analyst.username


def test_xlsx_and_json_downloads(client, client_as, records):
    client_as("ANALYST")
    response = client.get("/reports/annual.xlsx?year=2019")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Report", "Notes"]
    data = json.loads(client.get("/reports/annual.json?year=2019").content)
    assert data["report"] == "annual"
    assert {row["id"]: row["value"] for row in data["rows"]}["reason_friends"] == 7


def test_downloads_name_no_child(client, client_as, records):
    client_as("ANALYST")
    from harbour.children.models import Child

    ids = list(Child.objects.values_list("child_id", flat=True))
    names = list(Child.objects.values_list("family_name", flat=True))
    for path in ["/reports/annual.csv?year=2019", "/reports/annual/?year=2019"]:
        body = client.get(path).content.decode()
        assert not any(child_id in body for child_id in ids)
        assert not any(name and name in body for name in names)


def test_a_download_with_bad_options_is_not_found_rather_than_an_error(client, client_as):
    # The pages say what is wrong (below); a download is a link made from a page that was.
    client_as("ANALYST")
    assert client.get("/reports/quarterly.csv?year=abc").status_code == 404
    assert client.get("/reports/quarterly.csv?first_day=1").status_code == 404
    assert client.get("/reports/annual.odt?year=2019").status_code == 404


def test_definitions_page_lists_every_row(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/definitions/").content.decode()
    assert "rhi_within_72_hours" in page and "referrals_source_unknown" in page


def test_sign_in_page_and_signing_in_and_out_are_audited(client):
    make_staff(username="coordinator", password="a-long-enough-password")
    assert "Sign in to Harbour" in client.get("/sign-in/").content.decode()
    failed = client.post("/sign-in/", {"username": "coordinator", "password": "wrong"})
    assert "Enter a correct username and password" in failed.content.decode()
    client.post("/sign-in/", {"username": "coordinator", "password": "a-long-enough-password"})
    client.post("/sign-out/")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["accounts.sign_in_failed", "accounts.sign_in", "accounts.sign_out"]


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (3, 1), (5, 1), (9, 2), (10, 2), (24, 5), (120, 50), (1951, 500)]
)
def test_chart_axes_step_in_round_numbers(largest, step):
    from harbour.reports.charts import _tick_step

    assert _tick_step(largest) == step


def test_committee_pack_as_pdf_and_word(client, client_as, records):
    client_as("ANALYST")
    import docx

    pdf = client.get("/reports/annual.pdf?year=2019&for_publication=on")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get("/reports/quarterly.docx?year=2019")
    document = docx.Document(io.BytesIO(word.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "Quarterly return interview performance" in text
    assert len(document.inline_shapes) == 2  # the two charts
    assert AuditEvent.objects.filter(action="report.download").count() == 2


# --- Periods that have not started, bad options, any range of dates (issue 10, bug 12) -----

TODAY = dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC)  # in 2026/27 Q3


@pytest.mark.frozen_at(TODAY)
def test_financial_years_that_have_not_started_are_not_offered(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/quarterly/").content.decode()
    assert '<option value="2026"' in page
    assert '<option value="2027"' not in page


@pytest.mark.frozen_at(TODAY)
def test_the_current_year_shows_only_the_quarters_that_have_started(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/quarterly/?year=2026").content.decode()
    assert "2026/27 Q3" in page
    assert "2026/27 Q4" not in page


@pytest.mark.frozen_at(TODAY)
def test_a_quarter_that_has_not_started_is_a_form_error(client, client_as):
    client_as("ANALYST")
    response = client.get("/reports/quarterly/?year=2026&quarter=4")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "2026/27 Q4 has not started yet: it starts on 1 January 2027" in page
    assert 'href="#quarter"' in page
    assert "Total number of missing episodes" not in page


@pytest.mark.frozen_at(TODAY)
def test_a_year_that_has_not_started_is_a_form_error(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/annual/?year=2027").content.decode()
    assert "Financial year 2027/28 has not started yet" in page


@pytest.mark.frozen_at(TODAY)
def test_the_annual_trend_leaves_out_quarters_that_have_not_started(client, client_as):
    client_as("ANALYST")
    page = client.get("/reports/annual/?year=2026").content.decode()
    assert "2026/27 Q3" in page
    assert "2026/27 Q4" not in page


def test_a_year_that_is_not_a_number_is_a_form_error_not_404(client, client_as):
    client_as("ANALYST")
    response = client.get("/reports/quarterly/?year=abc")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select a financial year from the list" in page
    assert page.count("<title>Error: ") == 1


def test_suppressed_bars_read_c_not_no_data(client, client_as, records):
    client_as("ANALYST")
    page = client.get("/reports/annual/?year=2019&for_publication=on").content.decode()
    charts = "".join(re.findall(r"<svg .*?</svg>", page, flags=re.S))
    assert "[c]" in charts
    assert "no data" not in charts


def test_a_bar_with_no_figure_still_reads_no_data():
    from harbour.reports.charts import SUPPRESSED, bar_chart

    svg = bar_chart("Title", ["Shown", "Hidden", "Unknown"], [3, SUPPRESSED, None])
    assert ">3<" in svg and ">[c]<" in svg and ">no data<" in svg


RANGE = "first_day=1&first_month=5&first_year=2019&last_day=31&last_month=5&last_year=2019"


def test_any_range_of_dates_can_be_reported_on_from_the_date_boxes(client, client_as, records):
    client_as("ANALYST")
    from harbour.reports.periods import Period

    page = client.get(f"/reports/quarterly/?{RANGE}").content.decode()
    assert "Quarterly report, 1 May 2019 to 31 May 2019" in page
    expected = figures("quarterly", Period(dt.date(2019, 5, 1), dt.date(2019, 5, 31)))
    assert expected["episodes_total"][0] == 8
    annual = client.get(f"/reports/annual/?{RANGE}").content.decode()
    assert "Annual report, 1 May 2019 to 31 May 2019" in annual


def test_a_download_covers_the_range_of_dates_on_the_page(client, client_as, records):
    client_as("ANALYST")
    response = client.get(f"/reports/quarterly.csv?{RANGE}")
    assert "2019-05-01-2019-05-31" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="report.download")
    assert event.details["periods"] == [["2019-05-01", "2019-05-31"]]


@pytest.mark.parametrize(
    ("query", "message", "anchor"),
    [
        (
            "first_day=1&first_month=5&first_year=2019",
            "Enter the last day of the period",
            "last_day",
        ),
        (
            "first_day=31&first_month=5&first_year=2019&last_day=1&last_month=5&last_year=2019",
            "The last day must be the same as or after the first day",
            "last_day",
        ),
        (
            "first_day=31&first_month=2&first_year=2019&last_day=1&last_month=5&last_year=2019",
            "The first day of the period must be a real date",
            "first_day",
        ),
        (
            "first_day=1&first_month=12&first_year=2026&last_day=1&last_month=1&last_year=2027",
            "The last day of the period must be today or in the past",
            "last_day",
        ),
    ],
)
@pytest.mark.frozen_at(TODAY)
def test_a_bad_range_of_dates_is_a_form_error_on_its_field(
    client, client_as, query, message, anchor
):
    client_as("ANALYST")
    page = client.get(f"/reports/quarterly/?{query}").content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'href="#{anchor}"' in page
    assert f'id="{anchor}-error"' in page


@pytest.mark.parametrize("kind", ["quarterly", "annual"])
@pytest.mark.parametrize("box", ["first_month", "first_year", "last_day", "last_year"])
def test_a_refused_character_in_a_date_box_is_an_error_on_that_date(client, client_as, kind, box):
    client_as("ANALYST")
    response = client.get(f"/reports/{kind}/?{box}=1%002")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    end = "first" if box.startswith("first") else "last"
    assert f'href="#{end}_day"' in page
    assert "control character" in page
