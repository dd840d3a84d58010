"""Export the register as an interchange folder (shared/spec/interchange.md)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harbour.common.codes import stored_codes
from harbour.common.time import local_iso

from .cells import format_yes_no
from .tables import TABLES, TABLES_BY_FILE, Table

CHUNK_SIZE = 5000


def _cell(value: Any, is_code_list: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, dt.datetime):
        return local_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_code_list:
        return ";".join(stored_codes(value))
    return str(value)


def _rows(table: Table) -> Iterator[list[str]]:
    references = {ref.column: f"{ref.field}__{ref.column}" for ref in table.references}
    lookups = [
        "pk" if column.linked else references.get(column.name, column.model_field)
        for column in table.columns
    ]
    code_lists = [column.multi for column in table.columns]
    queryset = table.model._default_manager.order_by("pk").values_list(*lookups)
    links = _links(table)
    for record in queryset.iterator(chunk_size=CHUNK_SIZE):
        cells = [_cell(value, is_list) for value, is_list in zip(record, code_lists, strict=True)]
        for position, column in enumerate(table.columns):
            if column.linked:
                cells[position] = ";".join(links.get(record[position], ()))
        yield cells


def _links(table: Table) -> dict[Any, list[str]]:
    """The linked keys of each record (by primary key), in the order they were stored."""
    link = table.link
    if link is None:
        return {}
    target_key = TABLES_BY_FILE[link.table].columns[0].model_field
    rows = link.through._default_manager.order_by("pk").values_list(
        f"{link.owner}_id", f"{link.target}__{target_key}"
    )
    found: dict[Any, list[str]] = {}
    for owner, key in rows.iterator(chunk_size=CHUNK_SIZE):
        found.setdefault(owner, []).append(key)
    return found


def export_folder(folder: Path | str, *, include_intelligence: bool = False) -> dict[str, int]:
    """Write one file per table; returns the number of rows written per file. The tables
    of criminal-offence and immigration data (Table.intelligence: nrm_referrals.csv) are
    written only when asked for (exploitation.md §4); the caller checks who asks and
    audits it (management/commands/export_interchange.py)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in TABLES:
        if table.intelligence and not include_intelligence:
            continue
        with (folder / table.file_name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(table.column_names)
            count = 0
            for row in _rows(table):
                writer.writerow(row)
                count += 1
        counts[table.file_name] = count
    return counts
