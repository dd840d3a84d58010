"""Import a council's SSDA903 folder into the register: all or nothing, idempotent.

What is written (docs/returns.md, "SSDA903 in and out"):

- **Children**, matched by the 903 CHILD against the register's person id
  (`Child.child_id`, "the case-management system's id"): CHILD is the authority's own
  identifier for the child in its case-management system, the same id the interchange
  import matches on (harbour/interchange/tables.py, children.csv). A child not in the
  register is created from header.csv (DOB, SEX 1/2 as M/F, ETHNIC); a child in it has
  its date of birth, sex and, when given, ethnicity brought into line with the header.
  Names are not in the 903 and are left as they are.
- **Looked-after periods**: one LegalStatus LAC per 903 episode (start DECOM, end DEC,
  placement from PLACE as codes.py maps it, responsible authority this authority),
  matched by child and start date; a blank DEC or PLACE never clears a known end or
  placement. Statuses the folder does not name are left alone.
- **Missing episodes**: each missing row (M: MISSING, A: ABSENT) is an episode that
  starts at local midnight (Europe/London) of MIS_START and ends at local midnight of
  MIS_END (open while MIS_END is blank), marked `date_only`. Matched by child, category
  and local start date: a date-only episode found is given the row's end when it has one
  (a blank MIS_END means still missing on 31 March of that return's year, so it never
  reopens an episode); an episode recorded with real times (from a police notification)
  is left exactly as it is.

A row that cannot be read (an impossible date, an unknown code, a missing required value,
a child in no header and not in the register) refuses the whole import, with every
problem as `file:line:column: message`. So does a date in the future: the register records
what has happened, and a child "missing" from a date to come would be on every
coordinator's list of children missing now.

A missing row that reads but breaks one of the DfE's missing rules is imported as it is,
for the data quality worklist (rules.py, data_quality.py) to list until someone amends it,
because that is how councils find and fix them: an end before its start (rule 567), a start
before the child's birth (586), the same child, code and start date twice or overlapping
episodes (574), an episode outside care (577, 578). Each of the first three is also a
warning of the import, naming its row (the worklist checks only the episodes of a year's
return, those open while the child was looked after, which an episode before birth seldom
is). A looked-after period ending before it starts, or
starting on the same date as another of the child's, is refused: no missing rule would list
it, so nothing would lead anyone to it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.children.models import Child, Ethnicity, LegalStatus, LegalStatusKind
from harbour.common.progress import NO_PROGRESS, Progress
from harbour.common.text import refused_character
from harbour.common.time import from_london, local_date
from harbour.missing.models import Episode

from .codes import MISSING_TO_CATEGORY, PLACE_TO_PLACEMENT, SEX_TO_REGISTER
from .reader import read_folder
from .tables import Row, parse_date

EPISODE_ID_LENGTH = 64
LOOKUP_CHUNK = 2000
_LISTED = "imported as it is and listed on the data quality worklist"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, Counts] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Child:
    row: Row
    child_id: str
    date_of_birth: dt.date
    sex: str
    ethnicity: str


@dataclass(frozen=True)
class _Period:
    row: Row
    child_id: str
    start: dt.date
    end: dt.date | None
    placement: str


@dataclass(frozen=True)
class _Missing:
    row: Row
    child_id: str
    category: str
    start: dt.date
    end: dt.date | None


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[str, int, str]] = []

    def add(self, row: Row, column: str, message: str) -> None:
        source = row.source
        self.found.append(
            (source.file, source.line, f"{source.file}:{source.line}:{column}: {message}")
        )

    @property
    def count(self) -> int:
        return len(self.found)

    def in_reading_order(self, files: list[str]) -> list[str]:
        """File by file as they were read, line by line within each."""
        order = {name: position for position, name in enumerate(files)}
        ranked = sorted(self.found, key=lambda item: (order.get(item[0], len(order)), item[1]))
        return [message for _, _, message in ranked]


def import_ssda903(
    folder: Path | str, actor: auditor.Actor = None, *, progress: Progress = NO_PROGRESS
) -> ImportResult:
    """Import the folder; `progress` (for a command on a terminal) is told each stage, the
    rows checked and the records written."""
    folder = Path(folder)
    actor = actor or f"command line ({getpass.getuser()})"
    progress.stage(f"reading {folder.name or folder}")
    read = read_folder(folder)
    result = ImportResult(warnings=list(read.warnings))
    if not read.ok:
        result.errors = read.errors
        return result
    problems = _Problems()
    warnings = _Problems()
    today = local_date(timezone.now())
    children = _children(read.tables.header, problems, today, progress)
    periods = _periods(read.tables.episodes, problems, progress)
    missing = _missing(read.tables.missing, problems, warnings, today, progress)
    referring: list[_Period | _Missing] = [*periods, *missing]
    named = {item.child_id for item in referring} | set(children)
    stored = {
        child.child_id: child
        for chunk in _chunks(named)
        for child in Child.objects.filter(child_id__in=chunk)
    }
    header_name = read.files[0] if read.files else "header.csv"
    # A child whose header row was refused is reported there, not again where it is named.
    in_header = {row["CHILD"] for row in read.tables.header}
    for item in referring:
        if item.child_id not in in_header and item.child_id not in stored:
            problems.add(
                item.row,
                "CHILD",
                f"child {item.child_id} is neither in {header_name} nor in the register",
            )
    for item in missing:
        born = (
            children[item.child_id].date_of_birth
            if item.child_id in children
            else stored[item.child_id].date_of_birth
            if item.child_id in stored
            else None
        )
        if born is not None and item.start < born:
            warnings.add(
                item.row,
                "MIS_START",
                f"is before the child's date of birth ({born:%d/%m/%Y}); imported as it is "
                "(rule 586): amend the episode or the child's date of birth",
            )
    result.warnings += warnings.in_reading_order(read.files)
    if problems.count:
        result.errors = problems.in_reading_order(read.files)
        return result
    try:
        with transaction.atomic():
            child_pks = _write_children(children, stored, result, progress)
            _write_periods(periods, child_pks, result, progress)
            _write_missing(missing, child_pks, result, progress)
            auditor.record(
                actor,
                "returns.ssda903_import",
                details={
                    "folder": str(folder),
                    "format": read.format,
                    "sha256": {name: _sha256(folder / name) for name in read.files},
                    "rows": {
                        "header": len(read.tables.header),
                        "episodes": len(read.tables.episodes),
                        "missing": len(read.tables.missing),
                    },
                    "counts": {name: vars(count) for name, count in result.counts.items()},
                },
            )
    except IntegrityError as error:
        result.errors = [f"{folder}:0:-: could not be stored, nothing was imported: {error}"]
        result.counts = {}
    return result


# Reading each row's values ---------------------------------------------------------------


def _date(row: Row, column: str, problems: _Problems, *, required: bool) -> dt.date | None:
    text = row[column]
    if not text:
        if required:
            problems.add(row, column, "is required")
        return None
    day = parse_date(text)
    if day is None:
        problems.add(row, column, "is not a real date in the form dd/mm/YYYY")
    return day


def _code(
    row: Row, column: str, allowed: Iterable[str], problems: _Problems, *, required: bool
) -> str | None:
    text = row[column].upper()
    if not text:
        if required:
            problems.add(row, column, "is required")
        return None
    allowed = sorted(allowed)
    if text not in allowed:
        problems.add(row, column, f"is not a 903 code the register knows ({', '.join(allowed)})")
        return None
    return text


def _child_id(row: Row, problems: _Problems) -> str | None:
    child_id = row["CHILD"]
    if not child_id:
        problems.add(row, "CHILD", "is required")
        return None
    if (refused := refused_character(child_id)) is not None:
        # Named by position, never printed back to a terminal.
        problems.add(row, "CHILD", f"contains {refused}")
        return None
    if len(child_id) > Child._meta.get_field("child_id").max_length:  # type: ignore[operator]
        problems.add(row, "CHILD", "is longer than the register's person ids (64 characters)")
        return None
    return child_id


def _children(
    rows: list[Row], problems: _Problems, today: dt.date, progress: Progress
) -> dict[str, _Child]:
    found: dict[str, _Child] = {}
    progress.stage("checking header", total=len(rows))
    for row in rows:
        progress.advance()
        count = problems.count
        child_id = _child_id(row, problems)
        born = _date(row, "DOB", problems, required=True)
        sex = _code(row, "SEX", SEX_TO_REGISTER, problems, required=True)
        ethnicity = _code(row, "ETHNIC", Ethnicity.values, problems, required=False)
        if born is not None and born > today:
            problems.add(row, "DOB", "is in the future")
        if child_id is not None and child_id in found:
            problems.add(
                row, "CHILD", f"repeats child {child_id} of line {found[child_id].row.source.line}"
            )
            continue
        if problems.count > count:
            continue
        assert child_id is not None and born is not None and sex is not None
        found[child_id] = _Child(row, child_id, born, SEX_TO_REGISTER[sex], ethnicity or "")
    return found


def _periods(rows: list[Row], problems: _Problems, progress: Progress) -> list[_Period]:
    found: list[_Period] = []
    seen: dict[tuple[str, dt.date], int] = {}
    progress.stage("checking episodes", total=len(rows))
    for row in rows:
        progress.advance()
        count = problems.count
        child_id = _child_id(row, problems)
        start = _date(row, "DECOM", problems, required=True)
        end = _date(row, "DEC", problems, required=False)
        place = _code(row, "PLACE", PLACE_TO_PLACEMENT, problems, required=False)
        if start is not None and end is not None and end < start:
            problems.add(row, "DEC", "is before DECOM; the register cannot hold such a period")
        if child_id is not None and start is not None:
            if (child_id, start) in seen:
                problems.add(
                    row,
                    "DECOM",
                    f"repeats the start of line {seen[child_id, start]} for child {child_id}",
                )
            seen.setdefault((child_id, start), row.source.line)
        if problems.count > count:
            continue
        assert child_id is not None and start is not None
        placement = PLACE_TO_PLACEMENT[place] if place else ""
        found.append(_Period(row, child_id, start, end, placement))
    return found


def _missing(
    rows: list[Row], problems: _Problems, warnings: _Problems, today: dt.date, progress: Progress
) -> list[_Missing]:
    found: list[_Missing] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    progress.stage("checking missing", total=len(rows))
    for row in rows:
        progress.advance()
        count = problems.count
        child_id = _child_id(row, problems)
        _date(row, "DOB", problems, required=False)
        code = _code(row, "MISSING", MISSING_TO_CATEGORY, problems, required=True)
        start = _date(row, "MIS_START", problems, required=True)
        end = _date(row, "MIS_END", problems, required=False)
        for column, day in (("MIS_START", start), ("MIS_END", end)):
            if day is not None and day > today:
                problems.add(row, column, "is in the future")
        if problems.count > count:
            continue
        assert child_id is not None and code is not None and start is not None
        if end is not None and end < start:
            warnings.add(row, "MIS_END", f"is before MIS_START; {_LISTED} (rule 567)")
        key = (child_id, code, start)
        if key in seen:
            warnings.add(
                row,
                "MIS_START",
                f"repeats line {seen[key]} (the same child, MISSING code and start date); "
                f"{_LISTED} (rule 574)",
            )
        seen.setdefault(key, row.source.line)
        found.append(_Missing(row, child_id, MISSING_TO_CATEGORY[code], start, end))
    return found


# Writing ---------------------------------------------------------------------------------


def _write_children(
    children: dict[str, _Child], stored: dict[str, Child], result: ImportResult, progress: Progress
) -> dict[str, int]:
    counts = result.counts.setdefault("children", Counts())
    new: list[Child] = []
    changed: list[Child] = []
    for item in children.values():
        values = {"date_of_birth": item.date_of_birth, "sex": item.sex}
        if item.ethnicity:
            values["ethnicity"] = item.ethnicity
        child = stored.get(item.child_id)
        if child is None:
            child = Child(child_id=item.child_id, **values)
            child.refresh_derived()
            new.append(child)
        elif any(getattr(child, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(child, name, value)
            child.refresh_derived()
            child.version += 1
            changed.append(child)
        else:
            counts.unchanged += 1
    progress.stage("writing children", total=len(new) + len(changed))
    for chunk in _chunks(new):
        Child.objects.bulk_create(chunk)
        progress.advance(len(chunk))
    for chunk in _chunks(changed):
        Child.objects.bulk_update(
            chunk, ["date_of_birth", "sex", "ethnicity", "birth_ymd", "version"]
        )
        progress.advance(len(chunk))
    counts.created, counts.updated = len(new), len(changed)
    keys = set(stored) | set(children)
    return {
        child_id: pk
        for chunk in _chunks(keys)
        for child_id, pk in Child.objects.filter(child_id__in=chunk).values_list("child_id", "pk")
    }


def _write_periods(
    periods: list[_Period], child_pks: dict[str, int], result: ImportResult, progress: Progress
) -> None:
    counts = result.counts.setdefault("looked_after", Counts())
    authority = settings.LOCAL_AUTHORITY_CODE or ""
    existing = {
        (status.child_id, status.start_date): status
        for chunk in _chunks({child_pks[period.child_id] for period in periods})
        for status in LegalStatus.objects.filter(child__in=chunk, status=LegalStatusKind.LAC)
    }
    new: list[LegalStatus] = []
    changed: list[LegalStatus] = []
    for period in periods:
        child_pk = child_pks[period.child_id]
        status = existing.get((child_pk, period.start))
        values: dict[str, Any] = {"responsible_la": authority}
        # A blank DEC (still looked after at the end of that return's year) or PLACE never
        # clears what the register knows.
        if period.end is not None or status is None:
            values["end_date"] = period.end
        if period.placement or status is None:
            values["placement"] = period.placement
        if status is None:
            new.append(
                LegalStatus(
                    child_id=child_pk, status=LegalStatusKind.LAC, start_date=period.start, **values
                )
            )
        elif any(getattr(status, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(status, name, value)
            status.version += 1
            changed.append(status)
        else:
            counts.unchanged += 1
    progress.stage("writing looked-after periods", total=len(new) + len(changed))
    for chunk in _chunks(new):
        LegalStatus.objects.bulk_create(chunk)
        progress.advance(len(chunk))
    for chunk in _chunks(changed):
        LegalStatus.objects.bulk_update(
            chunk, ["end_date", "placement", "responsible_la", "version"]
        )
        progress.advance(len(chunk))
    counts.created, counts.updated = len(new), len(changed)


def local_midnight(day: dt.date) -> dt.datetime:
    """The instant (UTC) a Europe/London date begins. Midnight is never in the hour the
    clocks skip or repeat (they change at 01:00 and 02:00), so it is always one instant."""
    return from_london(dt.datetime(day.year, day.month, day.day))


def _write_missing(
    missing: list[_Missing], child_pks: dict[str, int], result: ImportResult, progress: Progress
) -> None:
    counts = result.counts.setdefault("episodes", Counts())
    # A folder may name the same child, category and start date more than once (rule 574
    # lists them): the n-th such row is the n-th such episode, in the order stored.
    existing: dict[tuple[int, str, dt.date], list[Episode]] = defaultdict(list)
    starts = {item.start for item in missing}
    for chunk in _chunks({child_pks[item.child_id] for item in missing}):
        for stored in Episode.objects.filter(child__in=chunk).order_by("pk"):
            if stored.started_on in starts:
                existing[stored.child_id, stored.category, stored.started_on].append(stored)
    matched: Counter[tuple[int, str, dt.date]] = Counter()
    wanted_ids = {_episode_id(item): item for item in missing}
    taken = {
        reference
        for chunk in _chunks(wanted_ids)
        for reference in Episode.objects.filter(episode_id__in=chunk).values_list(
            "episode_id", flat=True
        )
    }
    new: list[Episode] = []
    changed: list[Episode] = []
    for item in missing:
        child_pk = child_pks[item.child_id]
        ended_at = local_midnight(item.end) if item.end else None
        key = (child_pk, item.category, item.start)
        candidates = existing.get(key, [])
        episode = candidates[matched[key]] if matched[key] < len(candidates) else None
        matched[key] += 1
        if episode is None:
            episode = Episode(
                episode_id=_free_id(_episode_id(item), taken),
                child_id=child_pk,
                category=item.category,
                started_at=local_midnight(item.start),
                ended_at=ended_at,
                date_only=True,
            )
            episode.refresh_derived()
            new.append(episode)
        elif episode.date_only and ended_at is not None and episode.ended_at != ended_at:
            episode.ended_at = ended_at
            episode.refresh_derived()
            episode.version += 1
            changed.append(episode)
        else:
            # Already there. An episode with real times is never overwritten by dates, and
            # a blank MIS_END (still missing at the end of that return's year) never
            # reopens an episode whose end is known.
            counts.unchanged += 1
    progress.stage("writing episodes", total=len(new) + len(changed))
    for chunk in _chunks(new):
        Episode.objects.bulk_create(chunk)
        progress.advance(len(chunk))
    for chunk in _chunks(changed):
        Episode.objects.bulk_update(chunk, ["ended_at", "ended_epoch", "version"])
        progress.advance(len(chunk))
    counts.created, counts.updated = len(new), len(changed)


def _episode_id(item: _Missing) -> str:
    """The episode's reference: the 903 has no police reference, so one that says where
    the episode came from, e.g. 903-C100-M-20250330."""
    reference = f"903-{item.child_id}-{item.row['MISSING'].upper()}-{item.start:%Y%m%d}"
    if len(reference) <= EPISODE_ID_LENGTH - 3:  # room for a "-NN" if taken
        return reference
    digest = hashlib.sha256(reference.encode()).hexdigest()[:16]
    return f"903-{digest}-{item.row['MISSING'].upper()}-{item.start:%Y%m%d}"


def _free_id(reference: str, taken: set[str]) -> str:
    """The reference, or with -2, -3, ... when another episode already has it (one whose
    category or start was changed since an earlier import)."""
    candidate, number = reference, 1
    while candidate in taken:
        number += 1
        candidate = f"{reference}-{number}"
        if Episode.objects.filter(episode_id=candidate).exists():
            taken.add(candidate)
    taken.add(candidate)
    return candidate


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    """The items in lists short enough for one IN (...) on either database."""
    items = list(items)
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
