"""Police CSV extracts: read with the force's saved column mapping, previewed with every
problem named, then recorded all together or not at all.

    receive(actor, force, name, content) -> PoliceUpload        (held for the preview)
    save_mapping(actor, force, columns=..., ..., version=...)   (audited)
    build_preview(upload, user) -> Preview                      (parse, check, match)
    commit(actor, upload, choices, sexes, mapping_version)      (one transaction)
    purge_expired()                                             (held files past 24 hours)

Nothing in a file is written to the register until `commit`, which re-reads the file,
checks that nothing has changed since the preview (the mapping, references recorded
meanwhile, the matches offered) and records every chosen row through
missing.services.record_notification (a new child through children.services.save_child)
inside one transaction: if any row fails, nothing is written.

Times without an offset are UK (Europe/London) wall-clock times. The hour skipped when the
clocks go forward did not exist and is refused; the hour repeated when they go back
happened twice and a file cannot say which, so it is refused too (the one-at-a-time form
asks which). A format with %z (an offset, as in 2026-10-25T01:30:00+01:00) is exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.audit.services import Actor
from harbour.children.models import Child, Sex
from harbour.children.services import save_child
from harbour.common.text import any_refused, refused_character, refused_inside_one_line
from harbour.common.time import (
    HOUR,
    UTC,
    RepeatedLocalTime,
    SkippedLocalTime,
    from_london,
    local_date,
)

from . import matching, services
from .models import (
    Category,
    ColumnMapping,
    Episode,
    NotificationReference,
    PoliceForce,
    PoliceUpload,
    RiskLevel,
)

MAX_BYTES = getattr(settings, "HARBOUR_POLICE_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
MAX_ROWS = getattr(settings, "HARBOUR_POLICE_UPLOAD_MAX_ROWS", 2000)
UPLOAD_HOURS = 24
# Rows whose likely matches are fetched with one query (the OR of their narrowings).
POOL_CHUNK = 40


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""


# The notification fields a mapping gives a column for, in the order the mapping page asks.
FIELDS = [
    Field("police_reference", "Police reference"),
    Field("category", "Missing or absent"),
    Field("last_seen", "Last seen: date and time", "One column holding both. Or use the next two."),
    Field("last_seen_date", "Last seen: date", "Only if the date and time are in two columns."),
    Field("last_seen_time", "Last seen: time", "Only if the date and time are in two columns."),
    Field("reported_at", "Reported to the police: date and time (optional)"),
    Field("risk_level", "Police risk grade (optional)"),
    Field(
        "found_at",
        "Found or returned: date and time (optional)",
        "For notifications that arrive after the child was found: the episode is closed too.",
    ),
    Field("given_name", "Given name"),
    Field("family_name", "Family name"),
    Field("date_of_birth", "Date of birth (optional)"),
    Field(
        "child_id",
        "Person id (optional)",
        "The case-management system's id, if the force has it. A new child without one is "
        "given a Harbour id until it is known.",
    ),
]
LABELS = {item.key: item.label for item in FIELDS}
REQUIRED = ("police_reference", "category", "given_name", "family_name")
# The values a force writes for each code, offered when a mapping is first made.
DEFAULT_CATEGORY_VALUES = {Category.MISSING: ["Missing", "M"], Category.ABSENT: ["Absent", "A"]}
DEFAULT_RISK_VALUES = {
    RiskLevel.NO_APPARENT_RISK: ["No apparent risk", "None"],
    RiskLevel.LOW: ["Low"],
    RiskLevel.MEDIUM: ["Medium"],
    RiskLevel.HIGH: ["High"],
}
# A date and time with a day over 12, to prove a format holds day, month, year, hour, minute.
SAMPLE = dt.datetime(2026, 11, 23, 14, 35)


class UploadRefused(Exception):
    """The file cannot be read at all (size, encoding, not a CSV, no header)."""


class MappingMismatch(Exception):
    """The force has no mapping, or its mapping names headers this file does not have."""

    def __init__(self, message: str, headers: list[str]) -> None:
        super().__init__(message)
        self.headers = headers


class ConflictError(services.ConflictError):
    pass


class CommitRefused(Exception):
    """Nothing was recorded; `problems` says why, row by row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# Holding the file.


def receive(actor: Actor, force: PoliceForce, content: bytes) -> PoliceUpload:
    """Keep an uploaded file for its preview (after checking it can be read at all)."""
    if len(content) > MAX_BYTES:
        raise UploadRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split the extract into "
            "smaller files and upload each one."
        )
    read_table(content)
    with transaction.atomic():
        upload = PoliceUpload.objects.create(
            force=force,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        auditor.record(
            actor,
            "missing.police_upload_received",
            obj=upload,
            details={"force": force.code, "bytes": len(content), "sha256": upload.sha256},
        )
    return upload


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete held files uploaded more than UPLOAD_HOURS ago: how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=UPLOAD_HOURS * HOUR)
    deleted, _ = PoliceUpload.objects.filter(uploaded_at__lt=cutoff).delete()
    if deleted:
        auditor.record("system", "missing.police_uploads_expired", details={"count": deleted})
    return deleted


