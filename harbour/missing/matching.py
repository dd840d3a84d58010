"""Matching a police notification to a child on the register.

    find_candidates(police_reference=..., child_id=..., given_name=..., family_name=...,
                    date_of_birth=...) -> [Candidate(child, score, reasons), ...]

Best first. An exact police reference (one already received for an episode) or an exact
person id is certain: score 100, and no other candidates are looked for. Otherwise the
candidates are children whose names match after allowing for the usual differences
between what the police write down and what the register holds, and whose date of birth
is the same, has day and month swapped, or was not given. Each candidate comes with the
reasons it matched, in plain English, for the coordinator to confirm.

How names are compared (`normalise`): accents are removed (NFKD, combining marks
dropped), case is ignored, and hyphens, apostrophes and runs of spaces become one space,
so "Zoë Smith-Jones" and "zoe smith jones" are the same. Then, for each of the given and
family names: the same; within one insertion, deletion, substitution or transposition of
adjacent letters (Damerau-Levenshtein, optimal string alignment); one name's words all
among the other's (a double-barrelled or double given name given only in part); or, for
given names, a known nickname (NICKNAMES). Both names must match, directly or with given
and family names swapped.

How the search is narrowed in the database before any of that (see Narrowing): a child is
fetched only if its date of birth is the one given or that date with day and month
swapped, or both its names could match. Each child stores keys of its names, indexed
(harbour/children/names.py: halves of the name that one edit leaves intact, and its first
and last words); a name in a notification is looked for by its own keys and its known
nicknames', and by its words as a stored name's first or last word. So a child whose
family name has its first letter mistyped is found by its given name, its date of birth
or its person id, with indexed lookups, however many children there are.
Not found without the date of birth: a name given only as the middle word of a stored name
of three words or more.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.db.models import Field, Q, QuerySet, Value
from django.db.models.functions import Lower

from harbour.children.models import Child
from harbour.children.names import (
    STORED_KEYS,
    keys_within_one_edit,
    name_key,
    normalise,
    strip_accents,
)
from harbour.common.display import date_text
from harbour.common.time import ymd

CERTAIN = 100

# Common English given names and the short forms the police often record instead.
# (formal name, nickname); looked up in both directions.
NICKNAME_PAIRS = [
    ("alexander", "alex"),
    ("alexandra", "alex"),
    ("alexandra", "sasha"),
    ("alfred", "alfie"),
    ("andrew", "andy"),
    ("anthony", "tony"),
    ("benjamin", "ben"),
    ("catherine", "kate"),
    ("katherine", "kate"),
    ("katherine", "katie"),
    ("charles", "charlie"),
    ("charlotte", "lottie"),
    ("christopher", "chris"),
    ("daniel", "danny"),
    ("daniel", "dan"),
    ("edward", "ed"),
    ("edward", "eddie"),
    ("elizabeth", "liz"),
    ("elizabeth", "beth"),
    ("elizabeth", "lizzie"),
    ("frederick", "freddie"),
    ("henry", "harry"),
    ("isabella", "bella"),
    ("isabelle", "izzy"),
    ("jacob", "jake"),
    ("james", "jim"),
    ("james", "jamie"),
    ("jennifer", "jenny"),
    ("jessica", "jess"),
    ("john", "jack"),
    ("jonathan", "jon"),
    ("joseph", "joe"),
    ("joshua", "josh"),
    ("margaret", "maggie"),
    ("matthew", "matt"),
    ("michael", "mike"),
    ("michael", "mikey"),
    ("nathaniel", "nathan"),
    ("nicholas", "nick"),
    ("oliver", "ollie"),
    ("rebecca", "becky"),
    ("richard", "rich"),
    ("robert", "rob"),
    ("robert", "bob"),
    ("samuel", "sam"),
    ("samantha", "sam"),
    ("stephen", "steve"),
    ("theodore", "theo"),
    ("thomas", "tom"),
    ("thomas", "tommy"),
    ("victoria", "vicky"),
    ("william", "will"),
    ("william", "billy"),
    ("zachary", "zach"),
]
NICKNAMES: dict[str, set[str]] = {}
for _formal, _nickname in NICKNAME_PAIRS:
    NICKNAMES.setdefault(_formal, set()).add(_nickname)
    NICKNAMES.setdefault(_nickname, set()).add(_formal)

# Points for how one name part matched, and for the date of birth. The most a fuzzy match
# can score is 39 + 39 + 20 = 98: only an exact reference or person id is certain.
EXACT, ACCENTS, PART, NICKNAME, ONE_LETTER = 39, 37, 30, 30, 28
SAME_BIRTH, SWAPPED_BIRTH, NO_BIRTH = 20, 12, 0
SWAPPED_NAMES_PENALTY = 4


@dataclass
class Candidate:
    child: Child
    score: int
    reasons: list[str] = field(default_factory=list)
    # For the child a police reference is already recorded for: the details entered that
    # are not the child's, in plain English. Such a child is never chosen for the person.
    disagreements: list[str] = field(default_factory=list)


def damerau_levenshtein(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, transpose adjacent) from a to b (optimal string
    alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def swapped_day_month(day: dt.date | None) -> dt.date | None:
    """The date with day and month exchanged, if that is a different real date."""
    if day is None or day.day > 12 or day.day == day.month:
        return None
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None


def compare_name(given: str, stored: str, *, kind: str, nicknames: bool) -> tuple[int, str] | None:
    """(points, reason) for how a name given in a notification matches a stored one."""
    a, b = normalise(given), normalise(stored)
    if not a or not b:
        return None
    if a == b:
        if given.strip().lower() == stored.strip().lower():
            return EXACT, f"Same {kind} name"
        if strip_accents(given).lower().strip() == strip_accents(stored).lower().strip():
            return ACCENTS, f"{given.strip()} matches {stored} (accents)"
        return EXACT, f"Same {kind} name ({given.strip()} / {stored})"
    # Names whose lengths differ by two or more cannot be one edit apart.
    if abs(len(a) - len(b)) <= 1 and damerau_levenshtein(a, b) <= 1:
        return (
            ONE_LETTER,
            f"{kind.capitalize()} name differs by one letter ({given.strip()} / {stored})",
        )
    if nicknames and (b in NICKNAMES.get(a, ()) or a in NICKNAMES.get(b, ())):
        return NICKNAME, f"Known nickname: {given.strip()} for {stored}"
    words_a, words_b = set(a.split()), set(b.split())
    if words_a <= words_b or words_b <= words_a:
        label = "Double-barrelled" if kind == "family" else "Double"
        return PART, f"{label} {kind} name: {given.strip()} matches {stored}"
    return None


# compare_name, or a copy of it that remembers its answers for one piece of work.
NameComparison = Callable[..., tuple[int, str] | None]


def remembering_comparison() -> NameComparison:
    """compare_name remembering its answers, for one preview: it compares the same few
    hundred names with each other many thousands of times. Made per preview and dropped
    with it, so that no name is kept in the process's memory beyond the request."""
    return functools.lru_cache(maxsize=None)(compare_name)


