"""Report pages reuse the figures worked out in the last HARBOUR_REPORT_CACHE_SECONDS by the
same server process (docs/reports.md, docs/performance.md "Load"): an analyst's quarterly page
is eight reports, about a fifth of a second of processor time each time it is asked for."""

import datetime as dt
import re

import pytest
from django.test import override_settings

from harbour.reports import recent
from harbour.reports.periods import Period

from .helpers import NOON_1_MAY, episode, interview

Q1 = Period.quarter(2019, 1)
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture(autouse=True)
def nothing_kept() -> None:
    recent.forget()


def without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def total(report) -> int:
    return report.value("episodes_total")


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_a_report_asked_for_again_within_the_minute_is_not_worked_out_again(
    django_assert_num_queries,
) -> None:
    first = recent.report("quarterly", Q1, include_absences=False)
    with django_assert_num_queries(0):
        again = recent.report("quarterly", Q1, include_absences=False)
    assert again is first


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_a_report_older_than_the_minute_is_worked_out_again_with_the_new_records(clock) -> None:
    episode(NOON_1_MAY)
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 1
    episode(NOON_1_MAY)
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 1
    clock.shift(dt.timedelta(seconds=61))
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 2


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_reports_with_other_options_or_periods_are_kept_apart() -> None:
    episode(NOON_1_MAY)
    episode(NOON_1_MAY, category="ABSENT")
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 1
    assert total(recent.report("quarterly", Q1, include_absences=True)) == 2
    assert total(recent.report("quarterly", Period.quarter(2019, 2), False)) == 0
    assert recent.report("annual", Q1, include_absences=False).kind == "annual"


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=0)
def test_no_report_is_kept_when_the_setting_is_zero() -> None:
    episode(NOON_1_MAY)
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 1
    episode(NOON_1_MAY)
    assert total(recent.report("quarterly", Q1, include_absences=False)) == 2


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_the_report_page_asked_for_again_runs_only_the_request_s_own_queries(
    client, client_as, django_assert_max_num_queries
) -> None:
    client_as("ANALYST")
    interview(episode(NOON_1_MAY), "ACCEPTED")
    first = client.get("/reports/quarterly/?year=2019").content.decode()
    # The session, the user, their roles and the audit event; no report query.
    with django_assert_max_num_queries(12):
        again = client.get("/reports/quarterly/?year=2019").content.decode()
    # The same figures; only the sign-out form's CSRF token differs.
    assert without_tokens(again) == without_tokens(first)


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_kept_figures_are_still_suppressed_for_publication(client, client_as) -> None:
    client_as("ANALYST")
    episode(NOON_1_MAY)
    client.get("/reports/quarterly/?year=2019&quarter=1")
    page = client.get("/reports/quarterly/?year=2019&quarter=1&for_publication=on").content.decode()
    assert "[c]" in page


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_the_annual_page_asked_for_again_works_out_none_of_its_charts_again(
    client, client_as, django_assert_max_num_queries
) -> None:
    # The annual page's charts take thirteen more quarterly reports (the year as a whole,
    # and each quarter of three years for the trend).
    client_as("ANALYST")
    interview(episode(NOON_1_MAY), "ACCEPTED")
    first = client.get("/reports/annual/?year=2019").content.decode()
    with django_assert_max_num_queries(14):
        again = client.get("/reports/annual/?year=2019").content.decode()
    assert without_tokens(again) == without_tokens(first)


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
@pytest.mark.parametrize("extension", ["csv", "pdf"])
def test_a_download_for_a_committee_is_worked_out_afresh_within_the_minute(
    client, client_as, extension
) -> None:
    client_as("ANALYST")
    episode(NOON_1_MAY)
    kept = recent.report("quarterly", Q1, include_absences=False)
    episode(NOON_1_MAY)

    response = client.get(f"/reports/quarterly.{extension}?year=2019")

    assert response.status_code == 200
    # The page would still show the kept figure; the download counts both episodes.
    assert total(recent.report("quarterly", Q1, include_absences=False)) == total(kept) == 1
    if extension == "csv":
        line = next(
            row for row in response.content.decode().splitlines() if "episodes_total" in row
        )
        assert line.split(",")[2] == "2"  # the first quarter's count


@override_settings(HARBOUR_REPORT_CACHE_SECONDS=60)
def test_the_committee_packs_charts_are_worked_out_afresh_within_the_minute(
    client, client_as
) -> None:
    # The annual pack's trend chart and its whole-year bands are quarterly reports too: a
    # committee gets them as they are now, not as a page saw them a moment ago.
    import io

    from docx import Document

    client_as("ANALYST")
    episode(NOON_1_MAY)
    kept = recent.report("quarterly", Q1, include_absences=False)
    episode(NOON_1_MAY)

    response = client.get("/reports/annual.docx?year=2019")

    assert response.status_code == 200
    assert total(kept) == 1
    trend_rows = [
        [cell.text for cell in row.cells]
        for table in Document(io.BytesIO(response.content)).tables
        for row in table.rows
        if row.cells[0].text == Q1.label()
    ]
    assert trend_rows == [[Q1.label(), "2", "2"]]  # two episodes, of two children