def discard(actor: Actor, upload: PoliceUpload) -> None:
    with transaction.atomic():
        auditor.record(
            actor,
            "missing.police_upload_discarded",
            obj=upload,
            details={"force": upload.force.code},
        )
        upload.delete()


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte order mark) or Windows-1252."""
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused(
            "The file is an Excel workbook, not a CSV file. In Excel, choose Save As and "
            "'CSV UTF-8 (Comma delimited)', then upload that file."
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or _mostly_nul(content[:4096]):
        raise UploadRefused(
            "The file is saved as UTF-16 ('Unicode text') or is not a text file. Save it as "
            "'CSV UTF-8 (Comma delimited)' and upload it again."
        )
    if not content.strip():
        raise UploadRefused("The file is empty. Upload the police extract as a CSV file.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UploadRefused(
            "The file's characters cannot be read: it is neither UTF-8 nor Windows-1252 "
            "text. Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
        ) from None


def _mostly_nul(sample: bytes) -> bool:
    """UTF-16 without a byte order mark, or not text at all: text in UTF-16 is about half
    NUL bytes. A stray NUL in a UTF-8 file is not this: it is refused where it is."""
    return sample.count(b"\x00") * 8 > len(sample)


def read_table(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(headers, [(spreadsheet row number, cells)]): the header is row 1. Every step reads
    the file through here (receiving it, the mapping, the preview, recording it), so a file
    refused here is never matched or stored."""
    reader = csv.reader(io.StringIO(decode(content), newline=""))
    try:
        rows = list(reader)
    except csv.Error as problem:
        raise UploadRefused(
            f"The file is not a CSV file Harbour can read (line {reader.line_num}: {problem}). "
            "Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
        ) from None
    _refuse_characters(rows)
    numbered = [
        (n, cells) for n, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)
    ]
    if not numbered:
        raise UploadRefused("The file has no rows. Upload the police extract as a CSV file.")
    (_, header), *body = numbered
    headers = [cell.strip() for cell in header]
    if len(body) > MAX_ROWS:
        raise UploadRefused(
            f"The file has {len(body)} rows; at most {MAX_ROWS} can be uploaded at once. "
            "Split the extract into smaller files."
        )
    return headers, body


# How many refused cells a refusal lists before saying how many more there are.
REFUSED_CELLS_LISTED = 10


def _refuse_characters(rows: list[list[str]]) -> None:
    """Refuse the whole file if any cell, mapped or not, holds a character Harbour never
    accepts (harbour.common.text), naming each cell by row and column. Tabs and line breaks
    inside a quoted cell are CSV (a notes column may have them): a mapped field, which is
    one line, refuses them row by row in _parse_row."""
    header = next((cells for cells in rows if any(cell.strip() for cell in cells)), [])
    found: list[str] = []
    for number, cells in enumerate(rows, start=1):
        if not any_refused(cells, multi_line=True):
            continue
        for position, cell in enumerate(cells):
            refused = refused_character(cell, multi_line=True)
            if refused is not None:
                column = _column_name(position, header if cells is not header else [])
                found.append(f"Row {number}, column {column}: {refused}")
    if found:
        listed = "; ".join(found[:REFUSED_CELLS_LISTED])
        more = len(found) - REFUSED_CELLS_LISTED
        raise UploadRefused(
            "The file has characters that cannot be stored (control characters, or bytes "
            f"that are not text). Remove them and upload the file again. {listed}"
            + (f"; and {more} more." if more > 0 else ".")
        )


def _column_name(position: int, header: list[str]) -> str:
    """A spreadsheet's name for a column ('B'), with its header when that can be shown."""
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    name = header[position].strip() if position < len(header) else ""
    if name and refused_character(name) is None:
        return f"{letters} ('{name}')"
    return letters


def headers_of(upload: PoliceUpload) -> list[str]:
    headers, _ = read_table(bytes(upload.content))
    return [header for header in headers if header]


# Mappings.


def split_values(text: str) -> list[str]:
    """ "Missing, M" -> ["Missing", "M"]."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# The formats offered on the mapping page, each shown as SAMPLE written in it, so that no
# one has to know strftime codes. A force's saved format not in these lists stays offered.
FORMATS = {
    "date and time": [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H%M",
        "%d/%m/%y %H:%M",
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M",
        "%d %b %Y %H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%z",
    ],
    "date": ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%Y-%m-%d", "%Y%m%d"],
    "time": ["%H:%M", "%H:%M:%S", "%H%M", "%H.%M"],
}


def format_example(fmt: str) -> str:
    """SAMPLE (23 November 2026, 2:35pm) written in this format."""
    sample = SAMPLE.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))) if "%z" in fmt else SAMPLE
    return sample.strftime(fmt)


def format_choices(kind: str, keep: str = "") -> list[tuple[str, str]]:
    """(format, example) for the mapping page's select; `keep`, a format already saved or
    chosen, is added when it is not one of FORMATS and can read this kind of value."""
    formats = list(FORMATS[kind])
    if keep and keep not in formats and not format_problem(keep, kind=kind):
        formats.insert(0, keep)
    return [(fmt, format_example(fmt)) for fmt in formats]


def first_values(upload: PoliceUpload) -> dict[str, str]:
    """The first value in each column of the held file, for the mapping page's examples."""
    headers, body = read_table(bytes(upload.content))
    found: dict[str, str] = {}
    for _number, cells in body:
        for header, cell in zip(headers, cells, strict=False):
            if header and header not in found and cell.strip():
                found[header] = cell.strip()
        if len(found) == len([h for h in headers if h]):
            break
    return found