def _names(
    given: str, family: str, child: Child, compare: NameComparison
) -> tuple[int, list[str]] | None:
    given_as_given = compare(given, child.given_name, kind="given", nicknames=True)
    family_as_family = compare(family, child.family_name, kind="family", nicknames=False)
    family_as_given = compare(family, child.given_name, kind="given", nicknames=True)
    given_as_family = compare(given, child.family_name, kind="family", nicknames=False)
    options: list[tuple[int, list[str]]] = []
    if given_as_given and family_as_family:
        points = given_as_given[0] + family_as_family[0]
        options.append((points, [family_as_family[1], given_as_given[1]]))
    if family_as_given and given_as_family:
        points = family_as_given[0] + given_as_family[0] - SWAPPED_NAMES_PENALTY
        reasons = ["Given and family names swapped", given_as_family[1], family_as_given[1]]
        options.append((points, reasons))
    return max(options, key=lambda option: option[0]) if options else None


def _birth(given: dt.date | None, stored: dt.date) -> tuple[int, str] | None:
    if given is None:
        return NO_BIRTH, "No date of birth in the notification"
    if given == stored:
        return SAME_BIRTH, "Same date of birth"
    if swapped_day_month(given) == stored:
        return SWAPPED_BIRTH, "Day and month swapped in the date of birth"
    return None


class Keyed(Protocol):
    """What the narrowing's tests in Python read of a child: its names, and its stored
    keys (read by name, `given_head` and so on): a Child, or its values read as such."""

    given_name: str
    family_name: str


