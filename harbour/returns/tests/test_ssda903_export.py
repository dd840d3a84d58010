import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import DjangoAssertNumQueries

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, LegalStatusFactory
from harbour.common.time import UTC
from harbour.conftest import FolderWriter
from harbour.missing.models import Episode
from harbour.returns.ssda903.importer import import_ssda903
from harbour.returns.ssda903.reader import read_folder
from harbour.returns.ssda903.register import register_tables
from harbour.returns.ssda903.tables import MISSING_COLUMNS, Source

from .ssda903_folders import FOLDER, MISSING

pytestmark = pytest.mark.django_db


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(text.splitlines()))


def _by_start(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return sorted(rows, key=lambda row: (row["CHILD"], row["MIS_START"][6:], row["MIS_START"]))


def _missing(year: int) -> list[dict[str, str]]:
    return [dict(row) for row in register_tables(year).missing]


def test_round_trip_exports_the_imported_missing_rows(
    write_folder: FolderWriter, tmp_path: Path
) -> None:
    assert import_ssda903(write_folder(FOLDER)).ok

    call_command("export_ssda903", "--year", "2024", str(tmp_path / "out"))

    exported = (tmp_path / "out" / "missing.csv").read_text(encoding="utf-8")
    assert exported.splitlines()[0] == ",".join(MISSING_COLUMNS)
    assert _by_start(_csv_rows(exported)) == _by_start(_csv_rows(MISSING))


def test_round_trip_keeps_rows_that_break_the_rules_as_they_were(
    write_folder: FolderWriter, tmp_path: Path
) -> None:
    # An end before its start (567), the same row twice (574), a start before birth (586).
    broken = MISSING.replace(
        "C200,02/11/2008,M,05/07/2024,08/07/2024\n",
        "C200,02/11/2008,M,05/07/2024,01/07/2024\n"
        "C200,02/11/2008,A,05/08/2024,06/08/2024\n"
        "C200,02/11/2008,A,05/08/2024,06/08/2024\n"
        "C100,14/05/2009,A,04/05/2008,05/05/2008\n",
    )
    assert broken != MISSING
    assert import_ssda903(write_folder({**FOLDER, "missing.csv": broken})).ok
    # The pre-birth row is outside this year; the others are the year's.
    call_command("export_ssda903", "--year", "2024", str(tmp_path / "out"))

    exported = _csv_rows((tmp_path / "out" / "missing.csv").read_text(encoding="utf-8"))
    expected = [row for row in _csv_rows(broken) if row["MIS_START"] != "04/05/2008"]
    assert _by_start(exported) == _by_start(expected)


def test_round_trip_through_xml_gives_the_same_missing_rows(
    write_folder: FolderWriter, tmp_path: Path
) -> None:
    import_ssda903(write_folder(FOLDER))

    call_command("export_ssda903", "--year", "2024", "--format", "xml", str(tmp_path / "out"))

    read = read_folder(tmp_path / "out", 2024)
    assert read.errors == []
    assert _by_start([dict(row) for row in read.tables.missing]) == _by_start(_csv_rows(MISSING))


def test_exported_folder_imports_again_without_changes(
    write_folder: FolderWriter, tmp_path: Path
) -> None:
    import_ssda903(write_folder(FOLDER))
    call_command("export_ssda903", "--year", "2024", str(tmp_path / "out"))

    result = import_ssda903(tmp_path / "out")

    assert result.errors == []
    assert result.counts["episodes"].created == result.counts["episodes"].updated == 0


def test_open_episode_is_exported_with_mis_end_blank(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))

    open_rows = [row for row in _missing(2024) if row["MIS_START"] == "20/03/2025"]

    assert open_rows == [
        {
            "CHILD": "C100",
            "DOB": "14/05/2009",
            "MISSING": "M",
            "MIS_START": "20/03/2025",
            "MIS_END": "",
        }
    ]


def test_child_not_looked_after_during_the_year_is_left_out(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))

    tables = register_tables(2024)

    assert [row["CHILD"] for row in tables.header] == ["C100", "C200"]
    assert Child.objects.filter(child_id="C300").exists()
    # C200 left care in December 2024: not looked after in 2025/26.
    assert [row["CHILD"] for row in register_tables(2025).header] == ["C100"]


def test_header_and_episode_rows_hold_what_the_register_has(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))

    tables = register_tables(2024)

    assert dict(tables.header[0]) == {
        "CHILD": "C100",
        "SEX": "1",
        "DOB": "14/05/2009",
        "ETHNIC": "WBRI",
        "UPN": "",
        "MOTHER": "",
        "MC_DOB": "",
    }
    assert [(row["CHILD"], row["DECOM"], row["DEC"], row["PLACE"]) for row in tables.episodes] == [
        ("C100", "10/02/2024", "01/09/2024", "U3"),
        ("C100", "01/09/2024", "", "K2"),
        ("C200", "01/06/2024", "15/12/2024", "K3"),
    ]
    assert tables.episodes[0]["RNE"] == ""