def format_problem(fmt: str, *, kind: str) -> str:
    """Why a strftime format cannot read this kind of value ("" when it can)."""
    if not fmt.strip():
        return f"Enter the {kind} format"
    sample = SAMPLE.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))) if "%z" in fmt else SAMPLE
    try:
        parsed = dt.datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError:
        parsed = None
    wanted = {
        "date and time": lambda p: p.replace(second=0) == sample,
        "date": lambda p: p.date() == sample.date(),
        "time": lambda p: (p.hour, p.minute) == (sample.hour, sample.minute),
    }[kind]
    if parsed is None or not wanted(parsed):
        needs = {
            "date and time": "a day (%d), month (%m), year (%Y), hour (%H) and minute (%M)",
            "date": "a day (%d), month (%m) and year (%Y)",
            "time": "an hour (%H) and minute (%M)",
        }[kind]
        return f"The {kind} format must include {needs}, like {example_format(kind)}"
    return ""


def example_format(kind: str) -> str:
    return {"date and time": "%d/%m/%Y %H:%M", "date": "%d/%m/%Y", "time": "%H:%M"}[kind]


def mapping_problems(
    columns: Mapping[str, str],
    category_values: Mapping[str, list[str]],
    risk_values: Mapping[str, list[str]],
    formats: Mapping[str, str],
    headers: list[str] | None = None,
) -> dict[str, str]:
    """{form field: what is wrong} for a proposed mapping (empty when it can be saved)."""
    problems: dict[str, str] = {}
    columns = {key: header for key, header in columns.items() if header}
    for key in REQUIRED:
        if key not in columns:
            problems[key] = f"Select the column that holds the {LABELS[key].lower()}"
    split = "last_seen_date" in columns or "last_seen_time" in columns
    if "last_seen" in columns and split:
        problems["last_seen"] = (
            "Select either one column for the date and time last seen, or separate date and "
            "time columns, not both"
        )
    elif not split and "last_seen" not in columns:
        problems["last_seen"] = "Select the column that holds the date and time last seen"
    elif split:
        for key in ("last_seen_date", "last_seen_time"):
            if key not in columns:
                problems[key] = f"Select the column that holds the {LABELS[key].lower()}"
    seen: dict[str, str] = {}
    for key, header in columns.items():
        if headers is not None and header not in headers:
            problems[key] = f"The file has no column '{header}'. Select one of its columns"
        elif header in seen:
            problems[key] = (
                f"The column '{header}' is already used for the {LABELS[seen[header]].lower()}. "
                "Select a different column for each field"
            )
        seen.setdefault(header, key)
    if not category_values.get(Category.MISSING):
        problems["category_MISSING"] = "Enter the values the force writes for a missing child"
    for name, values in (("category", category_values), ("risk", risk_values)):
        owner: dict[str, str] = {}
        for code, texts in values.items():
            for text in texts:
                if text.lower() in owner and owner[text.lower()] != code:
                    problems[f"{name}_{code}"] = (
                        f"'{text}' is given for two different values. Give each value once"
                    )
                owner[text.lower()] = code
    kinds = {"datetime_format": "date and time", "date_format": "date", "time_format": "time"}
    for name, kind in kinds.items():
        if name == "time_format" and not split:
            continue
        if message := format_problem(formats.get(name, ""), kind=kind):
            problems[name] = message
    return problems


STALE_MAPPING = (
    "Someone else changed this force's column mapping after you opened this page, so your "
    "changes have not been saved. Check the mapping as it is now."
)


def _locked_mapping(force: PoliceForce) -> ColumnMapping | None:
    return ColumnMapping.objects.select_for_update().filter(force=force).first()


def save_mapping(
    actor: Actor,
    force: PoliceForce,
    *,
    columns: Mapping[str, str],
    category_values: Mapping[str, list[str]],
    risk_values: Mapping[str, list[str]],
    formats: Mapping[str, str],
    version: int | None,
    headers: list[str] | None = None,
) -> ColumnMapping:
    """Create or change a force's mapping. `version` is the one the form was loaded with
    (None for a force that had no mapping); a stale one raises ConflictError."""
    problems = mapping_problems(columns, category_values, risk_values, formats, headers)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        mapping = _locked_mapping(force)
        if (mapping.version if mapping else None) != version:
            raise ConflictError(STALE_MAPPING)
        before = auditor.field_values(mapping) if mapping else {}
        mapping = mapping or ColumnMapping(force=force, version=0)
        mapping.columns = {key: header for key, header in columns.items() if header}
        mapping.category_values = {code: list(v) for code, v in category_values.items() if v}
        mapping.risk_values = {code: list(v) for code, v in risk_values.items() if v}
        mapping.datetime_format = formats.get("datetime_format", "")
        mapping.date_format = formats.get("date_format", "")
        mapping.time_format = formats.get("time_format", "") or "%H:%M"
        mapping.version += 1
        mapping.updated_at = timezone.now()
        mapping.updated_by = actor if getattr(actor, "pk", None) else None
        try:
            # A savepoint: two coordinators saving a force's first mapping at once both find
            # none, and the second insert breaks the force's one-mapping rule.
            with transaction.atomic():
                mapping.save()
        except IntegrityError:
            raise ConflictError(STALE_MAPPING) from None
        changed = auditor.changes(before, auditor.field_values(mapping))
        changed.pop("updated_at", None)
        # Headers and formats are not personal data: kept in plain details.
        auditor.record(
            actor,
            "missing.column_mapping_saved",
            obj=mapping,
            details={"force": force.code, "changes": changed},
        )
    return mapping


