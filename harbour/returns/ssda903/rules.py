"""The DfE's SSDA903 validation rules that concern the MISSING table, as checks over `Tables`.

Each rule is a small function over a `Context` (the year's tables, indexed by child once)
returning the rows that fail it. `RULES` holds them by code with the DfE's message, the
tables and columns each concerns, and `check()` runs them all.

Where the rules come from. The DfE publishes them each year as "Children looked after
return: validation rules" with the technical specifications
(https://www.gov.uk/government/publications/children-looked-after-return-2025-to-2026-technical-specifications).
The open validator that councils use, data-to-insight/csc-validator-be-903, implements each
one in `lac_validator/rules/lac2022_23/rule_NNN.py` (no later year, up to lac2025_26,
overrides these twenty), with the DfE's "description to display" as its message and an
inline test. The messages
here are the validator's, character for character (its typographic quotes are written as
\\u2018 and \\u2019), and each rule's behaviour follows the validator's code and inline
tests; each docstring says where it was read and where Harbour's reading differs. The code
is our own: plain Python over lists, no pandas.

Blank and unreadable values: a cell is blank when it holds nothing but spaces. A date that
is not a real dd/mm/YYYY date counts as absent in date comparisons (as the validator's
`errors="coerce"` does), and is reported by 1004 or 1005 instead.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .tables import Row, Source, Tables, parse_date

VALIDATOR = "data-to-insight/csc-validator-be-903"
MISSING_TYPES = ("M", "A")


@dataclass(frozen=True)
class Failure:
    """One row that breaks one rule: enough for a page to name and link the record."""

    code: str
    message: str
    table: str  # "missing", "episodes" or "header"
    source: Source
    child: str

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "source": str(self.source),
            "code": self.code,
            "message": self.message,
            "table": self.table,
            "child": self.child,
            "file": self.source.file or None,
            "line": self.source.line or None,
            "model": self.source.model or None,
            "pk": self.source.pk,
        }


# The same few thousand dates recur across rows and rules: parse each text once.
_date = lru_cache(maxsize=1 << 16)(parse_date)


def _blank(text: str) -> bool:
    return not (text or "").strip()


def _child(row: Row) -> str:
    return row["CHILD"].strip()


def _birthday(born: dt.date, years: int) -> dt.date:
    """The day a person born on `born` turns `years` (29 February → 28 February)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, day=28)


@dataclass(frozen=True)
class Period:
    """A period of care as the validator builds it (rules 577 and 578): a child's episodes
    in order of DECOM, a new period starting when an episode starts after the previous one
    ended. It starts at its first episode's DECOM and ends at its last episode's DEC (None
    while that episode is open)."""

    start: dt.date
    end: dt.date | None


def periods_of_care(episodes: Iterable[Row]) -> list[Period]:
    dated = [(_date(row["DECOM"]), position, row) for position, row in enumerate(episodes)]
    ordered = sorted(
        ((start, position, row) for start, position, row in dated if start is not None),
        key=lambda item: (item[0], item[1]),
    )
    periods: list[Period] = []
    previous_end: dt.date | None = None
    for number, (start, _, row) in enumerate(ordered):
        end = _date(row["DEC"])
        # A new period begins when this episode starts after the previous one ended; an
        # open (or unreadable) previous end keeps the same period, as in the validator.
        if number == 0 or (previous_end is not None and start > previous_end):
            periods.append(Period(start, end))
        else:
            periods[-1] = Period(periods[-1].start, end)
        previous_end = end
    return periods


@dataclass
class Context:
    """One run's tables and the indexes the rules share, each built once."""

    tables: Tables
    previous: Tables | None = None

    @cached_property
    def episodes_by_child(self) -> dict[str, list[Row]]:
        index: dict[str, list[Row]] = defaultdict(list)
        for row in self.tables.episodes:
            index[_child(row)].append(row)
        return index

    @cached_property
    def header_by_child(self) -> dict[str, list[Row]]:
        index: dict[str, list[Row]] = defaultdict(list)
        for row in self.tables.header:
            index[_child(row)].append(row)
        return index

    @cached_property
    def missing_by_child(self) -> dict[str, list[Row]]:
        index: dict[str, list[Row]] = defaultdict(list)
        for row in self.tables.missing:
            index[_child(row)].append(row)
        return index

    @cached_property
    def position(self) -> dict[int, int]:
        """Each row's place in its table (by identity), to report failures in file order."""
        return {
            id(row): number
            for table in (self.tables.header, self.tables.episodes, self.tables.missing)
            for number, row in enumerate(table)
        }

    def in_table_order(self, rows: Iterable[Row]) -> list[Row]:
        return sorted(rows, key=lambda row: self.position[id(row)])

    @cached_property
    def periods_by_child(self) -> dict[str, list[Period]]:
        return {child: periods_of_care(rows) for child, rows in self.episodes_by_child.items()}