@dataclass(frozen=True)
class NameKeys:
    """The stored keys (harbour/children/names.py) a name in a notification may match:
    `keys`, a stored name's head, tail or gap (the name within one edit, or a known
    nickname); `words`, a stored name's first or last word (a double-barrelled or double
    name given in part, or given in full where only a part is stored)."""

    keys: frozenset[str]
    words: frozenset[str]

    @classmethod
    def of(cls, name: str) -> NameKeys:
        key = name_key(name)
        keys = set(keys_within_one_edit(key))
        for other in NICKNAMES.get(normalise(name), ()):
            keys |= keys_within_one_edit(name_key(other))
        return cls(frozenset(keys), frozenset(key.split()))

    def lookups(self, name: str) -> list[Q]:
        """The indexed lookups, one for each stored key, that find the children whose `name`
        ("given" or "family") may match."""
        keys, words = sorted(self.keys), sorted(self.words)
        return [
            Q(**{f"{name}_{stored}__in": words if stored.endswith("_word") else keys})
            for stored in STORED_KEYS
        ]

    def q(self, name: str) -> Q:
        """The children whose `name` ("given" or "family") may match."""
        first, *others = self.lookups(name)
        for other in others:
            first |= other
        return first

    def admits(self, child: Keyed, name: str) -> bool:
        return any(
            getattr(child, f"{name}_{stored}")
            in (self.words if stored.endswith("_word") else self.keys)
            for stored in STORED_KEYS
        )


@dataclass(frozen=True)
class Narrowing:
    """Which children are worth scoring for a notification (see the module docstring): as
    a database filter (`q`) and, for a pool of children fetched for several notifications
    at once, the same test in Python (`admits`).

    A child is worth scoring when born on the date given (or with day and month swapped),
    or when both names could match (NameKeys), either way round."""

    births: frozenset[int]
    family: NameKeys
    given: NameKeys

    @classmethod
    def of(cls, family: str, born: dt.date | None, given: str = "") -> Narrowing:
        births = set()
        if born is not None:
            births.add(ymd(born))
            if (swapped := swapped_day_month(born)) is not None:
                births.add(ymd(swapped))
        return cls(frozenset(births), NameKeys.of(family), NameKeys.of(given))

    def q(self) -> Q:
        """One OR of simple terms, each led by one indexed lookup (a date of birth, or one of
        a name's keys, with the other name as a filter), so that both databases read only
        the index entries they need (SQLite scans the whole table for an OR nested in an
        AND)."""
        wanted = Q(birth_ymd__in=sorted(self.births)) if self.births else Q(pk__in=[])
        if not self.family.keys:
            return wanted
        if not self.given.keys:
            for lookup in self.family.lookups("family"):
                wanted |= lookup
            return wanted
        for named, named_as, other, other_as in (
            (self.family, "family", self.given, "given"),
            (self.family, "given", self.given, "family"),
        ):
            filter_by_other = other.q(other_as)
            for lookup in named.lookups(named_as):
                wanted |= lookup & filter_by_other
        return wanted

    def admits(self, child: Child) -> bool:
        if child.birth_ymd in self.births:
            return True
        return self.admits_by_name(child)

    def worth_scoring(self, child: Keyed) -> bool:
        """Whether a child fetched for this notification could score: its names found by
        their keys, or (fetched by its date of birth) a name of three words or more, whose
        middle word alone the keys do not find. Any other child fetched by date of birth
        has names `compare_name` cannot match: not scoring it saves the time."""
        return self.admits_by_name(child) or any(
            len(name_key(name).split()) >= 3 for name in (child.given_name, child.family_name)
        )

    def admits_by_name(self, child: Keyed) -> bool:
        if not self.family.keys:
            return False
        if not self.given.keys:
            return self.family.admits(child, "family")
        return (self.family.admits(child, "family") and self.given.admits(child, "given")) or (
            self.family.admits(child, "given") and self.given.admits(child, "family")
        )


def _column(name: str) -> str:
    """The quoted column of one of Child's fields."""
    field = Child._meta.get_field(name)
    assert isinstance(field, Field) and field.column is not None
    return connection.ops.quote_name(field.column)


# Which of a notification's names a value of candidate_ids' tables is a key of: the family
# name, the given name, or the family name of a notification with no given name (whose
# children are those the family name finds alone).
FAMILY, GIVEN, FAMILY_ALONE = 0, 1, 2


def _value_table(
    name: str, columns: dict[str, str], rows: list[tuple[Any, ...]]
) -> tuple[str, list[Any]]:
    """A common table `name(columns)` holding `rows`, as SQL and its parameters: one array
    a column on PostgreSQL (unnest; `columns` maps each name to its type there), one JSON
    document on SQLite (json_each), so that the statement's text and its parameter count
    are the same however many rows there are."""
    if connection.vendor == "postgresql":
        types = list(columns.values())
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        params = [[row[i] for row in rows] for i in range(len(columns))]
        sql = f"{name}({', '.join(columns)}) AS (SELECT * FROM unnest({arrays}))"  # noqa: S608
        return sql, params
    fields = ", ".join(
        f"json_extract(value, '$[{i}]') AS {column}" for i, column in enumerate(columns)
    )
    sql = f"{name}({', '.join(columns)}) AS (SELECT {fields} FROM json_each(%s))"  # noqa: S608
    return sql, [json.dumps(rows)]


