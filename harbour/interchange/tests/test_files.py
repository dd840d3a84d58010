"""The shape of files and folders: encoding, header, blank lines, line numbers."""

import pytest

from harbour.children.models import Child
from harbour.interchange.importer import import_folder
from harbour.missing.models import Episode

from .folders import VALID, with_changes

pytestmark = pytest.mark.django_db

CHILDREN_HEADER = "child_id,given_name,family_name,date_of_birth,sex,ethnicity"
EMPTY_EPISODES = "episode_id,child_id,category,started_at\n"


def minimal(children: str | bytes) -> dict[str, str | bytes]:
    return {"children.csv": children, "episodes.csv": EMPTY_EPISODES}


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted(write_folder):
    data = ("\ufeff" + CHILDREN_HEADER + "\r\nC1,Zoë,Ñúñez,2010-01-01,F,\r\n").encode()

    assert import_folder(write_folder(minimal(data))).errors == []
    assert Child.objects.get().family_name == "Ñúñez"


def test_spaces_around_values_and_header_names_are_ignored(write_folder):
    data = " child_id , date_of_birth ,sex\n  C1  ,  2010-01-01 , F \n"

    assert import_folder(write_folder(minimal(data))).errors == []
    child = Child.objects.get()
    assert (child.child_id, child.sex) == ("C1", "F")


def test_a_cell_of_only_spaces_is_empty(write_folder):
    data = "child_id,given_name,date_of_birth,sex\nC1,   ,2010-01-01,F\nC2,Kit,2010-01-01,   \n"

    result = import_folder(write_folder(minimal(data)))

    assert result.errors == ["children.csv:3:sex: is required"]


def test_blank_lines_are_ignored_and_do_not_shift_line_numbers(write_folder):
    data = "child_id,date_of_birth,sex\n\nC1,2010-01-01,F\n\n\nC2,2010-01-01,Q\n"

    result = import_folder(write_folder(minimal(data)))

    assert result.errors == ["children.csv:6:sex: unknown code 'Q' (expected one of M, F, U)"]


def test_a_quoted_line_break_counts_the_line_a_record_starts_on(write_folder):
    data = (
        "child_id,given_name,date_of_birth,sex\n"
        'C1,"Ann\nMarie",2010-01-01,F\n'
        "C2,Bo,2010-01-01,X\n"
        'C3,"A\n\nB",2010-13-01,F\n'
    )

    result = import_folder(write_folder(minimal(data)))

    assert result.errors == [
        "children.csv:4:sex: unknown code 'X' (expected one of M, F, U)",
        "children.csv:5:date_of_birth: is not a real date: '2010-13-01'",
    ]


def test_quoted_commas_and_quotes_survive(write_folder):
    data = (
        'child_id,given_name,family_name,date_of_birth,sex\nC1,"O\'Neil, ""Jo""",Å,2010-01-01,F\n'
    )

    assert import_folder(write_folder(minimal(data))).errors == []
    assert Child.objects.get().given_name == 'O\'Neil, "Jo"'


def test_a_row_with_too_many_or_too_few_fields_is_refused(write_folder):
    data = "child_id,date_of_birth,sex\nC1,2010-01-01,F,extra\nC2,2010-01-01\n"

    result = import_folder(write_folder(minimal(data)))

    assert result.errors == [
        "children.csv:2:-: has 4 fields; the header has 3",
        "children.csv:3:-: has 2 fields; the header has 3",
    ]


def test_text_that_is_not_utf8_is_refused(write_folder):
    data = "child_id,given_name,date_of_birth,sex\nC1,Zo\xeb,2010-01-01,F\n".encode("latin-1")

    result = import_folder(write_folder(minimal(data)))

    assert len(result.errors) == 1
    assert result.errors[0].startswith("children.csv:0:-: is not UTF-8 text")


def test_an_empty_file_is_refused(write_folder):
    result = import_folder(write_folder(minimal("")))

    assert result.errors == ["children.csv:0:-: is empty: the first row must be the header"]


def test_required_files_must_be_present_and_optional_ones_may_be_absent(write_folder):
    result = import_folder(write_folder({"meetings.csv": VALID["meetings.csv"]}))

    assert result.errors[:2] == [
        "children.csv:0:-: required file is missing",
        "episodes.csv:0:-: required file is missing",
    ]
    # References into a missing file cannot be judged, so they are not reported.
    assert len(result.errors) == 2


def test_files_the_spec_does_not_name_are_ignored_with_a_warning(write_folder):
    folder = write_folder({**VALID, "notes.txt": "hello", "Episodes.CSV": "x"})

    result = import_folder(folder)

    assert result.errors == []
    assert result.warnings == [
        "Episodes.CSV: not a file of the interchange format; ignored",
        "notes.txt: not a file of the interchange format; ignored",
    ]


def test_several_problems_in_several_files_are_all_reported_in_one_run(write_folder):
    folder = with_changes(
        children=VALID["children.csv"].replace("2008-11-01,M", "2008-11-01,Z"),
        episodes=VALID["episodes.csv"].replace("E2,C2,ABSENT", "E2,C2,GONE"),
        meetings=VALID["meetings.csv"].replace("M2,C1,STRATEGY", "M2,C1,MAM"),
        panel_listings=VALID["panel_listings.csv"].replace("HIGH,Y", "HIGH,YES"),
    )

    result = import_folder(write_folder(folder))

    assert [error.split(": ")[0] for error in result.errors] == [
        "children.csv:3:sex",
        "episodes.csv:3:category",
        "meetings.csv:3:kind",
        "panel_listings.csv:2:nrm_referral",
    ]
    assert Child.objects.count() == 0
    assert Episode.objects.count() == 0


def test_a_reference_to_a_row_that_was_itself_refused_is_not_reported_twice(write_folder):
    folder = with_changes(children=VALID["children.csv"].replace("2008-11-01,M", "2008-11-01,Z"))

    result = import_folder(write_folder(folder))

    assert result.errors == ["children.csv:3:sex: unknown code 'Z' (expected one of M, F, U)"]