# Reading rows.


@dataclass
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"Row {self.row}, column '{self.column}': {self.message}"
        return f"Row {self.row}: {self.message}"


@dataclass
class Row:
    number: int
    reference: str = ""
    category: str = ""
    started_at: dt.datetime | None = None
    reported_at: dt.datetime | None = None
    # Found or returned (a late notification): the episode is closed as it is recorded.
    ended_at: dt.datetime | None = None
    risk_level: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    child_id: str = ""
    problems: list[Problem] = field(default_factory=list)
    # problem | recorded (already, for this same child, who is visible) | ready
    status: str = "ready"
    recorded_episode: Episode | None = None
    # For a row already recorded: how the extract differs from the episode as recorded.
    differences: list[str] = field(default_factory=list)
    # exact | likely | none (for ready rows)
    match: str = ""
    candidates: list[matching.Candidate] = field(default_factory=list)
    cannot_create: str = ""
    # An earlier row of this file with the same person id, which creates that child.
    same_new_child_as: int | None = None
    # The open episode of each candidate child that has one (child pk -> episode): the
    # notification would be merged into it (services.record_notification).
    open_episodes: dict[int, Episode] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def choices(self) -> list[str]:
        """The answers the coordinator may give for this row."""
        values = [f"child:{candidate.child.pk}" for candidate in self.candidates]
        if self.match != "exact" and not self.cannot_create:
            values.append("new")
        return [*values, "skip"]

    def default_choice(self) -> str:
        """Only a certain match (the same person id) is chosen for the coordinator; a new
        child never is. A row that can only be left out is left out."""
        if self.match == "exact":
            return f"child:{self.candidates[0].child.pk}"
        if self.choices() == ["skip"]:
            return "skip"
        return ""

    def offered(self) -> str:
        """A digest of the answers offered for this row (the children, in order, with
        their person ids and scores, and whether a new child may be created): posted with
        the answers, so that recording can tell the register changed since the
        coordinator read the row."""
        shown = ",".join(
            f"{candidate.child.pk}:{candidate.child.child_id}:{candidate.score}"
            for candidate in self.candidates
        )
        # The open episodes too: the preview says what merging does to each.
        merges = ",".join(
            f"{pk}:{episode.pk}:{episode.started_at.isoformat()}:{episode.risk_level}"
            for pk, episode in sorted(self.open_episodes.items())
        )
        text = f"{self.number}|{self.match}|{','.join(self.choices())}|{shown}|{merges}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _cell(cells: list[str], index: dict[str, int], header: str | None) -> str:
    if not header or header not in index:
        return ""
    position = index[header]
    return cells[position].strip() if position < len(cells) else ""


def _parse_instant(text: str, fmt: str, row: Row, column: str, what: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.strptime(text, fmt)
    except ValueError as problem:
        if "does not match format" in str(problem) or "unconverted data" in str(problem):
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} is not a {what} in the form {SAMPLE.strftime(fmt.replace('%z', ''))} "
                    "(this force's mapping)",
                )
            )
        else:
            row.problems.append(Problem(row.number, column, f"{text} is not a real date"))
        return None
    if parsed.tzinfo is not None:
        instant = parsed.astimezone(UTC)
    else:
        try:
            instant = from_london(parsed)
        except SkippedLocalTime:
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} did not happen in the UK: the clocks went forward an hour that "
                    "night. Ask the police for the right time",
                )
            )
            return None
        except RepeatedLocalTime:
            row.problems.append(
                Problem(
                    row.number,
                    column,
                    f"{text} happened twice in the UK: the clocks went back an hour that night, "
                    "and the file does not say which. Record this notification with the form, "
                    "which asks which one",
                )
            )
            return None
    if instant > timezone.now():
        row.problems.append(Problem(row.number, column, f"{text} is in the future"))
        return None
    return instant


def _lookup(values: Mapping[str, list[str]], text: str) -> str | None:
    for code, texts in values.items():
        if text.lower() in (t.lower() for t in texts):
            return code
    return None


def parse(mapping: ColumnMapping, content: bytes) -> list[Row]:
    """Every row of the file, each with its values read and its problems named.

    Raises MappingMismatch when the mapping names a header the file does not have."""
    headers, body = read_table(content)
    columns = mapping.columns
    missing = [header for header in columns.values() if header not in headers]
    if missing:
        raise MappingMismatch(
            f"This file has no column '{missing[0]}', which the saved mapping for "
            f"{mapping.force} uses. Choose the column for each field.",
            [h for h in headers if h],
        )
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        index.setdefault(header, position)
    return [_parse_row(mapping, headers, index, number, cells) for number, cells in body]


