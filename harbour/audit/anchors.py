"""Anchors: chain heads recorded outside the database (docs/audit.md, "The daily anchor").

An anchor is `SEQUENCE:HASH`, the event at SEQUENCE and its hash, as verify_audit prints it
on its `last event:` line and audit_anchor on its `audit anchor` line. An anchor file is a
plain text log of such lines, one a day: each line's anchor is found wherever it stands in
the line, so the file can equally be lines collected back from the log shipping.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ANCHOR = re.compile(r"(?<![0-9A-Za-z])(\d+):([0-9a-fA-F]{64})(?![0-9A-Za-z])")


class AnchorError(Exception):
    """An anchor (or anchor file) that cannot be read: the check cannot be trusted."""


def parse(text: str) -> tuple[int, str]:
    """One anchor given on its own (`--expect`)."""
    match = ANCHOR.fullmatch(text.strip())
    if not match:
        raise AnchorError(f"an anchor is SEQUENCE:HASH (64 hex digits), not {text!r}")
    return int(match[1]), match[2].lower()


def read_file(path: Path) -> list[tuple[int, str]]:
    """Every anchor in the file, in order. Blank lines and lines starting with # are
    skipped; any other line without exactly one anchor is an error, so that a damaged
    file is noticed rather than half-read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AnchorError(f"{path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise AnchorError(f"{path}: is not UTF-8 text") from None
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = ANCHOR.findall(line)
        if len(found) != 1:
            raise AnchorError(f"{path}:{number}: no SEQUENCE:HASH anchor on this line")
        sequence, digest = found[0]
        anchors.append((int(sequence), digest.lower()))
    return anchors


def merge(anchors: list[tuple[int, str]]) -> dict[int, str]:
    """{sequence: hash}; two different hashes recorded for one event cannot both hold."""
    merged: dict[int, str] = {}
    for sequence, digest in anchors:
        if merged.setdefault(sequence, digest) != digest:
            raise AnchorError(f"two different hashes are recorded for event {sequence}")
    return merged


def append_line(path: Path, line: str) -> None:
    """Add one line and make sure it reached the disk before the command reports success."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
