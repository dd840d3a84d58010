"""Finding a child: the search box on every page and the children list (docs/casework.md,
"Find a child").

    find(user, term) -> SearchResult

One box takes a name, a person id, a date of birth or a police reference:

- a date (27/3/2012, 27 3 2012, 2012-03-27): children born that day, or with day and
  month swapped (birth_ymd, indexed);
- one word without spaces is first tried as a person id and a police reference (both
  unique, indexed); if neither is known it is a name;
- a name of two or more words is scored with the notification matching
  (harbour/missing/matching.py: accents, one-letter differences, nicknames, double names,
  given and family names swapped), read as "given family" with the last word, or the
  first word, as the given name. Only children whose lower-case family and given names
  start with the letters of the names typed (or of a known nickname), either way round,
  are read from the database, through the index on the lower-case names: a few hundred
  rows at most, never the register;
- a single name (one word that is not an identifier) finds the children whose family or
  given name starts with it.

Restricted records the user is not on the access list of are returned without any detail
(`Found.child` is None): the page says only that a restricted record exists.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from harbour.accounts.permissions import User
from harbour.common.text import refused_character
from harbour.common.time import ymd
from harbour.missing import matching

from .models import Child

# At most this many results are shown, best first; and at most this many rows are read
# for a one-word name (a common family name), after which the page asks for more detail.
SHOWN = 50
ONE_WORD_POOL = 500
LONGEST_TERM = 200

# The columns a result shows and the matching reads.
COLUMNS = (*matching.MATCH_COLUMNS, "sex")

_DATE_PATTERNS = (
    re.compile(r"^(?P<day>\d{1,2})[/ .-]+(?P<month>\d{1,2})[/ .-]+(?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
)


class Kind:
    NAME = "name"
    DATE_OF_BIRTH = "date of birth"
    IDENTIFIER = "person id or police reference"


class _SearchAnnotations(TypedDict):
    on_list: bool


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A child as searchable_children reads them.
    SearchedChild = WithAnnotations[Child, _SearchAnnotations]


@dataclass
class Found:
    record: SearchedChild
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def restricted(self) -> bool:
        """A restricted record the user is not on the access list of: shown without detail."""
        return self.record.restricted and not self.record.on_list

    @property
    def child(self) -> Child | None:
        return None if self.restricted else self.record


@dataclass
class SearchResult:
    kind: str = ""
    found: list[Found] = field(default_factory=list)
    matched: int = 0  # before cutting to SHOWN
    too_many: bool = False  # a one-word name matched more than ONE_WORD_POOL children
    error: str = ""
    child_pks: list[int] = field(default_factory=list)  # every child matched (for the audit)

    @property
    def shown(self) -> list[Found]:
        return self.found[:SHOWN]


def parse_date(term: str) -> dt.date | str | None:
    """The date typed, None if the term is not shaped like a date, or an error message
    for a date-shaped term that is not a real date."""
    for pattern in _DATE_PATTERNS:
        if match := pattern.match(term):
            try:
                return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                return "Enter a real date of birth, for example 27/3/2012"
    return None


def searchable_children(user: User) -> QuerySet:
    """Every child the user's role reaches, restricted or not, each with `on_list`: whether
    the user is on its access list. (Unlike visible_children, restricted records are kept,
    so that the page can say one exists.)"""
    from harbour.accounts.models import Role
    from harbour.accounts.permissions import roles_of, visible_children

    if not roles_of(user) & {Role.COORDINATOR, Role.SOCIAL_WORKER, Role.EXPLOITATION_LEAD}:
        return visible_children(user).annotate(on_list=Exists(Child.objects.none()))
    on_list = Child.access_list.through.objects.filter(child=OuterRef("pk"), user=user.pk)
    return Child.objects.annotate(on_list=Exists(on_list))


def _starting(field_name: str, text: str) -> Q:
    """`field_name` (a lower-cased name) starts with `text`, as a range the index serves."""
    following = text[:-1] + chr(ord(text[-1]) + 1)
    return Q(**{f"{field_name}__gte": text, f"{field_name}__lt": following})


# First letters a register may hold with an accent where none was typed (and the other way
# round, through strip_accents): a search for "Elodie" reads "Élodie" too.
_ACCENTED = {
    "a": "àáâäåã",
    "c": "ç",
    "e": "éèêë",
    "i": "íìîï",
    "n": "ñ",
    "o": "óòôöõø",
    "s": "š",
    "u": "úùûü",
    "y": "ýÿ",
    "z": "ž",
}


def _initials(name: str, *, nicknames: bool) -> set[str]:
    """The lower-case first letters a name may be stored under: its own, without its
    accent, with the usual accents, and (given names) those of its known nicknames."""
    names = {name}
    if nicknames:
        names |= matching.NICKNAMES.get(matching.normalise(name), set())
    letters = set()
    for each in names:
        each = each.strip().lower()
        if each:
            plain = matching.strip_accents(each[0])
            letters |= {each[0], plain, *_ACCENTED.get(plain, "")}
    # SQLite's lower() changes only A to Z: a name stored as "Élodie" stays "Élodie" there.
    letters |= {letter.upper() for letter in letters if not letter.isascii()}
    return letters - {""}


def _starting_any(field_name: str, letters: set[str]) -> Q:
    wanted = Q(pk__in=[])
    for letter in sorted(letters):
        wanted |= _starting(field_name, letter)
    return wanted


def _name_readings(words: list[str]) -> list[tuple[str, str]]:
    """(given, family) readings of the words typed: the last word as the family name, and
    the first word as the given name with the rest as the family name."""
    readings = [(" ".join(words[:-1]), words[-1]), (words[0], " ".join(words[1:]))]
    return list(dict.fromkeys(readings))


def _name_pool(readings: list[tuple[str, str]]) -> Q:
    """Children whose family name starts with a letter the family name typed may be
    stored under and whose given name with one of the given name's, or the two the other
    way round (names swapped), for each reading of the words."""
    wanted = Q(pk__in=[])
    for given, family in readings:
        family_letters = _initials(family, nicknames=False)
        given_letters = _initials(given, nicknames=True)
        # One term per first letter of the family name, each a range the name index
        # serves (SQLite reads an OR of such terms index by index; an AND of two ORs it
        # would read by scanning the register).
        for letter in sorted(family_letters):
            wanted |= _starting("family_lower", letter) & _starting_any(
                "given_lower", given_letters
            )
        for letter in sorted(given_letters):
            wanted |= _starting("family_lower", letter) & _starting_any(
                "given_lower", family_letters
            )
    return wanted


def _by_identifier(children: QuerySet, term: str) -> list[SearchedChild]:
    from harbour.missing.models import Episode, NotificationReference

    by_reference = Episode.objects.filter(episode_id=term).values("child")
    by_notification = NotificationReference.objects.filter(reference=term).values("episode__child")
    wanted = (
        Q(child_id__in={term, term.upper()}) | Q(pk__in=by_reference) | Q(pk__in=by_notification)
    )
    return list(children.filter(wanted).only(*COLUMNS).order_by("child_id"))


def find(user: User, term: str) -> SearchResult:
    """The children matching the term typed, best first (see the module docstring)."""
    # Before anything else: PostgreSQL cannot even compare text holding a NUL.
    if (refused := refused_character(term or "")) is not None:
        return SearchResult(error=refused.instruction)
    term = " ".join((term or "").split())
    if not term:
        return SearchResult(error="Enter a name, person id, date of birth or police reference")
    if len(term) > LONGEST_TERM:
        return SearchResult(error=f"Search must be {LONGEST_TERM} characters or fewer")
    children = searchable_children(user)

    born = parse_date(term)
    if isinstance(born, str):
        return SearchResult(kind=Kind.DATE_OF_BIRTH, error=born)
    if born is not None:
        births = {ymd(born)}
        if (swapped := matching.swapped_day_month(born)) is not None:
            births.add(ymd(swapped))
        pool = children.filter(birth_ymd__in=sorted(births)).only(*COLUMNS)
        found = [
            Found(
                child,
                1 if child.date_of_birth == born else 0,
                [
                    "Same date of birth"
                    if child.date_of_birth == born
                    else "Day and month swapped in the date of birth"
                ],
            )
            for child in pool
        ]
        return _result(Kind.DATE_OF_BIRTH, found)

    words = term.split(" ")
    if len(words) == 1:
        identified = _by_identifier(children, term)
        if identified:
            found = [Found(child, matching.CERTAIN, []) for child in identified]
            return _result(Kind.IDENTIFIER, found)
        return _one_name(children, term)

    readings = _name_readings(words)
    named = list(
        children.alias(family_lower=Lower("family_name"), given_lower=Lower("given_name"))
        .filter(_name_pool(readings))
        .only(*COLUMNS)
    )
    found = []
    for child in named:
        candidates = [matching.score(given, family, None, child) for given, family in readings]
        best = max(
            (candidate for candidate in candidates if candidate is not None),
            key=lambda candidate: candidate.score,
            default=None,
        )
        if best is not None:
            # The notification's reason about a date of birth does not apply to a search.
            found.append(Found(child, best.score, best.reasons[1:]))
    return _result(Kind.NAME, found)


def _one_name(children: QuerySet, term: str) -> SearchResult:
    typed = term.lower()
    wanted = matching.normalise(term)
    pool = list(
        children.alias(family_lower=Lower("family_name"), given_lower=Lower("given_name"))
        .filter(_starting("family_lower", typed) | _starting("given_lower", typed))
        .only(*COLUMNS)
        .order_by("family_lower", "given_lower", "pk")[: ONE_WORD_POOL + 1]
    )
    found = []
    for child in pool[:ONE_WORD_POOL]:
        family = matching.normalise(child.family_name)
        if family.startswith(wanted):
            reason = "Same family name" if family == wanted else "Family name starts with this"
        else:
            given = matching.normalise(child.given_name)
            reason = "Same given name" if given == wanted else "Given name starts with this"
        found.append(Found(child, 1 if reason.startswith("Same") else 0, [reason]))
    result = _result(Kind.NAME, found)
    result.too_many = len(pool) > ONE_WORD_POOL
    return result


def _result(kind: str, found: list[Found]) -> SearchResult:
    def order(item: Found) -> tuple:
        # Restricted records last, so that their place in the list tells nothing.
        if item.restricted:
            return (1, 0, "", item.record.pk)
        return (0, -item.score, item.record.family_name.lower(), item.record.child_id)

    found = sorted(found, key=order)
    return SearchResult(
        kind=kind,
        found=found,
        matched=len(found),
        child_pks=[item.record.pk for item in found],
    )


# The children list's filters: (value, label). Each narrows the list; together, all apply.
FILTERS = (
    ("missing", "Missing or absent now"),
    ("looked-after", "Looked after"),
    ("other-authority", "Placed here by another authority"),
    ("exploitation", "Flagged for exploitation"),
)


def list_annotations(today: dt.date) -> dict[str, Exists | ExpressionWrapper]:
    """What the children list shows and filters on, as EXISTS subqueries per child (one
    query for the page, however many children it lists)."""
    from harbour.common.time import one_year_before
    from harbour.exploitation.models import PanelListing, Referral, RiskAssessment
    from harbour.missing.models import Episode
    from harbour.missing.queries import own_authority_code

    from .models import LegalStatus

    year_ago = one_year_before(today)
    looked_after = LegalStatus.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        child=OuterRef("pk"),
        status="LAC",
        start_date__lte=today,
    )
    return {
        "missing": Exists(Episode.objects.filter(child=OuterRef("pk"), ended_at__isnull=True)),
        "looked_after": Exists(looked_after),
        "other_authority": Exists(
            looked_after.exclude(responsible_la__in=["", own_authority_code()])
        ),
        "exploitation": ExpressionWrapper(
            Exists(
                Referral.objects.filter(
                    child=OuterRef("pk"), received_on__gte=year_ago, received_on__lte=today
                )
            )
            | Exists(
                RiskAssessment.objects.filter(
                    child=OuterRef("pk"),
                    risk__in=["MEDIUM", "HIGH"],
                    completed_on__gte=year_ago,
                    completed_on__lte=today,
                )
            )
            | Exists(
                PanelListing.objects.filter(
                    child=OuterRef("pk"), panel_date__gte=year_ago, panel_date__lte=today
                )
            ),
            output_field=BooleanField(),
        ),
    }


def children_list(user: User, filters: list[str], today: dt.date) -> QuerySet:
    """The children the user's role reaches, in name order, with the list's flags, narrowed
    by the filters chosen (values of FILTERS). Restricted records stay in (`on_list` says
    whether the user may see them) for the page to show as such."""
    annotations = list_annotations(today)
    columns = {
        "missing": "missing",
        "looked-after": "looked_after",
        "other-authority": "other_authority",
        "exploitation": "exploitation",
    }
    children = searchable_children(user).annotate(**annotations)
    for value in filters:
        children = children.filter(**{columns[value]: True})
    return children.only(*COLUMNS).order_by(Lower("family_name"), Lower("given_name"), "pk")