RuleFunction = Callable[[Context], Iterable[Row]]


@dataclass(frozen=True)
class Rule:
    code: str
    message: str
    table: str  # the table whose rows fail
    concerns: tuple[str, ...]  # "table.COLUMN" it reads
    function: RuleFunction = field(repr=False)
    needs_previous_year: bool = False

    def failures(self, context: Context) -> list[Failure]:
        if self.needs_previous_year and context.previous is None:
            return []
        return [
            Failure(self.code, self.message, self.table, row.source, _child(row))
            for row in self.function(context)
        ]

    def check(self, tables: Tables, previous: Tables | None = None) -> list[Failure]:
        return self.failures(Context(tables, previous))


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    message: str,
    concerns: tuple[str, ...],
    table: str = "missing",
    needs_previous_year: bool = False,
) -> Callable[[RuleFunction], RuleFunction]:
    def register(function: RuleFunction) -> RuleFunction:
        assert code not in RULES, code
        RULES[code] = Rule(code, message, table, concerns, function, needs_previous_year)
        return function

    return register


def check(
    tables: Tables, previous: Tables | None = None, codes: Iterable[str] | None = None
) -> list[Failure]:
    """Every failure of the rules (all, or those `codes`), in the order of RULES and then of
    the rows. Rules that need last year's return (576) are skipped without `previous`."""
    context = Context(tables, previous)
    wanted = list(RULES) if codes is None else list(codes)
    return [failure for code in wanted for failure in RULES[code].failures(context)]


# --- Rules on one row of the MISSING table ------------------------------------------------


@rule(
    "1004",
    "The start date of the missing episode or episode that the child was away from placement "
    "without authorisation is not a valid date.",
    ("missing.MIS_START",),
)
def rule_1004(context: Context) -> Iterable[Row]:
    """1004: the start of every missing or away episode must be a real dd/mm/YYYY date; a
    blank start fails too.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_1004.py.
    """
    return [row for row in context.tables.missing if _date(row["MIS_START"]) is None]


@rule(
    "1005",
    "The end date of the missing episode or episode that the child was away from placement "
    "without authorisation is not a valid date.",
    ("missing.MIS_END",),
)
def rule_1005(context: Context) -> Iterable[Row]:
    """1005: an end, when given, must be a real dd/mm/YYYY date (blank is allowed: the
    episode is still open).

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_1005.py.
    """
    return [
        row
        for row in context.tables.missing
        if not _blank(row["MIS_END"]) and _date(row["MIS_END"]) is None
    ]


@rule("1006", "Missing type invalid.", ("missing.MISSING",))
def rule_1006(context: Context) -> Iterable[Row]:
    """1006: MISSING, when given, must be M (missing) or A (away from placement without
    authorisation), in capitals.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_1006.py. Its inline
    test also fails an empty string, which in its in-memory test data is text, not a blank;
    a CSV's empty cell is read as blank there as here, and a blank passes 1006 (564-566
    cover a blank type).
    """
    return [
        row
        for row in context.tables.missing
        if not _blank(row["MISSING"]) and row["MISSING"].strip() not in MISSING_TYPES
    ]


@rule(
    "564",
    "Child was missing or away from placement without authorisation and the date started is blank.",
    ("missing.MISSING", "missing.MIS_START"),
)
def rule_564(context: Context) -> Iterable[Row]:
    """564: an episode whose type is M or A (in either case) must have a start date.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_564.py.
    """
    return [
        row
        for row in context.tables.missing
        if row["MISSING"].strip().upper() in MISSING_TYPES and _blank(row["MIS_START"])
    ]