def _parse_row(
    mapping: ColumnMapping, headers: list[str], index: dict[str, int], number: int, cells: list[str]
) -> Row:
    columns = mapping.columns
    row = Row(number)
    value = {key: _cell(cells, index, columns.get(key)) for key in LABELS}
    refused_keys: set[str] = set()
    for key, header in columns.items():
        # Every field read from the file is one line; spaces, tabs and line breaks around
        # a value are removed, so only those inside it are refused.
        raw = cells[index[header]] if index.get(header, len(cells)) < len(cells) else ""
        if (refused := refused_inside_one_line(raw)) is not None:
            row.problems.append(
                Problem(number, header, f"has {refused}: the value must be on one line")
            )
            value[key] = ""
            refused_keys.add(key)

    def need(key: str) -> str:
        if not value[key] and key not in refused_keys:
            row.problems.append(Problem(number, columns[key], "is empty"))
        return value[key]

    row.reference = need("police_reference")
    if len(row.reference) > 64:
        row.problems.append(
            Problem(number, columns["police_reference"], "is longer than 64 characters")
        )
    row.given_name = need("given_name")
    row.family_name = need("family_name")
    row.child_id = value["child_id"][:64]
    if text := need("category"):
        row.category = _lookup(mapping.category_values, text) or ""
        if not row.category:
            row.problems.append(
                Problem(
                    number,
                    columns["category"],
                    f"'{text}' is not a value this force's mapping reads as missing or "
                    "absent. Add it on the mapping page, or correct the file",
                )
            )
    if text := value["risk_level"]:
        row.risk_level = _lookup(mapping.risk_values, text) or ""
        if not row.risk_level:
            row.problems.append(
                Problem(
                    number,
                    columns["risk_level"],
                    f"'{text}' is not a risk grade in this force's mapping. Add it on the "
                    "mapping page, or correct the file",
                )
            )
    if "last_seen" in columns:
        if text := need("last_seen"):
            row.started_at = _parse_instant(
                text, mapping.datetime_format, row, columns["last_seen"], "date and time"
            )
    else:
        day, time = need("last_seen_date"), need("last_seen_time")
        if day and time:
            column = f"{columns['last_seen_date']}' and '{columns['last_seen_time']}"
            row.started_at = _parse_instant(
                f"{day} {time}",
                f"{mapping.date_format} {mapping.time_format}",
                row,
                column,
                "date and time",
            )
    if text := value["reported_at"]:
        row.reported_at = _parse_instant(
            text, mapping.datetime_format, row, columns["reported_at"], "date and time"
        )
        if row.reported_at and row.started_at and row.reported_at < row.started_at:
            row.problems.append(
                Problem(
                    number,
                    columns["reported_at"],
                    f"{text} is before the child was last seen",
                )
            )
    if text := value["found_at"]:
        row.ended_at = _parse_instant(
            text, mapping.datetime_format, row, columns["found_at"], "date and time"
        )
        if row.ended_at and row.started_at and row.ended_at < row.started_at:
            row.problems.append(
                Problem(number, columns["found_at"], f"{text} is before the child was last seen")
            )
            row.ended_at = None
    if text := value["date_of_birth"]:
        column = columns["date_of_birth"]
        try:
            row.date_of_birth = dt.datetime.strptime(text, mapping.date_format).date()
        except ValueError as problem:
            if "does not match format" in str(problem) or "unconverted" in str(problem):
                example = SAMPLE.strftime(mapping.date_format)
                message = f"{text} is not a date in the form {example} (this force's mapping)"
            else:
                message = f"{text} is not a real date"
            row.problems.append(Problem(number, column, message))
        else:
            if row.date_of_birth > local_date(timezone.now()):
                row.problems.append(Problem(number, column, f"{text} is in the future"))
                row.date_of_birth = None
            elif row.started_at and local_date(row.started_at) < row.date_of_birth:
                row.problems.append(
                    Problem(number, column, f"{text} is after the child was last seen")
                )
    if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]):
        row.problems.append(
            Problem(
                number,
                "",
                f"has {len(cells)} cells but the header has {len(headers)}: check for a "
                "stray comma",
            )
        )
    # In the order of the file's columns, as the coordinator reads across the row.
    row.problems.sort(key=lambda problem: index.get(problem.column.split("'")[0], len(headers)))
    if row.problems:
        row.status = "problem"
    return row


# The preview.


@dataclass
class Preview:
    upload: PoliceUpload
    mapping: ColumnMapping
    rows: list[Row]
    # Restricted children the user cannot open whom a row named (by person id or by a
    # reference recorded for them): refused, and audited as such, never shown.
    refused: dict[int, Child] = field(default_factory=dict)

    def of(self, status: str) -> list[Row]:
        return [row for row in self.rows if row.status == status]

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    def counts(self) -> dict[str, int]:
        ready = self.of("ready")
        return {
            "rows": len(self.rows),
            "problem": len(self.of("problem")),
            "recorded": len(self.of("recorded")),
            "ready": len(ready),
            "exact": sum(row.match == "exact" for row in ready),
            "likely": sum(row.match == "likely" for row in ready),
            "none": sum(row.match == "none" for row in ready),
        }

    def children_shown(self) -> list[int]:
        shown = {c.child.pk for row in self.rows for c in row.candidates}
        shown |= {row.recorded_episode.child_id for row in self.rows if row.recorded_episode}
        return sorted(shown)


