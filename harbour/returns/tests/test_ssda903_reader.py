from harbour.conftest import FolderWriter
from harbour.returns.ssda903.reader import read_folder
from harbour.returns.ssda903.tables import Row, Source

from .ssda903_folders import FOLDER, XML, with_changes


def _values(rows: list[Row]) -> list[dict[str, str]]:
    return [dict(row) for row in rows]


def test_csv_folder_reads_every_row_with_its_file_and_line(write_folder: FolderWriter) -> None:
    result = read_folder(write_folder(FOLDER), 2024)

    assert result.errors == []
    tables = result.tables
    assert [row["CHILD"] for row in tables.header] == ["C100", "C200", "C300"]
    assert len(tables.episodes) == 3
    assert dict(tables.missing[2]) == {
        "CHILD": "C100",
        "DOB": "14/05/2009",
        "MISSING": "M",
        "MIS_START": "20/03/2025",
        "MIS_END": "",
    }
    assert tables.missing[0].source == Source(file="missing.csv", line=2)
    assert str(tables.episodes[2].source) == "episodes.csv:4"


def test_xml_gives_the_same_tables_as_csv(write_folder: FolderWriter) -> None:
    from_csv = read_folder(write_folder(FOLDER), 2024)
    from_xml = read_folder(write_folder({"return.xml": XML}), 2024)

    assert from_xml.errors == []
    assert from_xml.format == "xml"
    assert _values(from_xml.tables.header) == _values(from_csv.tables.header)
    assert _values(from_xml.tables.episodes) == _values(from_csv.tables.episodes)
    assert _values(from_xml.tables.missing) == _values(from_csv.tables.missing)
    # Each row names the line of its element.
    assert str(from_xml.tables.missing[0].source) == "return.xml:7"


def test_renamed_header_column_is_one_error_naming_file_and_column(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "missing.csv", "MIS_START", "MISSING_START")

    result = read_folder(write_folder(folder))

    assert result.errors == [
        "missing.csv:1:MIS_START: the header has no MIS_START column; "
        "it has 'MISSING_START' instead"
    ]


def test_missing_header_column_is_one_error(write_folder: FolderWriter) -> None:
    folder = with_changes(FOLDER, "header.csv", "CHILD,SEX,", "CHILD,")

    result = read_folder(write_folder(folder))

    assert result.errors == ["header.csv:1:SEX: the header has no SEX column"]


def test_renamed_xml_element_is_one_error(write_folder: FolderWriter) -> None:
    xml = XML.replace("MIS_START>", "MISSING_START>")

    result = read_folder(write_folder({"return.xml": xml}))

    assert result.errors == [
        "return.xml:2:MIS_START: no AMISSING element has a MIS_START element; "
        "they have MISSING_START instead"
    ]


def test_xml_with_a_doctype_is_refused_unread(write_folder: FolderWriter) -> None:
    xml = XML.replace(
        "<EXPSSDA903>",
        '<!DOCTYPE EXPSSDA903 [<!ENTITY big "lots">]>\n<EXPSSDA903>',
    )

    result = read_folder(write_folder({"return.xml": xml}))

    assert result.errors == [
        "return.xml:0:-: has a document type declaration (DOCTYPE), which is refused"
    ]
    assert result.tables.header == []


def test_header_csv_is_required(write_folder: FolderWriter) -> None:
    result = read_folder(write_folder({"missing.csv": FOLDER["missing.csv"]}))

    assert result.errors == ["header.csv:0:-: required file is missing"]


def test_csv_and_xml_together_are_refused(write_folder: FolderWriter) -> None:
    folder = write_folder({**FOLDER, "return.xml": XML})

    result = read_folder(folder)

    assert len(result.errors) == 1
    assert "holds both CSV files" in result.errors[0]