@rule(
    "565",
    "The date that the child started to be missing or away from placement without "
    "authorisation has been completed but whether the child was missing or away from "
    "placement without authorisation has not been completed.",
    ("missing.MISSING", "missing.MIS_START"),
)
def rule_565(context: Context) -> Iterable[Row]:
    """565: a row with a start date must say whether the child was missing or away.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_565.py.
    """
    return [
        row
        for row in context.tables.missing
        if not _blank(row["MIS_START"]) and _blank(row["MISSING"])
    ]


@rule(
    "566",
    "The date that the child's episode of being missing or away from placement without "
    "authorisation ended has been completed but whether the child was missing or away "
    "without authorisation has not been completed.",
    ("missing.MISSING", "missing.MIS_END"),
)
def rule_566(context: Context) -> Iterable[Row]:
    """566: a row with an end date must say whether the child was missing or away.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_566.py.
    """
    return [
        row
        for row in context.tables.missing
        if not _blank(row["MIS_END"]) and _blank(row["MISSING"])
    ]


@rule(
    "567",
    "The date that the missing episode or episode that the child was away from placement "
    "without authorisation ended is before the date that it started.",
    ("missing.MIS_START", "missing.MIS_END"),
)
def rule_567(context: Context) -> Iterable[Row]:
    """567: an episode cannot end before it starts (ending on the day it starts is fine).

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_567.py.
    """
    failing = []
    for row in context.tables.missing:
        start, end = _date(row["MIS_START"]), _date(row["MIS_END"])
        if start is not None and end is not None and end < start:
            failing.append(row)
    return failing


@rule(
    "570",
    "The date that the child started to be missing or away from placement without "
    "authorisation is after the end of the collection year.",
    ("missing.MIS_START",),
)
def rule_570(context: Context) -> Iterable[Row]:
    """570: no episode may start after 31 March at the end of the collection year.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_570.py.
    """
    end = context.tables.collection_end
    failing = []
    for row in context.tables.missing:
        start = _date(row["MIS_START"])
        if start is not None and start > end:
            failing.append(row)
    return failing


@rule(
    "571",
    "The date that the child ceased to be missing or away from placement without "
    "authorisation is before the start or after the end of the collection year.",
    ("missing.MIS_END",),
)
def rule_571(context: Context) -> Iterable[Row]:
    """571: an episode's end, when given, must fall within the collection year (1 April to
    31 March, both included).

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_571.py.
    """
    first, last = context.tables.collection_start, context.tables.collection_end
    failing = []
    for row in context.tables.missing:
        end = _date(row["MIS_END"])
        if end is not None and not first <= end <= last:
            failing.append(row)
    return failing


@rule(
    "586",
    "Dates of missing periods are before child\u2019s date of birth.",
    ("missing.MIS_START", "missing.DOB"),
)
def rule_586(context: Context) -> Iterable[Row]:
    """586: an episode must start after the child was born; starting on the day of birth
    fails too.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_586.py (which compares
    with the DOB on the MISSING row itself).
    """
    failing = []
    for row in context.tables.missing:
        start, born = _date(row["MIS_START"]), _date(row["DOB"])
        if start is not None and born is not None and start <= born:
            failing.append(row)
    return failing


# --- Rules across a child's missing episodes ------------------------------------------------


@rule(
    "574",
    "A new missing/away from placement without authorisation period cannot start when the "
    "previous missing/away from placement without authorisation period is still open. "
    "Missing/away from placement without authorisation periods should also not overlap.",
    ("missing.MIS_START", "missing.MIS_END"),
)
def rule_574(context: Context) -> Iterable[Row]:
    """574: a child's episodes must not overlap, and none may follow one still open.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_574.py. As there, each
    child's episodes are put in order of their end (an open episode's end taken as its
    start) and then of their start, and an episode fails when the one before it in that
    order is open or ends after this one starts. An episode that starts on the day the
    previous one ended passes.
    """
    failing: list[Row] = []
    for rows in context.missing_by_child.values():
        dated = []
        for position, row in enumerate(rows):
            start, end = _date(row["MIS_START"]), _date(row["MIS_END"])
            ordering_end = end if end is not None else start
            key = (
                ordering_end is None,
                ordering_end or dt.date.min,
                start is None,
                start or dt.date.min,
                position,
            )
            dated.append((key, row, start, end))
        dated.sort(key=lambda item: item[0])
        for (_, _, _, previous_end), (_, row, start, _) in itertools.pairwise(dated):
            if previous_end is None or (start is not None and start < previous_end):
                failing.append(row)
    return context.in_table_order(failing)