def candidate_ids(narrowings: list[Narrowing]) -> list[tuple[int, int]]:
    """(index of the narrowing, child pk) for every child each narrowing selects (the
    children `Narrowing.q()` selects), for many narrowings with one query.

    Set-based: the narrowings' name keys and words are tables of (narrowing, value, which
    name) rows, joined against each stored key's index (key, id), which answers without
    reading the children's rows (an index-only scan on PostgreSQL once the table is
    vacuumed). The children the notification's family name finds by their family name
    are intersected with those its given name finds by their given name, and the same
    with the names swapped; the dates of birth are a third table, joined the same way."""
    keys: list[tuple[int, str, int]] = []
    words: list[tuple[int, str, int]] = []
    births: list[tuple[int, int]] = []
    for number, narrowing in enumerate(narrowings):
        births.extend((number, birth) for birth in sorted(narrowing.births))
        if not narrowing.family.keys:
            continue
        if narrowing.given.keys:
            sides = [(narrowing.family, FAMILY), (narrowing.given, GIVEN)]
        else:
            sides = [(narrowing.family, FAMILY_ALONE)]
        for name_keys, side in sides:
            keys.extend((number, key, side) for key in sorted(name_keys.keys))
            words.extend((number, word, side) for word in sorted(name_keys.words))
    table = connection.ops.quote_name(Child._meta.db_table)
    key = _column("id")
    tables: list[str] = []
    params: list[Any] = []
    parts: list[str] = []

    def held(side: int, name: str, narrowing: str = "") -> str:
        """(narrowing, child) for each of the values of one of the narrowings' names
        (`side`) that is a key or word of the child's `name`: once a key that matches.
        `narrowing`: only that narrowing's (an outer query's column)."""
        only = f" AND {{values}}.n = {narrowing}" if narrowing else ""
        lookups = []
        for values, stored_keys in (("k", STORED_KEYS[:3]), ("w", STORED_KEYS[3:])):
            for stored in stored_keys:
                lookups.append(
                    f"SELECT {values}.n, c.{key} AS id FROM {values} CROSS JOIN {table} c "  # noqa: S608
                    f"WHERE c.{_column(f'{name}_{stored}')} = {values}.value "
                    f"AND {values}.side = {side:d}" + only.format(values=values)
                )
        return " UNION ALL ".join(lookups)

    if keys:
        for values, rows in (("k", keys), ("w", words)):
            sql, values_params = _value_table(
                values, {"n": "integer", "value": "text", "side": "integer"}, rows
            )
            tables.append(sql)
            params.extend(values_params)
        # Both names, as given and as swapped: the children one name finds and those the
        # other finds, for the same notification. PostgreSQL joins the two for one
        # notification at a time (LATERAL), so that each join is small enough to hash in
        # memory (forty notifications' at once, it sorted them on disk); SQLite intersects
        # them, all at once (it would flatten a join of two compound selects into a scan
        # of the table).
        ways = (("family", "given"), ("given", "family"))
        if connection.vendor == "postgresql":
            both = " UNION ".join(
                f"SELECT f.id FROM ({held(FAMILY, family_as, 'q.n')}) AS f "  # noqa: S608
                f"JOIN ({held(GIVEN, given_as, 'q.n')}) AS g ON g.id = f.id"
                for family_as, given_as in ways
            )
            parts.append(
                f"SELECT q.n, x.id FROM (SELECT DISTINCT n FROM k WHERE side = {GIVEN:d}) AS q "  # noqa: S608
                f"CROSS JOIN LATERAL ({both}) AS x"
            )
        else:
            for family_as, given_as in ways:
                parts.append(
                    f"SELECT n, id FROM (SELECT n, id FROM ({held(FAMILY, family_as)}) "  # noqa: S608
                    f"INTERSECT SELECT n, id FROM ({held(GIVEN, given_as)})) AS both_{family_as}"
                )
        if any(side == FAMILY_ALONE for _, _, side in keys):
            alone = held(FAMILY_ALONE, "family")
            parts.append(f"SELECT n, id FROM ({alone}) AS alone")  # noqa: S608
    if births:
        sql, values_params = _value_table("b", {"n": "integer", "value": "integer"}, births)
        tables.append(sql)
        params.extend(values_params)
        parts.append(
            f"SELECT b.n, c.{key} FROM b CROSS JOIN {table} c "  # noqa: S608
            f"WHERE c.{_column('birth_ymd')} = b.value"
        )
    if not parts:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(tables)} {' UNION '.join(parts)}", params)
        return [(number, pk) for number, pk in cursor.fetchall()]


