import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from harbour.audit.models import AuditEvent
from harbour.reports.formats import safe_cell

from .helpers import episode, interview, looked_after_by

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def some_episodes():
    interview(episode(), "ACCEPTED")
    episode(child=looked_after_by("874"))


def test_json_for_one_quarter_is_one_report_object(some_episodes):
    data = json.loads(run("quarterly", "--year", "2019", "--quarter", "1", "--format", "json"))
    assert data["report"] == "quarterly"
    assert (data["from"], data["to"]) == ("2019-04-01", "2019-06-30")
    rows = {row["id"]: row for row in data["rows"]}
    assert rows["episodes_total"]["value"] == 2
    assert rows["episodes_ola"]["percent"] == 50


def test_json_for_a_year_of_quarters_is_a_list_of_four_reports(some_episodes):
    data = json.loads(run("quarterly", "--year", "2019", "--format", "json"))
    assert [(r["from"], r["to"]) for r in data] == [
        ("2019-04-01", "2019-06-30"),
        ("2019-07-01", "2019-09-30"),
        ("2019-10-01", "2019-12-31"),
        ("2020-01-01", "2020-03-31"),
    ]
    assert [r["rows"][0]["value"] for r in data] == [2, 0, 0, 0]


def test_any_period_with_from_and_to(some_episodes):
    data = json.loads(
        run("annual", "--from", "2019-05-01", "--to", "2019-05-01", "--format", "json")
    )
    assert (data["report"], data["from"], data["to"]) == ("annual", "2019-05-01", "2019-05-01")
    assert data["rows"][0]["value"] == 2


def test_include_absences_is_passed_through():
    episode(category="ABSENT")
    data = json.loads(
        run(
            "quarterly",
            "--year",
            "2019",
            "--quarter",
            "1",
            "--include-absences",
            "--format",
            "json",
        )
    )
    assert data["include_absences"] is True
    assert data["rows"][0]["value"] == 1


def test_text_shows_the_quarters_side_by_side(some_episodes):
    text = run("quarterly", "--year", "2019")
    lines = text.splitlines()
    assert "2019/20 Q1" in lines[2] and "2019/20 Q4" in lines[2]
    assert "Total number of missing episodes" in lines[3]
    assert "1 (50%)" in text


def test_csv_has_a_number_and_percent_column_per_quarter(some_episodes):
    rows = list(csv.reader(io.StringIO(run("quarterly", "--year", "2019", "--format", "csv"))))
    assert rows[0][:4] == ["id", "label", "2019/20 Q1 number", "2019/20 Q1 %"]
    assert len(rows[0]) == 2 + 8
    ola = next(row for row in rows if row[0] == "episodes_ola")
    assert ola[2:4] == ["1", "50"]


def test_html_is_a_table_with_a_row_per_figure(some_episodes):
    html = run("quarterly", "--year", "2019", "--quarter", "1", "--format", "html")
    assert '<tr id="episodes_total"><th scope="row">Total number of missing episodes</th>' in html


def test_xlsx_has_the_committee_layout_and_a_notes_sheet(some_episodes, tmp_path):
    path = tmp_path / "report.xlsx"
    run("quarterly", "--year", "2019", "--format", "xlsx", "--output", str(path))
    book = load_workbook(path)
    sheet = book["Report"]
    assert sheet["B3"].value == "2019/20 Q1"
    assert sheet["A5"].value == "Total number of missing episodes"
    assert sheet["B5"].value == 2
    assert sheet["C6"].value == 0.5
    assert "Notes" in book.sheetnames


def test_output_writes_a_file(some_episodes, tmp_path):
    path = tmp_path / "q1.json"
    assert (
        run(
            "quarterly",
            "--year",
            "2019",
            "--quarter",
            "1",
            "--format",
            "json",
            "--output",
            str(path),
        )
        == ""
    )
    assert json.loads(path.read_text())["rows"][0]["value"] == 2


def test_each_run_is_audited_with_what_and_which_period():
    run("annual", "--year", "2019", "--format", "json")
    event = AuditEvent.objects.get(action="report.download")
    assert event.details["report"] == "annual"
    assert event.details["periods"] == [["2019-04-01", "2020-03-31"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["quarterly"], "Give a period"),
        (["quarterly", "--quarter", "2"], "Give a period"),
        (["annual", "--year", "2019", "--quarter", "1"], "no --quarter"),
        (["annual", "--from", "2019-04-01"], "go together"),
        (["annual", "--from", "2019-05-01", "--to", "2019-04-01"], "Impossible period"),
        (["annual", "--year", "2019", "--from", "2019-04-01", "--to", "2019-05-01"], "either"),
        (["quarterly", "--year", "2019", "--format", "xlsx"], "--output"),
    ],
)
def test_impossible_requests_get_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_an_unknown_quarter_is_refused_by_the_parser():
    with pytest.raises(CommandError, match="invalid choice"):
        run("quarterly", "--year", "2019", "--quarter", "5")


def test_the_report_needs_the_local_authority_code(settings):
    settings.LOCAL_AUTHORITY_CODE = None
    with pytest.raises(CommandError, match="LOCAL_AUTHORITY_CODE"):
        run("annual", "--year", "2019")


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\t=1"])
def test_spreadsheet_cells_that_look_like_formulas_are_escaped(text):
    assert safe_cell(text) == "'" + text


def test_ordinary_cells_are_left_alone():
    assert safe_cell("Total") == "Total"
    assert safe_cell(-3) == -3


def test_the_annual_committee_pack_is_written_as_pdf(some_episodes, tmp_path):
    path = tmp_path / "pack.pdf"

    assert run("annual", "--year", "2019", "--format", "pdf", "--output", str(path)) == ""

    assert path.read_bytes().startswith(b"%PDF")
    assert AuditEvent.objects.get(action="report.download").details["format"] == "pdf"


def test_the_quarterly_committee_pack_is_written_as_word_with_every_figure(some_episodes, tmp_path):
    from docx import Document

    path = tmp_path / "pack.docx"

    run("quarterly", "--year", "2019", "--quarter", "1", "--format", "docx", "--output", str(path))

    document = Document(str(path))
    assert document.paragraphs[0].text.startswith("Quarterly return interview performance")
    figures = {
        row.cells[0].text: row.cells[1].text for table in document.tables for row in table.rows
    }
    assert figures["Total number of missing episodes"] == "2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annual", "--year", "2019", "--format", "pdf"], "--output"),
        (["exploitation", "--year", "2019", "--format", "docx", "--output", "x.docx"], "pack"),
        (["ssda903", "--year", "2019", "--format", "pdf", "--output", "x.pdf"], "text, json"),
    ],
)
def test_a_committee_pack_needs_a_file_and_a_report_that_has_one(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
