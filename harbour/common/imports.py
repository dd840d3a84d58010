"""What an all-or-nothing import command says when it has finished reading.

The interchange and the SSDA903 imports answer the same way, so that a council's scripts
read both alike: each warning on stderr as "warning: ...", and, when the import was
refused, every problem on stderr (as `file:line:column: message`) and exit status 1."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.management.base import BaseCommand, CommandError


def report_or_refuse(command: BaseCommand, warnings: Sequence[str], errors: Sequence[str]) -> None:
    """Write the import's warnings; if it found problems, write them and stop the command."""
    for warning in warnings:
        command.stderr.write(f"warning: {warning}")
    if errors:
        for error in errors:
            command.stderr.write(error)
        raise CommandError(f"{len(errors)} problem(s) found; nothing was imported.", returncode=1)