# The columns matching reads: fetch only these.
MATCH_COLUMNS = (
    "child_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "birth_ymd",
    "restricted",
    *(f"{name}_{key}" for name in ("given", "family") for key in STORED_KEYS),
)


def score(
    given: str,
    family: str,
    born: dt.date | None,
    child: Child,
    compare: NameComparison = compare_name,
) -> Candidate | None:
    """The child as a candidate for a notification naming `given family`, born `born`
    (None when not given), with its score and reasons; None when it does not match.
    `compare`: compare_name, or `remembering_comparison()` for many notifications."""
    names = _names(given, family, child, compare)
    birth = _birth(born, child.date_of_birth)
    if names is None or birth is None:
        return None
    points, reasons = names
    return Candidate(child, points + birth[0], [birth[1], *reasons])


def ranked(candidates: list[Candidate]) -> list[Candidate]:
    """Best first; equal scores in person id order, so the order never changes by chance."""
    return sorted(candidates, key=lambda candidate: (-candidate.score, candidate.child.child_id))


def find_candidates(
    *,
    police_reference: str = "",
    child_id: str = "",
    given_name: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    children: QuerySet | None = None,
) -> list[Candidate]:
    """The children a notification may be about, best first (see the module docstring).

    children: the children to look among (e.g. `visible_children(user)`); all by default.
    """
    from .models import Episode, NotificationReference

    children = Child.objects.all() if children is None else children
    reference = (police_reference or "").strip()
    if reference:
        episode = (
            Episode.objects.filter(
                Q(episode_id=reference)
                | Q(
                    pk__in=NotificationReference.objects.filter(reference=reference).values(
                        "episode"
                    )
                )
            )
            .filter(child__in=children)
            .select_related("child")
            .first()
        )
        if episode is not None:
            known = episode.child
            differs = disagreements(known, child_id, given_name, family_name, date_of_birth)
            already = Candidate(
                known,
                CERTAIN,
                [f"Police reference {reference} is already recorded for this child"],
                differs,
            )
            if not differs:
                return [already]
            # The details entered are someone else's: show that child too, so that the
            # person sees both and decides which is wrong.
            others = _by_details(child_id, given_name, family_name, date_of_birth, children)
            return [already, *[other for other in others if other.child.pk != known.pk]]
    return _by_details(child_id, given_name, family_name, date_of_birth, children)


def disagreements(
    child: Child,
    child_id: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
) -> list[str]:
    """The details entered that differ from the child's on the register (a detail not
    entered does not differ); names are compared as `normalise` reads them."""
    found = []
    entered = " ".join(part for part in ((given_name or "").strip(), (family_name or "").strip()))
    if normalise(given_name) != normalise(child.given_name) or normalise(family_name) != normalise(
        child.family_name
    ):
        found.append(f"Name: you entered {entered.strip()}, the register has {child.full_name}")
    person_id = (child_id or "").strip()
    if person_id and person_id.lower() != child.child_id.lower():
        found.append(f"Person id: you entered {person_id}, the register has {child.child_id}")
    if date_of_birth and date_of_birth != child.date_of_birth:
        found.append(
            f"Date of birth: you entered {date_text(date_of_birth)}, "
            f"the register has {date_text(child.date_of_birth)}"
        )
    return found


def _by_details(
    child_id: str,
    given_name: str,
    family_name: str,
    date_of_birth: dt.date | None,
    children: QuerySet,
) -> list[Candidate]:
    person_id = (child_id or "").strip()
    if person_id:
        # As child_id__iexact, but by the index on the lower-case person id.
        child = (
            children.alias(person_id=Lower("child_id"))
            .filter(person_id=Lower(Value(person_id)))
            .first()
        )
        if child is not None:
            return [Candidate(child, CERTAIN, ["Same person id"])]

    given, family = (given_name or "").strip(), (family_name or "").strip()
    if not (given and family):
        return []
    narrowing = Narrowing.of(family, date_of_birth, given)
    wanted = [pk for _, pk in candidate_ids([narrowing])]
    if not wanted:
        return []
    pool = children.filter(pk__in=wanted).only(*MATCH_COLUMNS)
    found = [
        score(given, family, date_of_birth, child)
        for child in pool
        if narrowing.worth_scoring(child)
    ]
    return ranked([candidate for candidate in found if candidate is not None])
