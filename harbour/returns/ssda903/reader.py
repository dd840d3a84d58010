"""Reading a council's SSDA903 folder into `Tables`: the DfE's CSV files or its XML.

CSV: `header.csv`, `episodes.csv` and `missing.csv`, each with the DfE's column names in
its first row (tables.py). `header.csv` must be there; a folder without `episodes.csv` or
`missing.csv` has no rows of that table.

XML: one `.xml` file in the folder, laid out as the DfE's 903 XML:

    <EXPSSDA903>
      <CHILD>
        <HEADER><CHILDID/><UPN/><SEX/><DOB/><ETHNIC/><MOTHER/><MC_DOB/>
          <AMISSING><MISSING/><MIS_START/><MIS_END/></AMISSING> ...
        </HEADER>
        <EPISODE><DECOM/><RNE/><LS/><CIN/><PL/><PLACE_PROVIDER/><DEC/>...</EPISODE> ...
      </CHILD> ...
    </EXPSSDA903>

`CHILDID` is the CSV's CHILD and `PL` its PLACE. AMISSING is read inside HEADER (where the
open csc-validator-be-903 reads it: lac_validator/ingress.py, read_xml_from_text, and its
tests/fake_data/fake_903.xml) and also directly inside CHILD. A missing row takes CHILD and
DOB from its child's HEADER, as the CSV repeats them.

Only the folder's structure is checked here: files present, readable, and holding the
table's columns. Every cell is kept as the text it holds (stripped), so that the DfE's
rules (rules.py) can judge the values; the importer (importer.py) parses them. A column a
table needs but the file does not have is one problem naming the file and the column,
however many rows there are.

XML safety: the standard library's expat parser, with any document type declaration
refused (which refuses entity declarations and external entities with it): the safety
`defusedxml` gives, without a dependency this project does not have.
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path

from .tables import EPISODE_COLUMNS, HEADER_COLUMNS, MISSING_COLUMNS, Row, Source, Tables

CSV_FILES = {
    "header": ("header.csv", HEADER_COLUMNS),
    "episodes": ("episodes.csv", EPISODE_COLUMNS),
    "missing": ("missing.csv", MISSING_COLUMNS),
}
REQUIRED_CSV = ("header.csv",)

# XML element names that differ from the CSV column names.
XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
CSV_TO_XML = {column: element for element, column in XML_NAMES.items()}
# The elements without which an XML file's rows cannot be read at all.
XML_REQUIRED = {
    "HEADER": ("CHILDID", "SEX", "DOB"),
    "EPISODE": ("DECOM",),
    "AMISSING": ("MISSING", "MIS_START"),
}
XML_COLUMNS = {
    "HEADER": HEADER_COLUMNS,
    "EPISODE": EPISODE_COLUMNS,
    "AMISSING": MISSING_COLUMNS,
}


@dataclass
class ReadResult:
    tables: Tables
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The files read, by name (for the audit event).
    files: list[str] = field(default_factory=list)
    format: str = "csv"

    @property
    def ok(self) -> bool:
        return not self.errors


def collection_year_of(day: dt.date) -> int:
    """The collection year (1 April to 31 March) a day falls in, by its first year."""
    return day.year if day.month >= 4 else day.year - 1


def read_folder(folder: Path | str, year: int | None = None) -> ReadResult:
    """The folder's tables. `year` is the collection year the tables are for (by default
    the one today falls in); reading does not depend on it."""
    folder = Path(folder)
    if year is None:
        year = collection_year_of(dt.date.today())
    result = ReadResult(Tables(year))
    if not folder.is_dir():
        result.errors.append(f"{folder}:0:-: is not a folder")
        return result
    xml_files = sorted(path for path in folder.iterdir() if path.suffix.lower() == ".xml")
    csv_names = {name for name, _ in CSV_FILES.values()}
    csv_present = sorted(path.name for path in folder.iterdir() if path.name in csv_names)
    if xml_files and csv_present:
        result.errors.append(
            f"{folder}:0:-: holds both CSV files ({', '.join(csv_present)}) and XML "
            f"({', '.join(path.name for path in xml_files)}): give one or the other"
        )
        return result
    if len(xml_files) > 1:
        result.errors.append(
            f"{folder}:0:-: holds {len(xml_files)} XML files "
            f"({', '.join(path.name for path in xml_files)}): give one"
        )
        return result
    if xml_files:
        result.format = "xml"
        _read_xml(xml_files[0], result)
    else:
        _read_csv_files(folder, result)
    return result


# CSV -----------------------------------------------------------------------------------


def _read_csv_files(folder: Path, result: ReadResult) -> None:
    for table, (name, columns) in CSV_FILES.items():
        path = folder / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            result.errors.append(f"{name}:0:-: is not a regular file, so it was not opened")
            continue
        if not path.exists():
            if name in REQUIRED_CSV:
                result.errors.append(f"{name}:0:-: required file is missing")
            continue
        result.files.append(name)
        rows = _read_csv(path, columns, result)
        getattr(result.tables, table).extend(rows)


def _read_csv(path: Path, columns: tuple[str, ...], result: ReadResult) -> list[Row]:
    name = path.name
    rows: list[Row] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                result.errors.append(f"{name}:1:-: is empty: the first row must be the header")
                return rows
            names = [cell.strip().upper() for cell in header]
            if not _header_is_usable(name, names, columns, result):
                return rows
            positions = {column: names.index(column) for column in columns}
            previous_end = reader.line_num
            for cells in reader:
                line = previous_end + 1
                previous_end = reader.line_num
                if not cells or all(not cell.strip() for cell in cells):
                    continue
                if len(cells) != len(names):
                    result.errors.append(
                        f"{name}:{line}:-: has {len(cells)} fields; the header has {len(names)}"
                    )
                    continue
                values = {column: cells[positions[column]].strip() for column in columns}
                rows.append(Row(values, Source(file=name, line=line)))
    except UnicodeDecodeError as error:
        result.errors.append(
            f"{name}:0:-: is not UTF-8 text ({error.reason} at byte {error.start})"
        )
    except csv.Error as error:
        result.errors.append(f"{name}:0:-: is not readable CSV: {error}")
    return rows


def _header_is_usable(
    name: str, names: list[str], columns: tuple[str, ...], result: ReadResult
) -> bool:
    """One problem per 903 column the header lacks (naming the columns it has instead);
    other columns are ignored with a warning."""
    unknown = [found for found in names if found not in columns]
    missing = [column for column in columns if column not in names]
    repeated = sorted({found for found in names if found and names.count(found) > 1})
    instead = f"; it has {', '.join(repr(n) for n in unknown)} instead" if unknown else ""
    for column in missing:
        result.errors.append(f"{name}:1:{column}: the header has no {column} column{instead}")
    for column in repeated:
        result.errors.append(f"{name}:1:{column}: the header has the column more than once")
    if not missing and unknown:
        result.warnings.append(
            f"{name}: columns {', '.join(repr(n) for n in unknown)} are not 903 columns; ignored"
        )
    return not missing and not repeated


# XML -----------------------------------------------------------------------------------


@dataclass
class _Element:
    tag: str
    line: int
    children: list[_Element] = field(default_factory=list)
    text: str = ""


class _Refused(Exception):
    pass


def _parse_xml(path: Path) -> _Element:
    """The document as a tree of elements with their line numbers (expat; no DTD)."""
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Element] = []
    root: list[_Element] = []

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = _Element(tag, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(element)
        else:
            root.append(element)
        stack.append(element)

    def end(tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse_doctype(*args: object) -> None:
        raise _Refused("has a document type declaration (DOCTYPE), which is refused")

    def refuse_entity(*args: object) -> None:
        raise _Refused("declares an entity, which is refused")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity  # type: ignore[assignment]
    with path.open("rb") as handle:
        parser.ParseFile(handle)
    return root[0]


def _read_xml(path: Path, result: ReadResult) -> None:
    name = path.name
    if path.is_symlink() or not path.is_file():
        result.errors.append(f"{name}:0:-: is not a regular file, so it was not opened")
        return
    result.files.append(name)
    try:
        document = _parse_xml(path)
    except _Refused as refusal:
        result.errors.append(f"{name}:0:-: {refusal}")
        return
    except xml.parsers.expat.ExpatError as error:
        result.errors.append(
            f"{name}:{error.lineno}:-: is not readable XML: "
            f"{xml.parsers.expat.ErrorString(error.code)}"
        )
        return
    if document.tag != "EXPSSDA903":
        result.errors.append(f"{name}:{document.line}:-: the root element must be EXPSSDA903")
        return
    seen: dict[str, set[str]] = {tag: set() for tag in XML_REQUIRED}
    counted: dict[str, int] = dict.fromkeys(XML_REQUIRED, 0)
    tables = result.tables
    for child in document.children:
        if child.tag != "CHILD":
            continue
        header = next((part for part in child.children if part.tag == "HEADER"), None)
        header_values: dict[str, str] = {}
        if header is not None:
            counted["HEADER"] += 1
            header_values = _leaves(header, seen["HEADER"])
            tables.header.append(_row(header_values, HEADER_COLUMNS, name, header.line))
        common = {"CHILD": header_values.get("CHILD", ""), "DOB": header_values.get("DOB", "")}
        missing_parents = [child, *([header] if header is not None else [])]
        for parent in missing_parents:
            for part in parent.children:
                if part.tag == "AMISSING":
                    counted["AMISSING"] += 1
                    values = {**common, **_leaves(part, seen["AMISSING"])}
                    tables.missing.append(_row(values, MISSING_COLUMNS, name, part.line))
        for part in child.children:
            if part.tag == "EPISODE":
                counted["EPISODE"] += 1
                values = {"CHILD": common["CHILD"], **_leaves(part, seen["EPISODE"])}
                tables.episodes.append(_row(values, EPISODE_COLUMNS, name, part.line))
    for tag, required in XML_REQUIRED.items():
        if not counted[tag]:
            continue
        unknown = sorted(seen[tag] - {CSV_TO_XML.get(c, c) for c in XML_COLUMNS[tag]})
        instead = f"; they have {', '.join(unknown)} instead" if unknown else ""
        for element in required:
            if element not in seen[tag]:
                result.errors.append(
                    f"{name}:{document.line}:{XML_NAMES.get(element, element)}: "
                    f"no {tag} element has a {element} element{instead}"
                )


def _leaves(element: _Element, seen: set[str]) -> dict[str, str]:
    """The element's own childless children, by CSV column name."""
    values = {}
    for part in element.children:
        if part.children:
            continue
        seen.add(part.tag)
        values[XML_NAMES.get(part.tag, part.tag)] = part.text.strip()
    return values


def _row(values: dict[str, str], columns: tuple[str, ...], name: str, line: int) -> Row:
    return Row({column: values.get(column, "") for column in columns}, Source(name, line))
