"""Check the audit trail's hash chain. Exits 0 if it verifies, 1 naming the first broken
link otherwise (docs/audit.md)."""

from __future__ import annotations

import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbour.audit.verify import BATCH, verify_chain

ANCHOR = re.compile(r"^(\d+):([0-9a-fA-F]{64})$")


def _anchor(text: str) -> tuple[int, str]:
    match = ANCHOR.match(text.strip())
    if not match:
        raise CommandError(f"--expect takes SEQUENCE:HASH (64 hex digits), not {text!r}.")
    return int(match[1]), match[2].lower()


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 naming the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="A hash recorded outside the database (from an earlier run's output): "
            "the event at SEQUENCE must still have it. May be given more than once.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH, help=f"default {BATCH}")

    def handle(self, *args: Any, **options: Any) -> None:
        expect = dict(_anchor(text) for text in options["expect"])
        result = verify_chain(batch=max(1, options["batch_size"]), expect=expect)
        if not result.ok:
            verified = f"events 1 to {result.events} verify" if result.events else "none verify"
            self.stderr.write(f"audit trail broken: {result.problem} ({verified})")
            sys.exit(1)
        self.stdout.write(f"audit trail verified: {result.events} events")
        if result.events:
            self.stdout.write(f"last event: {result.events}:{result.head_hash}")
