"""The daily anchor check (docs/audit.md, "The daily anchor").

Verifies the whole chain against every anchor recorded on earlier days (from the anchor
file and any --expect), then prints today's head as one line for the log shipping and, with
--append, adds that line to the anchor file. Exit status: 0 verified, 1 the chain is broken
or no longer holds an anchor (rewritten or cut short), 2 the anchors could not be read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from harbour.audit import anchors
from harbour.audit.verify import BATCH, verify_chain

ANCHOR_FILE_VARIABLE = "HARBOUR_AUDIT_ANCHOR_FILE"


class Command(BaseCommand):
    help = (
        "Verify the audit trail against the anchors recorded on earlier days and print "
        "today's head (SEQUENCE:HASH) as one line; exit 1 if the chain no longer holds them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor-file",
            type=Path,
            default=os.environ.get(ANCHOR_FILE_VARIABLE) or None,
            help=f"the anchor log, outside the database (default: ${ANCHOR_FILE_VARIABLE})",
        )
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="an anchor recorded elsewhere; may be given more than once",
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="add today's line to the anchor file once the chain verifies",
        )
        parser.add_argument(
            "--new-file",
            action="store_true",
            help="start the anchor file (first run only: it must not exist yet)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help=f"default {BATCH}")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["anchor_file"]
        try:
            recorded = [anchors.parse(text) for text in options["expect"]]
            if path is not None:
                recorded += self._from_file(Path(path), new_file=options["new_file"])
            elif options["append"] or options["new_file"]:
                raise anchors.AnchorError(
                    f"--append and --new-file need --anchor-file (or ${ANCHOR_FILE_VARIABLE})"
                )
            expect = anchors.merge(recorded)
        except anchors.AnchorError as error:
            self.stderr.write(f"audit anchor check not run: {error}")
            sys.exit(2)

        result = verify_chain(batch=max(1, options["batch_size"]), expect=expect)
        if not result.ok:
            verified = f"events 1 to {result.events} verify" if result.events else "none verify"
            self.stderr.write(f"audit anchor check FAILED: {result.problem} ({verified})")
            sys.exit(1)
        if not result.events:
            self.stdout.write("audit anchor: the audit trail is empty: no anchor recorded")
            return
        held = len(expect)
        line = (
            f"audit anchor {timezone.now():%Y-%m-%dT%H:%M:%SZ} "
            f"{result.events}:{result.head_hash} ({result.events} events verified against "
            f"{held} earlier anchor{'' if held == 1 else 's'})"
        )
        if options["append"]:
            assert path is not None  # --append without an anchor file was refused above
            anchors.append_line(Path(path), line)
        self.stdout.write(line)

    def _from_file(self, path: Path, *, new_file: bool) -> list[tuple[int, str]]:
        if new_file:
            if path.exists():
                raise anchors.AnchorError(
                    f"{path} already exists: --new-file only starts a new anchor file"
                )
            path.touch(mode=0o640, exist_ok=False)
            return []
        if not path.exists():
            raise anchors.AnchorError(
                f"{path} does not exist. Earlier anchors may have been removed; on the very "
                "first run, pass --new-file to start it"
            )
        return anchors.read_file(path)