def mapping_for(force: PoliceForce) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(force=force).select_related("force").first()


def build_preview(upload: PoliceUpload, user: Any) -> Preview:
    """Parse the held file with its force's mapping, then flag repeats and references
    already recorded and propose a child for every row that can be recorded.

    Raises MappingMismatch when there is no mapping or it does not fit the file. A bounded
    number of queries: two for references, two for person ids, one per POOL_CHUNK rows
    for likely matches."""
    mapping = mapping_for(upload.force)
    content = bytes(upload.content)
    if mapping is None:
        headers, _ = read_table(content)
        raise MappingMismatch(
            f"There is no column mapping for {upload.force} yet. Choose the column for each "
            "field: Harbour saves it for this force's next extract.",
            [h for h in headers if h],
        )
    rows = parse(mapping, content)
    reference_column = mapping.columns["police_reference"]
    first_row: dict[str, int] = {}
    for row in rows:
        if not row.reference:
            continue
        earlier = first_row.setdefault(row.reference.lower(), row.number)
        if earlier != row.number:
            row.problems.append(
                Problem(
                    row.number,
                    reference_column,
                    f"{row.reference} is also on row {earlier}: a reference can be recorded "
                    f"once, so only row {earlier} is used",
                )
            )
            row.status = "problem"
    refused: dict[int, Child] = {}
    _mark_recorded(rows, user, reference_column, refused)
    ready = [row for row in rows if row.status == "ready"]
    _match_exact(ready, user, refused)
    _match_likely([row for row in ready if not row.match], user)
    _attach_open_episodes(ready)
    return Preview(upload=upload, mapping=mapping, rows=rows, refused=refused)


def _attach_open_episodes(rows: list[Row]) -> None:
    """Each candidate child's open episode (the earliest, as recording merges into it), in
    one query."""
    children = {candidate.child.pk for row in rows for candidate in row.candidates}
    if not children:
        return
    earliest: dict[int, Episode] = {}
    for episode in (
        Episode.objects.filter(child_id__in=children, ended_at__isnull=True)
        .only("episode_id", "child_id", "started_at", "risk_level")
        .order_by("started_at", "pk")
    ):
        earliest.setdefault(episode.child_id, episode)
    for row in rows:
        row.open_episodes = {
            candidate.child.pk: earliest[candidate.child.pk]
            for candidate in row.candidates
            if candidate.child.pk in earliest
        }


def record_refusals(actor: Actor, preview: Preview, path: str) -> None:
    """`children.restricted_refused` for each restricted child a row named, as
    harbour.children.views.refuse_restricted records a refused page."""
    for child in preview.refused.values():
        auditor.record(actor, "children.restricted_refused", obj=child, details={"path": path})


# A row without a person id is the episode's child when its names and date of birth score
# at least this: both names within a letter and the same date of birth, or both names the
# same (see matching.py's points).
SAME_CHILD_SCORE = 2 * matching.ONE_LETTER + matching.SAME_BIRTH
EPISODE_COLUMNS = ("episode_id", "child_id", "category", "risk_level")
CHILD_COLUMNS = ("child_id", "given_name", "family_name", "date_of_birth", "restricted")


def _mark_recorded(
    rows: list[Row], user: Any, reference_column: str, refused: dict[int, Child]
) -> None:
    """A reference already recorded is "already recorded" only for the same child, and
    only a child the user can see; otherwise the row is a problem naming no one."""
    from harbour.accounts.permissions import visible_children

    references = {row.reference for row in rows if row.status == "ready"}
    if not references:
        return
    by_reference: dict[str, Episode] = {}
    for episode in (
        Episode.objects.filter(episode_id__in=references)
        .select_related("child")
        .only(*EPISODE_COLUMNS, *(f"child__{name}" for name in CHILD_COLUMNS))
    ):
        by_reference[episode.episode_id] = episode
    for ref in (
        NotificationReference.objects.filter(reference__in=references)
        .select_related("episode__child")
        .only(
            "reference",
            *(f"episode__{name}" for name in EPISODE_COLUMNS),
            *(f"episode__child__{name}" for name in CHILD_COLUMNS),
        )
    ):
        by_reference.setdefault(ref.reference, ref.episode)
    if not by_reference:
        return
    owners = {episode.child_id for episode in by_reference.values()}
    visible = set(visible_children(user).filter(pk__in=owners).values_list("pk", flat=True))
    for row in rows:
        episode = by_reference.get(row.reference) if row.status == "ready" else None
        if episode is None:
            continue
        child = episode.child
        if child.pk in visible and _same_child(row, child):
            row.status = "recorded"
            row.recorded_episode = episode
            row.differences = _differences(row, episode)
            continue
        if child.pk not in visible and child.restricted:
            refused[child.pk] = child
        row.problems.append(
            Problem(
                row.number,
                reference_column,
                f"police reference {row.reference} is already recorded for a different "
                "child. Check the reference.",
            )
        )
        row.status = "problem"


def _same_child(row: Row, child: Child) -> bool:
    if row.child_id:
        return row.child_id.lower() == child.child_id.lower()
    found = matching.score(row.given_name, row.family_name, row.date_of_birth, child)
    return found is not None and found.score >= SAME_CHILD_SCORE