def _looked_after_child() -> Child:
    """Looked after by this authority from 1 June to 15 December 2024."""
    child = ChildFactory.create(child_id="K1", date_of_birth=dt.date(2008, 1, 1))
    LegalStatusFactory.create(
        child=child, start_date=dt.date(2024, 6, 1), end_date=dt.date(2024, 12, 15)
    )
    return child


def _episode(child: Child, start: dt.datetime, end: dt.datetime | None) -> Episode:
    return EpisodeFactory.create(child=child, started_at=start, ended_at=end)


def test_only_episodes_open_while_looked_after_in_the_year_are_rows() -> None:
    child = _looked_after_child()

    def at(year: int, month: int, day: int) -> dt.datetime:
        return dt.datetime(year, month, day, 12, 0, tzinfo=UTC)

    _episode(child, at(2024, 5, 20), at(2024, 6, 3))  # began before care, open on 1-3 June
    _episode(child, at(2024, 12, 10), at(2024, 12, 20))  # open on 10-15 December, in care
    _episode(child, at(2025, 1, 1), at(2025, 1, 2))  # after care ended: not a row
    _episode(child, at(2024, 5, 1), at(2024, 5, 2))  # before care began: not a row
    _episode(child, at(2024, 3, 20), at(2024, 3, 25))  # the year before: not a row

    starts = [row["MIS_START"] for row in _missing(2024)]

    assert starts == ["20/05/2024", "10/12/2024"]


def test_an_episode_open_since_an_earlier_year_is_a_row_while_still_open() -> None:
    child = ChildFactory.create(child_id="K2", date_of_birth=dt.date(2008, 1, 1))
    LegalStatusFactory.create(child=child, start_date=dt.date(2023, 1, 1))
    _episode(child, dt.datetime(2024, 2, 1, 9, 0, tzinfo=UTC), None)

    assert [(row["MIS_START"], row["MIS_END"]) for row in _missing(2024)] == [("01/02/2024", "")]


def test_an_episode_still_open_on_31_march_ends_blank_that_year_and_dated_the_next() -> None:
    child = ChildFactory.create(child_id="K4", date_of_birth=dt.date(2008, 1, 1))
    LegalStatusFactory.create(child=child, start_date=dt.date(2024, 1, 1))
    _episode(
        child,
        dt.datetime(2025, 3, 20, 9, 0, tzinfo=UTC),
        dt.datetime(2025, 4, 2, 9, 0, tzinfo=UTC),
    )

    this_year = [(row["MIS_START"], row["MIS_END"]) for row in _missing(2024)]
    next_year = [(row["MIS_START"], row["MIS_END"]) for row in _missing(2025)]

    assert this_year == [("20/03/2025", "")]
    assert next_year == [("20/03/2025", "02/04/2025")]


def test_a_child_looked_after_by_another_authority_is_left_out() -> None:
    child = ChildFactory.create(child_id="K3", date_of_birth=dt.date(2008, 1, 1))
    LegalStatusFactory.create(child=child, start_date=dt.date(2024, 1, 1), responsible_la="888")
    _episode(child, dt.datetime(2024, 7, 1, 9, 0, tzinfo=UTC), None)

    tables = register_tables(2024)

    assert (tables.header, tables.episodes, tables.missing) == ([], [], [])


def test_an_episode_with_real_times_is_exported_with_its_local_dates() -> None:
    child = _looked_after_child()
    # 23:30 UTC on 4 July is 00:30 BST on 5 July; 23:10 UTC on 7 July is 00:10 on the 8th.
    episode = _episode(
        child,
        dt.datetime(2024, 7, 4, 23, 30, tzinfo=UTC),
        dt.datetime(2024, 7, 7, 23, 10, tzinfo=UTC),
    )

    (row,) = register_tables(2024).missing

    assert (row["MIS_START"], row["MIS_END"], row["DOB"]) == (
        "05/07/2024",
        "08/07/2024",
        "01/01/2008",
    )
    assert row.source == Source(model="missing.episode", pk=episode.pk)


def test_register_tables_takes_two_queries_whatever_the_number_of_children(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for number in range(5):
        child = ChildFactory.create(child_id=f"Q{number}")
        LegalStatusFactory.create(child=child, start_date=dt.date(2024, 1, 1))
        _episode(child, dt.datetime(2024, 8, 1, 9, 0, tzinfo=UTC), None)

    with django_assert_num_queries(2):
        tables = register_tables(2024)

    assert len(tables.missing) == 5


def test_export_is_audited(write_folder: FolderWriter, tmp_path: Path) -> None:
    import_ssda903(write_folder(FOLDER))

    call_command("export_ssda903", "--year", "2024", str(tmp_path / "out"))

    event = AuditEvent.objects.get(action="returns.ssda903_export")
    assert event.details["year"] == 2024
    assert event.details["rows"]["missing.csv"] == 4
