"""Control characters in an interchange folder: each refused as file:line:column, the
import all or nothing, identically on SQLite and PostgreSQL (which cannot store a NUL)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from harbour.children.models import Child
from harbour.interchange.importer import import_folder

from .folders import VALID, with_changes
from .snapshot import register_snapshot
from .test_files import minimal

pytestmark = pytest.mark.django_db

CHILDREN_HEADER = "child_id,given_name,family_name,date_of_birth,sex,ethnicity"


def children(*rows: str, header: str = CHILDREN_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ["C1,Zo\x00e,Smith,2005-02-28,F,"],
            ["children.csv:2:given_name: contains a control character (U+0000) at character 3"],
        ),
        (
            ["C1\x00,Zoe,Smith,2005-02-28,F,"],
            ["children.csv:2:child_id: contains a control character (U+0000) at character 3"],
        ),
        (
            ["C1,Zoe,Smith,2005-02-28,F\x00,"],
            ["children.csv:2:sex: contains a control character (U+0000) at character 2"],
        ),
        (
            ["C1,Zoe,Smith\x1f,2005-02-28,F,"],
            ["children.csv:2:family_name: contains a control character (U+001F) at character 6"],
        ),
        (
            ["C1,Zoe,Smi\u0085th,2005-02-28,F,", "C2,\ufffeSam,Lee,2008-11-01,M,"],
            [
                "children.csv:2:family_name: contains a control character (U+0085) at character 4",
                "children.csv:3:given_name: contains a noncharacter (U+FFFE) at character 1",
            ],
        ),
    ],
)
def test_a_control_character_in_a_cell_is_named_by_file_line_and_column(
    write_folder, rows, expected
):
    import_folder(write_folder(VALID))
    before = register_snapshot()

    result = import_folder(write_folder(with_changes(children=children(*rows))))

    assert result.errors == expected
    assert register_snapshot() == before


def test_tabs_and_line_breaks_inside_a_quoted_value_are_still_read_as_the_format_says(
    write_folder,
):
    # The format has always read them as part of the value, and export writes what the
    # register holds: refusing them would break import(export(register)).
    folder = minimal(children('C1,"Zoe\nAnn",Smith\t,2005-02-28,F,'))

    assert import_folder(write_folder(folder)).errors == []
    assert Child.objects.get().given_name == "Zoe\nAnn"


def test_a_line_break_inside_a_header_name_is_named_by_position(write_folder):
    header = CHILDREN_HEADER.replace(",sex,", ',"se\nx",')
    folder = with_changes(children=children("C1,Zoe,Smith,2005-02-28,F,", header=header))

    result = import_folder(write_folder(folder))

    assert result.errors == [
        "children.csv:1:column 5: contains a line break (U+000A) at character 3",
        "children.csv:1:sex: required column is missing",
    ]


def test_a_control_character_in_the_header_is_named_by_its_position_not_echoed(write_folder):
    header = CHILDREN_HEADER + ",no\x1btes"
    folder = with_changes(children=children("C1,Zoe,Smith,2005-02-28,F,,x", header=header))

    result = import_folder(write_folder(folder))

    assert result.errors == [
        "children.csv:1:column 7: contains a control character (U+001B) at character 3"
    ]
    assert not Child.objects.exists()


def test_header_cells_with_no_name_are_named_by_position(write_folder):
    folder = with_changes(
        children=children("C1,Zoe,Smith,2005-02-28,F,,,", header=CHILDREN_HEADER + ",,")
    )

    result = import_folder(write_folder(folder))

    assert result.errors == [
        "children.csv:1:column 7: has no name",
        "children.csv:1:column 8: has no name",
    ]


def test_the_import_command_reports_a_nul_as_file_line_column_and_stores_nothing(
    write_folder, capsys
):
    folder = write_folder(with_changes(children=children("C1,Zoe,Sm\x00ith,2005-02-28,F,")))

    with pytest.raises(CommandError):
        call_command("import_interchange", str(folder))

    assert (
        "children.csv:2:family_name: contains a control character (U+0000) at character 3"
        in capsys.readouterr().err
    )
    assert not Child.objects.exists()


def test_a_nul_is_refused_in_a_large_folder_read_in_a_second_process(write_folder):
    rows = [f"C{n},Zoe,Smith,2005-02-28,F," for n in range(1, 3000)]
    rows.append("C3000,Zoe,Smith\x00,2005-02-28,F,")

    result = import_folder(write_folder(with_changes(children=children(*rows))), parallel=True)

    assert result.errors == [
        "children.csv:3001:family_name: contains a control character (U+0000) at character 6"
    ]
    assert not Child.objects.exists()