def _differences(row: Row, episode: Episode) -> list[str]:
    """What the extract says that the episode does not: recording it again changes
    nothing, so the coordinator amends the episode if the extract is right."""
    labels = {**dict(Category.choices), **dict(RiskLevel.choices)}
    found = []
    for what, recorded, extract in (
        ("missing or absent", episode.category, row.category),
        ("risk grade", episode.risk_level, row.risk_level),
    ):
        if extract and recorded != extract:
            found.append(
                f"{what} differs: recorded {labels.get(recorded, 'nothing')}, extract "
                f"{labels[extract]} — amend the episode to change it"
            )
    return found


def _match_exact(rows: list[Row], user: Any, refused: dict[int, Child]) -> None:
    from harbour.accounts.permissions import visible_children

    wanted = {row.child_id.lower() for row in rows if row.child_id}
    if not wanted:
        return
    visible = {
        child.child_id.lower(): child
        for child in visible_children(user)
        .annotate(lowered=Lower("child_id"))
        .filter(lowered__in=wanted)
        .only("child_id", "given_name", "family_name", "date_of_birth", "restricted")
    }
    existing = {
        child.lowered: child
        for child in Child.objects.annotate(lowered=Lower("child_id"))
        .filter(lowered__in=wanted)
        .exclude(lowered__in=list(visible))
        .only("child_id", "restricted")
    }
    for row in rows:
        key = row.child_id.lower()
        if key in visible:
            row.match = "exact"
            row.candidates = [
                matching.Candidate(visible[key], matching.CERTAIN, ["Same person id"])
            ]
        elif key in existing:
            if existing[key].restricted:
                refused[existing[key].pk] = existing[key]
            row.cannot_create = (
                f"A child with person id {row.child_id} is already on the register, but their "
                "record is restricted and not open to you: ask someone on its access list to "
                "record this notification"
            )


def _match_likely(rows: list[Row], user: Any) -> None:
    """Likely matches by name and date of birth, ranked as matching.find_candidates ranks
    them, for many rows with one query per POOL_CHUNK rows."""
    from harbour.accounts.permissions import visible_children

    rows = [row for row in rows if row.given_name and row.family_name]
    for start in range(0, len(rows), POOL_CHUNK):
        chunk = rows[start : start + POOL_CHUNK]
        narrowings = [
            matching.Narrowing.of(row.family_name, row.date_of_birth, row.given_name)
            for row in chunk
        ]
        wanted = Q(pk__in=[])
        for narrowing in narrowings:
            wanted |= narrowing.q()
        pool = list(visible_children(user).filter(wanted).only(*matching.MATCH_COLUMNS))
        for row, narrowing in zip(chunk, narrowings, strict=True):
            scored = (
                matching.score(row.given_name, row.family_name, row.date_of_birth, child)
                for child in pool
                if narrowing.admits(child)
            )
            found = matching.ranked([candidate for candidate in scored if candidate is not None])
            row.candidates = found
            row.match = "likely" if found else "none"
    for row in rows:
        if row.match and row.match != "exact" and not row.cannot_create:
            row.cannot_create = _cannot_create(row)
    new_ids: dict[str, int] = {}
    for row in rows:
        if row.child_id and not row.cannot_create:
            first = new_ids.setdefault(row.child_id.lower(), row.number)
            if first != row.number:
                row.same_new_child_as = first


def _cannot_create(row: Row) -> str:
    # Without a person id the new child is given a Harbour id, as on the form.
    if row.date_of_birth is None:
        return (
            "A new child cannot be created from this row: it has no date of birth. "
            "Record this notification with the form instead"
        )
    return ""


# Recording.


@dataclass
class CommitResult:
    created: int = 0
    merged: int = 0
    new_children: int = 0
    skipped: int = 0
    episodes: list[int] = field(default_factory=list)
    # Episodes recorded that overlap other episodes of their child, as the form's episode
    # page warns: [{"rows": [row numbers], "episode": pk, "others": [pks]}], in file order.
    overlapping: list[dict[str, list[int] | int]] = field(default_factory=list)

    def note_overlaps(self, number: int, episode: Episode, others: list[Episode]) -> None:
        entry = next((e for e in self.overlapping if e["episode"] == episode.pk), None)
        if entry is None:
            if not others:
                return
            entry = {"rows": [], "episode": episode.pk, "others": []}
            self.overlapping.append(entry)
        entry["rows"] = [*entry["rows"], number]
        entry["others"] = sorted({*entry["others"], *(other.pk for other in others)})

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "merged": self.merged,
            "new_children": self.new_children,
            "skipped": self.skipped,
        }


