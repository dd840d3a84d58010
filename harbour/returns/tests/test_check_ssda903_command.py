"""`manage.py check_ssda903`: the register, or a council's 903 folder, checked against the
DfE's missing rules."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.conftest import FolderWriter
from harbour.missing.models import Episode
from harbour.returns.ssda903.importer import import_ssda903
from harbour.returns.ssda903.rules import RULES
from harbour.returns.ssda903.tables import EPISODE_COLUMNS, HEADER_COLUMNS, MISSING_COLUMNS

from .ssda903_folders import FOLDER

HEADER = {"K1": "03/03/2008", "K2": "19/11/2009"}
EPISODES = [
    {"CHILD": "K1", "DECOM": "10/01/2023", "DEC": "05/06/2023", "REC": "P1"},
    {"CHILD": "K1", "DECOM": "05/06/2023"},
    {"CHILD": "K2", "DECOM": "01/05/2023", "DEC": "30/09/2023", "REC": "E11"},
]
CLEAN_MISSING = [
    {"CHILD": "K1", "MISSING": "M", "MIS_START": "14/04/2023", "MIS_END": "15/04/2023"},
    {"CHILD": "K1", "MISSING": "A", "MIS_START": "06/06/2023"},
    {"CHILD": "K2", "MISSING": "M", "MIS_START": "02/05/2023", "MIS_END": "04/05/2023"},
]


def table(columns: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def folder_with(path: Path, missing: list[dict[str, str]]) -> Path:
    path.mkdir()
    header_rows = [{"CHILD": child, "SEX": "1", "DOB": dob} for child, dob in HEADER.items()]
    (path / "header.csv").write_text(table(HEADER_COLUMNS, header_rows), encoding="utf-8")
    (path / "episodes.csv").write_text(table(EPISODE_COLUMNS, EPISODES), encoding="utf-8")
    missing = [{"DOB": HEADER.get(row["CHILD"], ""), **row} for row in missing]
    (path / "missing.csv").write_text(table(MISSING_COLUMNS, missing), encoding="utf-8")
    return path


def run(*arguments: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_ssda903", *arguments, stdout=out, stderr=err)
    except CommandError as error:
        err.write(f"{error}\n")
        return out.getvalue(), err.getvalue(), error.returncode
    return out.getvalue(), err.getvalue(), 0


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return folder_with(tmp_path / "clean", CLEAN_MISSING)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return folder_with(
        tmp_path / "broken",
        [
            *CLEAN_MISSING,
            {"CHILD": "K1", "MISSING": "M", "MIS_START": ""},  # missing.csv:5
            {"CHILD": "K9", "MISSING": "A", "MIS_START": "02/05/2023"},  # missing.csv:6
        ],
    )


def test_a_clean_folder_passes_with_exit_status_0(clean: Path) -> None:
    out, err, status = run("--year", "2023", "--from", str(clean))
    assert (out, status) == ("", 0)
    assert "No failures." in err
    assert "576 not checked" in err


def test_failures_are_listed_as_source_code_and_message_with_exit_status_1(broken: Path) -> None:
    out, err, status = run("--year", "2023", "--from", str(broken))
    assert status == 1
    assert out.splitlines() == [
        f"missing.csv:5: 564 {RULES['564'].message}",
        f"missing.csv:5: 574 {RULES['574'].message}",
        f"missing.csv:5: 1004 {RULES['1004'].message}",
        f"missing.csv:6: 1012 {RULES['1012'].message}",
        f"missing.csv:6: INT04 {RULES['INT04'].message}",
    ]
    assert "5 failure(s)" in err


def test_json_lists_each_failure_with_its_record(broken: Path) -> None:
    out, _, status = run("--year", "2023", "--from", str(broken), "--format", "json")
    assert status == 1
    failures = json.loads(out)
    assert failures[0] == {
        "source": "missing.csv:5",
        "code": "564",
        "message": RULES["564"].message,
        "table": "missing",
        "child": "K1",
        "file": "missing.csv",
        "line": 5,
        "model": None,
        "pk": None,
    }
    assert [f["code"] for f in failures] == ["564", "574", "1004", "1012", "INT04"]


def test_json_of_a_clean_folder_is_an_empty_list(clean: Path) -> None:
    out, _, status = run("--year", "2023", "--from", str(clean), "--format", "json")
    assert (json.loads(out), status) == ([], 0)


def test_csv_has_a_header_row_and_escapes_what_a_spreadsheet_would_run(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path / "formula", [{"CHILD": "=K1", "MISSING": "M", "MIS_START": "02/05/2023"}]
    )
    out, _, status = run("--year", "2023", "--from", str(folder), "--format", "csv")
    assert status == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["code"] for row in rows} == {"1012", "INT04"}
    assert {row["child"] for row in rows} == {"'=K1"}
    assert rows[0]["source"] == "missing.csv:2"


def test_the_collection_year_decides_rules_570_and_571(clean: Path) -> None:
    out, _, status = run("--year", "2022", "--from", str(clean))
    assert status == 1
    assert {line.split(" ")[1] for line in out.splitlines()} == {"570", "571"}


def test_last_years_folder_lets_576_be_checked(clean: Path, tmp_path: Path) -> None:
    last_year = folder_with(
        tmp_path / "last", [{"CHILD": "K2", "MISSING": "M", "MIS_START": "20/03/2023"}]
    )
    out, err, status = run("--year", "2023", "--from", str(clean), "--previous", str(last_year))
    assert status == 1
    assert out == f"missing.csv:4: 576 {RULES['576'].message}\n"
    assert "not checked" not in err


def test_an_unreadable_folder_is_named_file_line_column_and_nothing_is_checked(
    clean: Path,
) -> None:
    missing = clean / "missing.csv"
    missing.write_text(missing.read_text().replace("MIS_START", "START"), encoding="utf-8")
    out, err, status = run("--year", "2023", "--from", str(clean))
    assert (out, status) == ("", 2)
    assert "missing.csv:1:MIS_START: the header has no MIS_START column" in err
    assert "nothing was checked" in err


@pytest.mark.django_db
def test_without_a_folder_it_checks_the_register_naming_each_record(
    write_folder: FolderWriter,
) -> None:
    # The importer keeps rows that break a rule: C100's open episode from 20/03/2025 and
    # the one from 30/03/2025 overlap (574).
    assert import_ssda903(write_folder(FOLDER)).ok
    overlapping = Episode.objects.filter(child__child_id="C100").latest("started_at")
    assert overlapping.ended_at is not None  # 30/03/2025 to 31/03/2025

    out, _, status = run("--year", "2024")

    assert status == 1
    assert out == f"missing.episode {overlapping.pk}: 574 {RULES['574'].message}\n"


@pytest.mark.django_db
def test_checking_the_register_is_audited_with_the_children_named(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER))

    run("--year", "2024", "--format", "json")

    event = AuditEvent.objects.get(action="returns.ssda903_checked")
    assert event.actor_name == "command line"
    assert event.details == {"year": 2024, "format": "json", "failures": 1}
    assert event.child_pks == [Child.objects.get(child_id="C100").pk]


@pytest.mark.django_db
def test_the_register_fails_the_rules_the_folder_it_was_imported_from_fails(
    write_folder: FolderWriter,
) -> None:
    folder = write_folder(FOLDER)
    import_ssda903(folder)

    from_folder, _, _ = run("--year", "2024", "--from", str(folder), "--format", "json")
    from_register, _, _ = run("--year", "2024", "--format", "json")

    def pairs(out: str) -> list[tuple[str, str]]:
        return [(failure["code"], failure["child"]) for failure in json.loads(out)]

    assert pairs(from_register) == pairs(from_folder) == [("574", "C100")]


@pytest.mark.django_db
def test_an_empty_register_passes_with_exit_status_0() -> None:
    out, err, status = run("--year", "2024")
    assert (out, status) == ("", 0)
    assert "not checked" not in err  # the register has last year, so 576 is checked


def test_last_years_folder_goes_only_with_a_folder(tmp_path: Path) -> None:
    _, err, status = run("--year", "2024", "--previous", str(tmp_path))
    assert status == 2
    assert "--previous goes with --from" in err
