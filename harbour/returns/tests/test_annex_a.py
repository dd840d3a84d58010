"""Ofsted Annex A List 8 (harbour/returns/annex_a.py, docs/returns.md "Ofsted Annex A").

The inspection date in these tests is 15 June 2026: the children who left care are those
whose last day looked after lies in [15 December 2025, 15 June 2026), and episodes count
when they started in (15 June 2025, 15 June 2026]. All data is synthetic."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook
from pytest_django import DjangoAssertNumQueries

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReturnInterviewFactory,
    make_staff,
)
from harbour.common.time import UTC
from harbour.interviews.models import ReturnInterview
from harbour.missing.models import Episode
from harbour.returns import annex_a
from harbour.returns.annex_a import HEADERS, Cell, list_8

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
]

ON = dt.date(2026, 6, 15)

# List 8's columns typed from the template's column list (see annex_a's docstring for the
# sources and for the typographic quotes, which could not be checked against the template
# itself). \u2019 is the typographic apostrophe, \u2018 ... \u2019 the single quotes.
TEMPLATE_HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
    "Does the Child have a Disability",
    "Date Started to be Looked After",
    "Child\u2019s Category of Need",
    "Is this a second or subsequent period of being a Looked After Child within the last 12 "
    "months (Y/N)",
    "Start date of current legal status",
    "Child\u2019s Legal Status",
    "Date of Latest Statutory Review",
    "Date of Last Social Work Visit",
    "What is the permanence plan for this child?",
    "Date of Last IRO Visit / Contact to the Child",
    "Date of Last Health Assessment",
    "Date of Last Dental Check",
    "Number of Placements in the Last 12 months",
    "Date Ceased to be Looked After",
    "Reason Ceased to be Looked After",
    "Start Date of Most Recent Placement",
    "Placement Type",
    "Placement Provider",
    "Placement postcode",
    "URN of Placement",
    "Placement Location",
    "LA of Placement",
    "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last "
    "12 months",
    "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last "
    "12 months",
    "Was the child offered a Return Interview after their last missing episode (Y/N)?",
    "Did the child accept a Return Interview after their last missing episode (Y/N)?",
    "Allocated Team",
    "Allocated Worker",
]
MISSING = TEMPLATE_HEADERS[28]
ABSENT = TEMPLATE_HEADERS[29]
OFFERED = TEMPLATE_HEADERS[30]
ACCEPTED = TEMPLATE_HEADERS[31]


def in_care(
    child: Child | None = None,
    start: dt.date = dt.date(2024, 3, 1),
    end: dt.date | None = None,
    authority: str = "",
) -> Child:
    child = child or ChildFactory.create()
    LegalStatusFactory.create(
        child=child, status="LAC", start_date=start, end_date=end, responsible_la=authority
    )
    return child


def episode(child: Child, day: dt.date, category: str = "MISSING", hour: int = 12) -> Episode:
    started = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)
    return EpisodeFactory.create(child=child, category=category, started_at=started)


def interview(episode: Episode, outcome: str) -> ReturnInterview:
    offered = outcome in ("NO_RESPONSE", "DECLINED", "ACCEPTED")
    assert episode.ended_at is not None
    offered_at = episode.ended_at + dt.timedelta(hours=2) if offered else None
    completed_at = (
        offered_at + dt.timedelta(hours=20) if offered_at and outcome == "ACCEPTED" else None
    )
    return ReturnInterviewFactory.create(
        episode=episode, outcome=outcome, offered_at=offered_at, completed_at=completed_at
    )


def rows_by_id(on: dt.date = ON) -> dict[str, dict[str, Cell]]:
    return {str(row["Child Unique ID"]): row for row in list_8(on)}


def export(tmp_path: Path, on: dt.date = ON) -> Path:
    path = tmp_path / "annex-a.xlsx"
    call_command("export_annex_a", "--on", on.isoformat(), str(path), stdout=io.StringIO())
    return path


# The headers ----------------------------------------------------------------------------


def test_the_headers_are_list_8s_columns_in_the_templates_order() -> None:
    assert list(HEADERS) == TEMPLATE_HEADERS


def test_the_saved_workbook_reads_back_with_the_template_sheet_and_headers(tmp_path: Path) -> None:
    in_care(ChildFactory.create(child_id="AA1"))
    book = load_workbook(export(tmp_path))
    assert book.sheetnames == ["List 8"]
    header = [cell.value for cell in book["List 8"][1]]
    assert header == TEMPLATE_HEADERS
    assert "been \u2018Missing\u2019 from" in header[28]
    assert header[8] == "Child\u2019s Category of Need"


# Who is listed --------------------------------------------------------------------------


def test_children_in_care_on_the_date_and_those_who_left_in_the_six_months_before() -> None:
    in_care(ChildFactory.create(child_id="IN-CARE"))
    in_care(ChildFactory.create(child_id="LEFT-5-MONTHS"), end=dt.date(2026, 1, 15))
    in_care(ChildFactory.create(child_id="LEFT-7-MONTHS"), end=dt.date(2025, 11, 15))
    ChildFactory.create(child_id="NEVER-IN-CARE")
    LegalStatusFactory.create(child=ChildFactory.create(child_id="ON-A-PLAN"), status="CP")
    in_care(ChildFactory.create(child_id="OTHER-AUTHORITYS"), authority="874")
    in_care(ChildFactory.create(child_id="OWN-NUMBER"), authority="343")
    in_care(ChildFactory.create(child_id="COMES-INTO-CARE-LATER"), start=dt.date(2026, 6, 16))

    assert sorted(rows_by_id()) == ["IN-CARE", "LEFT-5-MONTHS", "OWN-NUMBER"]


def test_the_six_months_start_on_the_same_day_six_months_before_and_end_the_day_before() -> None:
    in_care(ChildFactory.create(child_id="LAST-DAY-15-DEC"), end=dt.date(2025, 12, 15))
    in_care(ChildFactory.create(child_id="LAST-DAY-14-DEC"), end=dt.date(2025, 12, 14))
    in_care(ChildFactory.create(child_id="LAST-DAY-ON-THE-DATE"), end=ON)

    rows = rows_by_id()

    assert sorted(rows) == ["LAST-DAY-15-DEC", "LAST-DAY-ON-THE-DATE"]
    assert rows["LAST-DAY-15-DEC"]["Date Ceased to be Looked After"] == dt.date(2025, 12, 15)
    # Looked after on the date (the last day is a day in care): not ceased.
    assert rows["LAST-DAY-ON-THE-DATE"]["Date Ceased to be Looked After"] is None


def test_a_child_back_in_care_is_listed_once_from_the_start_of_the_current_spell() -> None:
    child = in_care(
        ChildFactory.create(child_id="RETURNED"), start=dt.date(2023, 1, 1), end=dt.date(2025, 2, 1)
    )
    # Back in care after a break, with a change of placement recorded end to end.
    in_care(child, start=dt.date(2025, 9, 1), end=dt.date(2026, 1, 31))
    in_care(child, start=dt.date(2026, 2, 1))

    (row,) = list_8(ON)

    assert row["Date Started to be Looked After"] == dt.date(2025, 9, 1)
    assert row["Date Ceased to be Looked After"] is None


def test_the_childs_own_columns_and_blanks_where_the_register_holds_nothing(tmp_path: Path) -> None:
    worker = make_staff("SOCIAL_WORKER", first_name="Wren", last_name="Fallow")
    child = ChildFactory.create(
        child_id="C-1",
        sex="M",
        ethnicity="MWBA",
        date_of_birth=dt.date(2010, 6, 16),
        placement_postcode="L20 3AB",
        allocated_social_worker=worker,
    )
    in_care(child, start=dt.date(2025, 4, 7))
    interview(episode(child, dt.date(2026, 5, 1)), "ACCEPTED")

    (row,) = list_8(ON)

    assert row["Gender"] == "a) Male"
    assert row["Ethnicity"] == "g) MWBA"
    assert row["Date of Birth"] == dt.date(2010, 6, 16)
    assert row["Age of Child (Years)"] == 15  # 16 the next day
    assert row["Date Started to be Looked After"] == dt.date(2025, 4, 7)
    assert row["Placement postcode"] == "L20 3AB"
    assert row["Allocated Worker"] == "Wren Fallow"
    filled = {header for header, value in row.items() if value is not None}
    assert filled == annex_a.FILLED - {"Date Ceased to be Looked After"}


def test_a_child_who_left_has_no_placement_postcode() -> None:
    in_care(ChildFactory.create(placement_postcode="L20 3AB"), end=dt.date(2026, 3, 1))

    (row,) = list_8(ON)

    assert row["Placement postcode"] is None
    assert row["Date Ceased to be Looked After"] == dt.date(2026, 3, 1)


# Missing and absent episodes ------------------------------------------------------------


def test_missing_and_absent_episodes_are_counted_in_the_twelve_months_to_the_date() -> None:
    child = in_care(ChildFactory.create(child_id="C-1"))
    episode(child, dt.date(2025, 6, 15))  # the same day a year before: outside
    episode(child, dt.date(2025, 6, 16))  # the day after: inside
    episode(child, dt.date(2026, 2, 1))
    episode(child, ON)  # the date itself: inside
    episode(child, dt.date(2026, 6, 16))  # after the date: outside
    episode(child, dt.date(2025, 6, 15), category="ABSENT")
    episode(child, dt.date(2025, 12, 24), category="ABSENT")
    episode(in_care(), dt.date(2026, 1, 1))  # another child's

    row = rows_by_id()["C-1"]

    assert (row[MISSING], row[ABSENT]) == (3, 1)


def test_the_window_is_of_london_dates() -> None:
    child = in_care(ChildFactory.create(child_id="C-1"))
    # 23:00 UTC on 15 June 2025 is midnight starting 16 June in London (summer time): inside.
    episode(child, dt.date(2025, 6, 15), hour=23)

    assert rows_by_id()["C-1"][MISSING] == 1


def test_only_episodes_that_started_while_looked_after_by_this_authority_count() -> None:
    child = in_care(ChildFactory.create(child_id="C-1"), start=dt.date(2026, 1, 10))
    episode(child, dt.date(2025, 11, 1))  # missing from home, before coming into care
    episode(child, dt.date(2026, 1, 10))

    assert rows_by_id()["C-1"][MISSING] == 1


def test_a_child_with_no_episodes_has_counts_of_nought_and_no_return_interview_answers() -> None:
    in_care(ChildFactory.create(child_id="C-1"))

    row = rows_by_id()["C-1"]

    assert (row[MISSING], row[ABSENT], row[OFFERED], row[ACCEPTED]) == (0, 0, None, None)


@pytest.mark.parametrize(
    ("outcome", "offered", "accepted"),
    [
        ("ACCEPTED", "a) Yes", "a) Yes"),
        ("DECLINED", "a) Yes", "b) No"),
        ("NO_RESPONSE", "a) Yes", "b) No"),
        ("NOT_OFFERED", "b) No", None),
        ("NOT_REQUIRED", "b) No", None),
        (None, None, None),
    ],
)
def test_offered_and_accepted_come_from_the_last_missing_episodes_interview(
    outcome: str | None, offered: str | None, accepted: str | None
) -> None:
    child = in_care(ChildFactory.create(child_id="C-1"))
    interview(episode(child, dt.date(2026, 1, 5)), "DECLINED" if outcome else "ACCEPTED")
    last = episode(child, dt.date(2026, 3, 5))
    if outcome:
        interview(last, outcome)
    # An absence after it is not a missing episode.
    interview(episode(child, dt.date(2026, 4, 5), category="ABSENT"), "NOT_OFFERED")

    row = rows_by_id()["C-1"]

    assert (row[OFFERED], row[ACCEPTED]) == (offered, accepted)


def test_a_missing_episode_before_the_twelve_months_gives_no_answers() -> None:
    child = in_care(ChildFactory.create(child_id="C-1"), start=dt.date(2020, 1, 1))
    interview(episode(child, dt.date(2025, 3, 1)), "ACCEPTED")

    row = rows_by_id()["C-1"]

    assert (row[MISSING], row[OFFERED], row[ACCEPTED]) == (0, None, None)


def test_the_list_takes_the_same_few_queries_for_any_number_of_children(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    def add_children(count: int) -> None:
        for _ in range(count):
            child = in_care()
            interview(episode(child, dt.date(2026, 2, 1)), "ACCEPTED")
            episode(child, dt.date(2026, 3, 1), category="ABSENT")

    add_children(2)
    with django_assert_num_queries(3):
        assert len(list_8(ON)) == 2
    add_children(5)
    with django_assert_num_queries(3):
        assert len(list_8(ON)) == 7


# The file and the command ---------------------------------------------------------------


def test_dates_are_excel_dates_shown_day_month_year_and_counts_are_numbers(tmp_path: Path) -> None:
    child = in_care(ChildFactory.create(child_id="C-1"), end=dt.date(2026, 3, 1))
    episode(child, dt.date(2026, 2, 1))

    sheet = load_workbook(export(tmp_path))["List 8"]
    cells = dict(zip(TEMPLATE_HEADERS, sheet[2], strict=True))

    born = cells["Date of Birth"]
    assert born.is_date and born.value == dt.datetime(2005, 6, 15)
    assert born.number_format == "dd/mm/yyyy"
    assert cells["Date Ceased to be Looked After"].value == dt.datetime(2026, 3, 1)
    assert cells["Date Ceased to be Looked After"].number_format == "dd/mm/yyyy"
    assert cells[MISSING].value == 1 and cells[ABSENT].value == 0
    assert cells["Child\u2019s Legal Status"].value is None


def test_a_child_id_that_looks_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    in_care(ChildFactory.create(child_id="=1+1"))

    sheet = load_workbook(export(tmp_path))["List 8"]

    assert sheet["A2"].value == "'=1+1"


def test_the_export_is_audited_with_the_date_and_the_number_of_rows(tmp_path: Path) -> None:
    first = in_care()
    second = in_care(end=dt.date(2026, 2, 1))

    export(tmp_path)

    event = AuditEvent.objects.get(action="returns.annex_a_exported")
    assert event.details == {"on": "2026-06-15", "rows": 2}
    assert event.actor_name == "command line"
    assert sorted(event.child_pks) == sorted([first.pk, second.pk])


def test_the_command_says_how_many_children_it_wrote(tmp_path: Path) -> None:
    in_care()
    out = io.StringIO()
    path = tmp_path / "list.xlsx"

    call_command("export_annex_a", "--on", "2026-06-15", str(path), stdout=out)

    assert out.getvalue() == f"List 8: 1 children on 2026-06-15 written to {path}\n"


@pytest.mark.parametrize(
    ("on", "file", "message"),
    [
        ("15/06/2026", "a.xlsx", "--on 15/06/2026: not a date; give the inspection date as "),
        ("2026-11-03", "a.xlsx", "--on 2026-11-03 is after today (2026-11-02)."),
        ("2026-06-15", "a.csv", "the file must end .xlsx"),
        ("2026-06-15", "no-such-folder/a.xlsx", "does not exist"),
    ],
)
def test_the_command_refuses_a_bad_date_or_file_and_writes_nothing(
    tmp_path: Path, on: str, file: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("export_annex_a", "--on", on, str(tmp_path / file))

    assert list(tmp_path.iterdir()) == []
    assert not AuditEvent.objects.filter(action="returns.annex_a_exported").exists()


OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(
    OFFICE is None, reason="LibreOffice (libreoffice or soffice) is not installed here"
)
def test_libreoffice_opens_the_workbook(tmp_path: Path) -> None:
    child = in_care(ChildFactory.create(child_id="C-1"))
    episode(child, dt.date(2026, 2, 1))
    path = export(tmp_path)
    assert OFFICE is not None

    subprocess.run(  # noqa: S603 (LibreOffice, found on PATH, on a file this test wrote)
        [
            OFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    with (tmp_path / "out" / "annex-a.csv").open(encoding="utf-8", newline="") as handle:
        header, row = list(csv.reader(handle))
    assert header == TEMPLATE_HEADERS
    assert row[0] == "C-1" and row[3] == "15/06/2005" and row[28] == "1"
