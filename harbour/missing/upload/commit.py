"""Recording the rows the coordinator chose: the file is read again, nothing may have
changed since the preview (the mapping, references recorded meanwhile, the matches
offered), and every chosen row is recorded through missing.services.record_notification
(a new child through children.services.save_child) inside one transaction, audited once:
if any row fails, nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from harbour.audit import services as auditor
from harbour.children.models import Child, Sex
from harbour.children.services import save_child

from .. import services
from ..models import Episode, PoliceUpload
from .preview import Preview, build_preview
from .rows import Row


class CommitRefused(Exception):
    """Nothing was recorded; `problems` says why, row by row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class Overlap(TypedDict):
    """Rows recorded into one episode that overlaps others of its child (kept in the
    session, so plain lists of primary keys)."""

    rows: list[int]  # row numbers, in file order
    episode: int
    others: list[int]


@dataclass
class CommitResult:
    created: int = 0
    merged: int = 0
    new_children: int = 0
    skipped: int = 0
    episodes: list[int] = field(default_factory=list)
    # Episodes recorded that overlap other episodes of their child, as the form's episode
    # page warns: [{"rows": [row numbers], "episode": pk, "others": [pks]}], in file order.
    overlapping: list[Overlap] = field(default_factory=list)

    def note_overlaps(self, number: int, episode: Episode, others: list[Episode]) -> None:
        entry = next((e for e in self.overlapping if e["episode"] == episode.pk), None)
        if entry is None:
            if not others:
                return
            entry = Overlap(rows=[], episode=episode.pk, others=[])
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
                    started_at = row.started_at
                    if started_at is None:
                        # Cannot happen: a row without a last seen time that can be read
                        # has a problem, so it is never ready (rows._parse_row).
                        raise ValidationError({"started_at": "The file gives none."})
                    child = _child_for(actor, row, choice, sexes, created_children, result)
                    outcome = services.record_notification(
                        actor,
                        child=child,
                        police_reference=row.reference,
                        category=row.category,
                        started_at=started_at,
                        reported_at=row.reported_at,
                        notified_at=received if received >= started_at else None,
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
    if row.date_of_birth is None:
        # Cannot happen: "new" is offered only for a row with a date of birth
        # (preview._cannot_create), and commit refuses an answer that was not offered.
        raise ValidationError({"date_of_birth": "The file gives none, and a new child needs one."})
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