@rule(
    "576",
    "There is an open missing/away from placement without authorisation period in last "
    "year\u2019s return and there is no corresponding period recorded at the start of this year.",
    (
        "missing.CHILD",
        "missing.MIS_START",
        "previous missing.MIS_START",
        "previous missing.MIS_END",
    ),
    needs_previous_year=True,
)
def rule_576(context: Context) -> Iterable[Row]:
    """576: an episode still open at the end of last year's return must be carried into
    this year's: the child's earliest episode this year must start on the same day.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_576.py. As there, only
    children with rows this year are checked; the row that fails is the child's earliest
    (an episode with no readable start counts as the latest, so a child whose only row has
    no start fails). Needs last year's tables; without them it is not checked.
    """
    assert context.previous is not None
    open_last_year: dict[str, list[dt.date]] = defaultdict(list)
    for row in context.previous.missing:
        start = _date(row["MIS_START"])
        if _blank(row["MIS_END"]) and start is not None:
            open_last_year[_child(row)].append(start)
    failing = []
    for child, rows in context.missing_by_child.items():
        if child not in open_last_year:
            continue
        earliest = min(
            rows, key=lambda row: _date(row["MIS_START"]) or dt.date.max
        )  # min keeps the first of equals
        earliest_start = _date(earliest["MIS_START"])
        if any(start != earliest_start for start in open_last_year[child]):
            failing.append(earliest)
    return context.in_table_order(failing)


# --- Rules between the MISSING and EPISODES tables -----------------------------------------


@rule(
    "575",
    "If the placement from which the child goes missing/away from placement without "
    "authorisation ends, the missing/away from placement without authorisation period in the "
    "missing module must also have an end date.",
    ("missing.MIS_START", "missing.MIS_END", "episodes.DECOM", "episodes.DEC"),
)
def rule_575(context: Context) -> Iterable[Row]:
    """575: an open episode fails when it started during one of the child's placements
    (episodes) that has ended: that placement's DECOM <= MIS_START <= DEC.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_575.py.
    """
    failing = []
    for row in context.tables.missing:
        start = _date(row["MIS_START"])
        if start is None or not _blank(row["MIS_END"]):
            continue
        for episode in context.episodes_by_child.get(_child(row), ()):
            began, ended = _date(episode["DECOM"]), _date(episode["DEC"])
            if began is not None and ended is not None and began <= start <= ended:
                failing.append(row)
                break
    return failing


@rule(
    "577",
    "Child ceased to be looked after but there is a missing/away from placement without "
    "authorisation period without an end date.",
    ("missing.MIS_START", "missing.MIS_END", "episodes.DECOM", "episodes.DEC"),
)
def rule_577(context: Context) -> Iterable[Row]:
    """577: an episode (with a start) must sit within one of the child's periods of care:
    it fails when, for every period, either it is open while the period has ended, or it
    is open and started before the period, or it ends after the period ended or before the
    period began. Children with no episodes are left to 1012.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_577.py (periods of
    care as in `periods_of_care`). As there, an end that cannot be read counts as open.
    """
    failing = []
    for row in context.tables.missing:
        start = _date(row["MIS_START"])
        periods = context.periods_by_child.get(_child(row), [])
        if start is None or not periods:
            continue
        end = _date(row["MIS_END"])
        if all(_outside_period_577(start, end, period) for period in periods):
            failing.append(row)
    return failing


def _outside_period_577(start: dt.date, end: dt.date | None, period: Period) -> bool:
    if end is None:  # open: the period must be open too, and have begun by its start
        return period.end is not None or start < period.start
    return (period.end is not None and end > period.end) or end < period.start


@rule(
    "578",
    "The date that the child started to be missing is after the child ceased to be looked after.",
    ("missing.MIS_START", "episodes.DECOM", "episodes.DEC"),
)
def rule_578(context: Context) -> Iterable[Row]:
    """578: an episode's start must fall within one of the child's periods of care: it
    fails when, for every period, it starts before the period began or after it ended.
    Children with no episodes are left to 1012.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_578.py (periods of
    care as in `periods_of_care`).
    """
    failing = []
    for row in context.tables.missing:
        start = _date(row["MIS_START"])
        periods = context.periods_by_child.get(_child(row), [])
        if start is None or not periods:
            continue
        if all(
            start < period.start or (period.end is not None and start > period.end)
            for period in periods
        ):
            failing.append(row)
    return failing


