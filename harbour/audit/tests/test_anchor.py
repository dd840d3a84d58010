"""audit_anchor, the daily check: the chain must still hold every head recorded on earlier
days (kept outside the database), and today's head is printed as one line for the log
shipping and appended to the anchor file. A rewritten or truncated chain exits 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harbour.audit import services as auditor
from harbour.audit.chain import event_hash
from harbour.audit.models import AuditChainHead, AuditEvent

from .conftest import run_command

pytestmark = pytest.mark.django_db

LINE = re.compile(
    r"^audit anchor \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (\d+):([0-9a-f]{64}) "
    r"\(\d+ events verified against (\d+) earlier anchors?\)$"
)


def write_events(count: int) -> None:
    for n in range(count):
        auditor.record("tester", "test.event", details={"n": n})


def anchor(*args: str):
    return run_command("audit_anchor", *args)


def head() -> str:
    event = AuditEvent.objects.latest("sequence")
    return f"{event.sequence}:{event.hash}"


@pytest.fixture
def anchor_file(tmp_path: Path) -> Path:
    return tmp_path / "anchors" / "harbour-audit.log"


def start(anchor_file: Path):
    anchor_file.parent.mkdir(exist_ok=True)
    return anchor("--anchor-file", str(anchor_file), "--append", "--new-file")


def test_the_first_run_prints_the_head_as_one_line_and_starts_the_file(anchor_file):
    write_events(5)

    outcome = start(anchor_file)

    assert outcome.code == 0, outcome.output
    line = outcome.output.strip()
    assert LINE.match(line), line
    assert f" {head()} " in line
    assert anchor_file.read_text() == line + "\n"


def test_each_day_checks_every_earlier_anchor_and_appends_its_own(anchor_file):
    write_events(5)
    start(anchor_file)
    first = head()
    write_events(3)

    outcome = anchor("--anchor-file", str(anchor_file), "--append")

    assert outcome.code == 0, outcome.output
    match = LINE.match(outcome.output.strip())
    assert match and f"{match[1]}:{match[2]}" == head() and match[3] == "1"
    lines = anchor_file.read_text().splitlines()
    assert len(lines) == 2
    assert first in lines[0] and head() in lines[1]


def test_an_anchor_can_be_given_on_the_command_line_instead(anchor_file):
    write_events(4)
    recorded = head()
    write_events(2)

    outcome = anchor("--expect", recorded)

    assert outcome.code == 0, outcome.output
    assert LINE.match(outcome.output.strip())
    assert not anchor_file.exists()


def test_the_anchor_file_can_come_from_the_environment(anchor_file, monkeypatch):
    write_events(3)
    start(anchor_file)
    monkeypatch.setenv("HARBOUR_AUDIT_ANCHOR_FILE", str(anchor_file))
    write_events(1)

    outcome = anchor("--append")

    assert outcome.code == 0, outcome.output
    assert len(anchor_file.read_text().splitlines()) == 2


def rewrite_from(tamper, sequence: int) -> None:
    """Someone with the database changes an event and recomputes every hash after it and
    the chain head, so that verify_audit alone passes again."""
    tamper("UPDATE audit_auditevent SET actor_name = 'nobody' WHERE sequence = %s", [sequence])
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        event.previous_hash = previous
        previous = event_hash(event, [])
        tamper(
            "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
            [event.previous_hash, previous, event.pk],
        )
    AuditChainHead.objects.filter(pk=1).update(hash=previous)


def test_a_rewritten_chain_that_verifies_on_its_own_fails_against_yesterdays_anchor(
    anchor_file, tamper, verify
):
    write_events(10)
    start(anchor_file)
    before = anchor_file.read_text()
    rewrite_from(tamper, 3)
    assert verify().code == 0

    outcome = anchor("--anchor-file", str(anchor_file), "--append")

    assert outcome.code == 1
    assert "audit anchor check FAILED: event 10: hash does not match its recorded anchor" in (
        outcome.output
    )
    assert anchor_file.read_text() == before  # nothing appended


def test_an_edited_event_fails_even_before_the_anchors_are_reached(anchor_file, tamper):
    write_events(10)
    start(anchor_file)
    tamper("UPDATE audit_auditevent SET action = 'test.innocent' WHERE sequence = 4")

    outcome = anchor("--anchor-file", str(anchor_file))

    assert outcome.code == 1
    assert "audit anchor check FAILED: event 4: hash does not match its contents" in (
        outcome.output
    )


def test_a_chain_cut_short_with_its_head_moved_back_fails_against_the_anchor(
    anchor_file, tamper, verify
):
    write_events(10)
    start(anchor_file)
    tamper("DELETE FROM audit_auditevent WHERE sequence >= 8")
    AuditChainHead.objects.filter(pk=1).update(
        sequence=7, hash=AuditEvent.objects.get(sequence=7).hash
    )
    assert verify().code == 0

    outcome = anchor("--anchor-file", str(anchor_file))

    assert outcome.code == 1
    assert (
        "audit anchor check FAILED: event 10 is recorded as an anchor but the chain ends at event 7"
    ) in outcome.output


def test_a_missing_anchor_file_is_an_error_unless_a_new_one_is_started(anchor_file):
    write_events(2)

    outcome = anchor("--anchor-file", str(anchor_file), "--append")

    assert outcome.code == 2
    assert "does not exist" in outcome.output and "--new-file" in outcome.output


def test_a_new_file_is_never_started_over_an_existing_one(anchor_file):
    write_events(2)
    start(anchor_file)
    before = anchor_file.read_text()

    outcome = start(anchor_file)

    assert outcome.code == 2
    assert "already exists" in outcome.output
    assert anchor_file.read_text() == before


def test_a_line_in_the_anchor_file_without_an_anchor_is_an_error(anchor_file):
    write_events(2)
    start(anchor_file)
    with anchor_file.open("a") as handle:
        handle.write("audit anchor 2026-01-01T00:00:00Z 7:not-a-hash\n")

    outcome = anchor("--anchor-file", str(anchor_file))

    assert outcome.code == 2
    assert f"{anchor_file}:2: no SEQUENCE:HASH anchor on this line" in outcome.output


def test_an_empty_trail_has_no_anchor_to_record(anchor_file):
    outcome = start(anchor_file)

    assert outcome.code == 0
    assert "the audit trail is empty: no anchor recorded" in outcome.output
    assert anchor_file.read_text() == ""
