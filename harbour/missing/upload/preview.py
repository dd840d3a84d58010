"""The preview of a held file: its rows read (rows.py), repeats and references already
recorded flagged, a child proposed for every row that can be recorded (the same person id,
or likely matches by name and date of birth, only among children the user may see) and
each candidate's open episode, which recording the row would merge into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower

from harbour.audit import services as auditor
from harbour.audit.services import Actor
from harbour.children.models import Child

from .. import matching
from ..models import (
    Category,
    ColumnMapping,
    Episode,
    NotificationReference,
    PoliceUpload,
    RiskLevel,
)
from .files import read_table
from .mappings import MappingMismatch, mapping_for
from .rows import Problem, Row, parse

# Rows whose likely matches are found with one query (matching.candidate_ids) and fetched
# with another.
POOL_CHUNK = 40


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


def build_preview(upload: PoliceUpload, user: Any) -> Preview:
    """Parse the held file with its force's mapping, then flag repeats and references
    already recorded and propose a child for every row that can be recorded.

    Raises MappingMismatch when there is no mapping or it does not fit the file. A bounded
    number of queries: two for references, two for person ids, two per POOL_CHUNK rows
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
    harbour.accounts.permissions.refuse_restricted records a refused page."""
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
    by_reference: dict[str, Episode] = {
        episode.episode_id: episode
        for episode in Episode.objects.filter(episode_id__in=references)
        .select_related("child")
        .only(*EPISODE_COLUMNS, *(f"child__{name}" for name in CHILD_COLUMNS))
    }
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
    them, for many rows with two queries per POOL_CHUNK rows (each row's candidates, then
    those the user may see)."""
    from harbour.accounts.permissions import visible_children

    rows = [row for row in rows if row.given_name and row.family_name]
    compare = matching.remembering_comparison()
    for start in range(0, len(rows), POOL_CHUNK):
        chunk = rows[start : start + POOL_CHUNK]
        narrowings = [
            matching.Narrowing.of(row.family_name, row.date_of_birth, row.given_name)
            for row in chunk
        ]
        wanted = matching.candidate_ids(narrowings)
        # Read as plain values: most children found by a date of birth alone are not
        # worth scoring (Narrowing.worth_scoring), and only those that are become Child
        # instances (as `.only(*MATCH_COLUMNS)` would make them), once each.
        columns = ("id", *matching.MATCH_COLUMNS)
        visible = visible_children(user).filter(pk__in={pk for _, pk in wanted})
        pool = {
            values[0]: _Values(zip(columns, values, strict=True))
            for values in visible.values_list(*columns)
        }
        children: dict[int, Child] = {}
        by_row: dict[int, list[Child]] = {}
        for number, pk in wanted:
            if pk in pool and narrowings[number].worth_scoring(pool[pk]):
                if pk not in children:
                    children[pk] = Child.from_db(visible.db, list(columns), list(pool[pk].values()))
                by_row.setdefault(number, []).append(children[pk])
        for number, row in enumerate(chunk):
            scored = (
                matching.score(row.given_name, row.family_name, row.date_of_birth, child, compare)
                for child in by_row.get(number, ())
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


class _Values(dict[str, Any]):
    """A child's values read for matching, whose fields Narrowing.worth_scoring reads as
    attributes (matching.Keyed)."""

    given_name: str
    family_name: str

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _cannot_create(row: Row) -> str:
    # Without a person id the new child is given a Harbour id, as on the form.
    if row.date_of_birth is None:
        return (
            "A new child cannot be created from this row: it has no date of birth. "
            "Record this notification with the form instead"
        )
    return ""
