"""Writing `Tables` in the DfE's layouts: the three CSV files, or the 903 XML (the layout
reader.py reads: EXPSSDA903/CHILD/HEADER with its AMISSING elements, and
EXPSSDA903/CHILD/EPISODE)."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

from harbour.common.progress import NO_PROGRESS, Progress

from .reader import CSV_FILES, CSV_TO_XML
from .tables import EPISODE_COLUMNS, HEADER_COLUMNS, MISSING_COLUMNS, Row, Tables

XML_FILE = "ssda903.xml"


def write_csv(
    tables: Tables, folder: Path | str, *, progress: Progress = NO_PROGRESS
) -> dict[str, int]:
    """header.csv, episodes.csv and missing.csv; the number of rows written to each
    (counted to `progress` as they are written)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table, (name, columns) in CSV_FILES.items():
        rows: list[Row] = getattr(tables, table)
        progress.stage(name, total=len(rows))
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([row[column] for column in columns])
                progress.advance()
        counts[name] = len(rows)
    return counts


def write_xml(
    tables: Tables, folder: Path | str, *, progress: Progress = NO_PROGRESS
) -> dict[str, int]:
    """ssda903.xml: one CHILD per header row, with the child's episodes and missing rows
    (rows of a child without a header row get a CHILD of their own, with CHILDID and
    DOB only). The number of elements of each kind written. `progress` counts the rows
    as they are made into elements, then is told the file is being written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    root = ET.Element("EXPSSDA903")
    headers: dict[str, ET.Element] = {}
    children: dict[str, ET.Element] = {}

    def child_of(row: Row) -> tuple[ET.Element, ET.Element]:
        key = row["CHILD"]
        if key not in children:
            child = ET.SubElement(root, "CHILD")
            header = ET.SubElement(child, "HEADER")
            _leaf(header, "CHILD", key)
            _leaf(header, "DOB", row["DOB"])
            children[key], headers[key] = child, header
        return children[key], headers[key]

    progress.stage(XML_FILE, total=len(tables.header) + len(tables.missing) + len(tables.episodes))
    for row in tables.header:
        progress.advance()
        child = ET.SubElement(root, "CHILD")
        header = ET.SubElement(child, "HEADER")
        for column in HEADER_COLUMNS:
            _leaf(header, column, row[column])
        children[row["CHILD"]], headers[row["CHILD"]] = child, header
    for row in tables.missing:
        progress.advance()
        _, header = child_of(row)
        element = ET.SubElement(header, "AMISSING")
        for column in MISSING_COLUMNS[2:]:  # CHILD and DOB are the header's
            _leaf(element, column, row[column])
    for row in tables.episodes:
        progress.advance()
        child, _ = child_of(row)
        element = ET.SubElement(child, "EPISODE")
        for column in EPISODE_COLUMNS[1:]:  # CHILD is the header's
            _leaf(element, column, row[column])
    progress.stage(f"writing {XML_FILE}")
    ET.indent(root)
    ET.ElementTree(root).write(folder / XML_FILE, encoding="utf-8", xml_declaration=True)
    return {
        "CHILD": len(children),
        "EPISODE": len(tables.episodes),
        "AMISSING": len(tables.missing),
    }


def _leaf(parent: ET.Element, column: str, value: str) -> None:
    ET.SubElement(parent, CSV_TO_XML.get(column, column)).text = value or None
