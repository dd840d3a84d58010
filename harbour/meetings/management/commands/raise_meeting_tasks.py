"""Raise "multi-agency meeting required" tasks for every child (run by cron, e.g. hourly),
after withdrawing the open ones the record no longer supports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from harbour.meetings import triggers


class Command(BaseCommand):
    help = (
        "Raise multi-agency meeting tasks for children missing too long or too often "
        "(docs/casework.md), after withdrawing open tasks the record no longer supports. "
        "Safe to run repeatedly: it raises each trigger once."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=triggers.BATCH_SIZE,
            help="Children per batch (default %(default)s).",
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        withdrawn = triggers.withdraw_all_stale("raise_meeting_tasks", batch_size=batch_size)
        tasks = triggers.evaluate_all("raise_meeting_tasks", batch_size=batch_size)
        # Counts only: no names or identifiers in cron's output.
        self.stdout.write(f"Meeting tasks withdrawn: {len(withdrawn)}")
        self.stdout.write(f"Meeting tasks raised or joined: {len(tasks)}")