@rule(
    "580",
    "Child is missing when cease being looked after but reason episode ceased not \u2018E8\u2019.",
    ("missing.DOB", "missing.MIS_END", "episodes.DEC", "episodes.REC"),
    table="episodes",
)
def rule_580(context: Context) -> Iterable[Row]:
    """580: when a child's missing or away episode ends on their 18th birthday and an
    episode of care ends that same day, that episode's reason for ending (REC) must be E8.
    The episode row fails, not the missing row.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_580.py (18th birthday
    from the DOB on the MISSING row; both missing (M) and away (A) episodes count).
    """
    failing: dict[int, Row] = {}
    for row in context.tables.missing:
        born, end = _date(row["DOB"]), _date(row["MIS_END"])
        if born is None or end is None or end != _birthday(born, 18):
            continue
        for episode in context.episodes_by_child.get(_child(row), ()):
            if _date(episode["DEC"]) == end and episode["REC"].strip() != "E8":
                failing[id(episode)] = episode
    return context.in_table_order(failing.values())


@rule(
    "581",
    "Child is missing but has not yet started to be looked after.",
    ("missing.MIS_START", "episodes.DECOM", "episodes.DEC"),
)
def rule_581(context: Context) -> Iterable[Row]:
    """581: an episode's start must fall within one of the child's episodes of care
    (DECOM <= MIS_START <= DEC, or on or after DECOM while the episode is open); one that
    starts before, between or after them fails. Children with no episodes are left to 1012.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_581.py. There a row
    with no readable start also fails for a child with episodes; here that row is left to
    564 and 1004, which already name the blank or unreadable start.
    """
    failing = []
    for row in context.tables.missing:
        start = _date(row["MIS_START"])
        episodes = context.episodes_by_child.get(_child(row), [])
        if start is None or not episodes:
            continue
        inside = False
        for episode in episodes:
            began, ended = _date(episode["DECOM"]), _date(episode["DEC"])
            if began is not None and began <= start and (ended is None or start <= ended):
                inside = True
                break
        if not inside:
            failing.append(row)
    return failing


@rule(
    "1012",
    "No other data should be returned for OC3 children who had no episodes in the current year",
    ("missing.CHILD", "episodes.CHILD"),
)
def rule_1012(context: Context) -> Iterable[Row]:
    """1012: a child in the MISSING table must have at least one episode in this year's
    EPISODES table.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_1012.py (which checks
    the other child-level tables the same way; Harbour returns only MISSING).
    """
    episodes = context.episodes_by_child
    return [row for row in context.tables.missing if _child(row) not in episodes]


# --- Internal checks against the HEADER table ----------------------------------------------


@rule(
    "INT04",
    "Internal Check: Child in Missing does not exist in Header.",
    ("missing.CHILD", "header.CHILD"),
)
def rule_int04(context: Context) -> Iterable[Row]:
    """INT04: every child in the MISSING table must be in the HEADER table.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_INT04.py, with its test
    data in lac_validator/fixtures.py.
    """
    header = context.header_by_child
    return [row for row in context.tables.missing if _child(row) not in header]


@rule(
    "INT13",
    "Internal Check: DOB in Missing is different to DOB in Header.",
    ("missing.DOB", "header.DOB"),
)
def rule_int13(context: Context) -> Iterable[Row]:
    """INT13: a MISSING row's DOB must be the child's DOB in the HEADER table. Blank or
    unreadable dates on either side are not compared.

    Read in csc-validator-be-903 lac_validator/rules/lac2022_23/rule_INT13.py, with its test
    data in lac_validator/fixtures.py.
    """
    failing = []
    for row in context.tables.missing:
        born = _date(row["DOB"])
        if born is None:
            continue
        for header in context.header_by_child.get(_child(row), ()):
            in_header = _date(header["DOB"])
            if in_header is not None and in_header != born:
                failing.append(row)
                break
    return failing


def _numeric_first(code: str) -> tuple[int, int, str]:
    return (0, int(code), "") if code.isdigit() else (1, 0, code)


# The registry in the DfE's order: numbered rules, then the internal checks.
_ordered = sorted(RULES.items(), key=lambda item: _numeric_first(item[0]))
RULES.clear()
RULES.update(_ordered)