def commit(
    actor: Any,
    upload: PoliceUpload,
    *,
    choices: Mapping[int, str],
    sexes: Mapping[int, str],
    mapping_version: int,
    offered: Mapping[int, str],
    preview: Preview | None = None,
) -> CommitResult:
    """Record every row the coordinator chose, in one transaction, or nothing.

    choices: {row number: "child:<pk>" | "new" | "skip"} for every ready row (as checked by
    the preview form); sexes: {row number: sex code} for new children; offered: {row
    number: Row.offered()} as the coordinator was shown it. preview: the file as read now
    (built for this request; built here if not given). Raises CommitRefused, with every
    reason, when anything has changed since the preview or a row cannot be recorded;
    nothing is then written."""
    preview = preview or build_preview(upload, actor)
    if preview.mapping.version != mapping_version:
        raise CommitRefused(
            [
                "The column mapping for this force was changed after this preview was shown, "
                "so the rows may read differently. Nothing has been saved: check the preview "
                "again."
            ]
        )
    if changed_rows(preview, offered):
        raise CommitRefused([f"{REGISTER_CHANGED} Nothing has been saved."])
    problems = []
    for number, choice in choices.items():
        row = next((r for r in preview.rows if r.number == number), None)
        if row is None or choice == "skip":
            continue
        if row.status == "recorded":
            problems.append(
                f"Row {number}: police reference {row.reference} was recorded by someone else "
                "after this preview was shown"
            )
        elif row.status != "ready" or choice not in row.choices():
            problems.append(
                f"Row {number}: the matches for this row have changed since this preview was shown"
            )
    if problems:
        raise CommitRefused([*problems, "Nothing has been saved: check the preview again."])
    result = CommitResult()
    received = upload.uploaded_at
    try:
        with transaction.atomic():
            locked = PoliceUpload.objects.select_for_update().filter(pk=upload.pk).first()
            if locked is None:
                raise CommitRefused(["This file has already been recorded or discarded."])
            created_children: dict[str, Child] = {}
            children = set()
            for row in preview.rows:
                choice = choices.get(row.number, "skip") if row.status == "ready" else ""
                if choice in ("", "skip"):
                    result.skipped += row.status == "ready"
                    continue
                try:
                    child = _child_for(actor, row, choice, sexes, created_children, result)
                    outcome = services.record_notification(
                        actor,
                        child=child,
                        police_reference=row.reference,
                        category=row.category,
                        started_at=row.started_at,
                        reported_at=row.reported_at,
                        notified_at=received if received >= row.started_at else None,
                        risk_level=row.risk_level,
                        ended_at=row.ended_at,
                    )
                except ValidationError as problem:
                    raise CommitRefused(
                        [f"Row {row.number}: {_describe(problem)}", "Nothing has been saved."]
                    ) from None
                if outcome.repeated:
                    raise CommitRefused(
                        [
                            f"Row {row.number}: police reference {row.reference} was recorded "
                            "by someone else after this preview was shown",
                            "Nothing has been saved: check the preview again.",
                        ]
                    )
                children.add(child.pk)
                result.episodes.append(outcome.episode.pk)
                result.note_overlaps(row.number, outcome.episode, outcome.overlapping)
                if outcome.merged:
                    result.merged += 1
                else:
                    result.created += 1
            auditor.record(
                actor,
                "missing.police_upload_committed",
                obj=locked,
                children=sorted(children),
                details={"force": upload.force.code, **preview.counts(), **result.counts()},
            )
            locked.delete()
    except IntegrityError:
        raise CommitRefused(
            [
                "Someone else recorded one of these notifications or children at the same "
                "time. Nothing has been saved: check the preview again."
            ]
        ) from None
    return result


REGISTER_CHANGED = (
    "Someone changed the register while you were checking this file: check the rows again."
)


def changed_rows(preview: Preview, offered: Mapping[int, str]) -> list[int]:
    """The rows that can be recorded whose answers are not the ones the coordinator was
    offered (a child registered, changed or restricted meanwhile; a row newly ready)."""
    return [row.number for row in preview.of("ready") if offered.get(row.number) != row.offered()]


def _child_for(
    actor: Any,
    row: Row,
    choice: str,
    sexes: Mapping[int, str],
    created: dict[str, Child],
    result: CommitResult,
) -> Child:
    if choice.startswith("child:"):
        pk = int(choice.split(":", 1)[1])
        return next(c.child for c in row.candidates if c.child.pk == pk)
    # Rows with the same person id are one new child; each row without one is its own.
    key = row.child_id.lower() or f"row {row.number}"
    if key in created:
        return created[key]
    sex = sexes.get(row.number) or Sex.UNKNOWN
    try:
        child = save_child(
            actor,
            Child(
                child_id=row.child_id or services.harbour_child_id(),
                given_name=row.given_name,
                family_name=row.family_name,
                date_of_birth=row.date_of_birth,
                sex=sex if sex in Sex.values else Sex.UNKNOWN,
            ),
        )
    except ValidationError as problem:
        if "child_id" in getattr(problem, "error_dict", {}):
            raise ValidationError(
                f"a child with the person id {row.child_id} is already on the register, or the "
                "id is not valid"
            ) from None
        raise
    created[key] = child
    result.new_children += 1
    return child


SERVICE_FIELDS = {
    "started_at": "Last seen",
    "reported_at": "Reported to the police",
    "notified_at": "Notification received",
    "ended_at": "Found or returned",
    "police_reference": "Police reference",
    "date_of_birth": "Date of birth",
}


def _describe(problem: ValidationError) -> str:
    if hasattr(problem, "error_dict"):
        return " ".join(
            f"{SERVICE_FIELDS.get(name, name.replace('_', ' '))}: {' '.join(messages)}"
            if name != "__all__"
            else " ".join(messages)
            for name, messages in problem.message_dict.items()
        )
    return " ".join(problem.messages)
