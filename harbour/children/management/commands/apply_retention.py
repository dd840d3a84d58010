"""Apply the retention rule: list (dry run, the default) or erase (--commit) the children
past retention, then the persons of concern past retention and the intelligence content
older than its retention. See docs/audit.md, harbour/children/erasure.py and
harbour/exploitation/retention.py."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.children.erasure import RetentionRule, erase_child, further_retention_steps
from harbour.common.display import date_text
from harbour.common.progress import add_quiet_argument, progress_line
from harbour.common.time import local_date

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import WithAnnotations

    from harbour.children.models import Child


class _Retention(TypedDict):
    looked_after: bool


def _batches(items: list[int], size: int) -> list[list[int]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


class Command(BaseCommand):
    help = (
        "List the children past retention (a dry run), or erase them with --commit. "
        "Erasure cannot be undone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--commit", action="store_true", help="Erase them (without it, only list them)."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=100,
            help="Children erased per transaction (default 100).",
        )
        add_quiet_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = f"command line ({getpass.getuser()})"
        rule = RetentionRule.from_settings()
        today = local_date(timezone.now())
        commit = options["commit"]
        batch_size = max(1, options["batch_size"])
        # past_retention annotates each child with `looked_after`; its type names Child alone.
        due = cast("QuerySet[WithAnnotations[Child, _Retention]]", rule.past_retention(today))
        summary = {
            "today": today.isoformat(),
            "years_after_18": rule.years_after_18,
            "years_after_18_looked_after": rule.years_after_18_looked_after,
        }
        self.stdout.write(f"Retention: {rule.describe()}. Today is {date_text(today)}.")

        if not commit:
            listed = []
            for child in due.iterator(chunk_size=1000):
                listed.append(child.pk)
                self.stdout.write(
                    f"child #{child.pk}  person id {child.child_id}  born {child.date_of_birth}"
                    f"  {'looked after' if child.looked_after else 'not looked after'}"
                    f"  past retention since {rule.erase_from(child, child.looked_after)}"
                )
            auditor.record(
                actor,
                "children.retention.dry_run",
                children=listed,
                details={**summary, "past_retention": len(listed)},
            )
            self.stdout.write(
                f"{len(listed)} children past retention. Dry run: nothing was erased; "
                "run with --commit to erase them."
            )
            self._further_steps(actor, today, commit=False)
            return

        pks = list(due.values_list("pk", flat=True))
        erased: list[int] = []
        failure = ""
        with progress_line(
            self.stderr, "Retention", quiet=options["quiet"], unit="children"
        ) as progress:
            if pks:
                progress.stage("erasing children past retention", total=len(pks))
            try:
                for batch in _batches(pks, batch_size):
                    with transaction.atomic():
                        done = []
                        for child in due.filter(pk__in=batch):
                            erase_child(actor, child)
                            done.append(child.pk)
                    erased.extend(done)
                    progress.advance(len(done))
            except Exception as error:
                # Only the kind of error in the trail: a message may quote a record.
                failure = type(error).__name__
                raise CommandError(
                    f"Erasure stopped after {len(erased)} of {len(pks)} children "
                    f"(the batch in progress was rolled back): {failure}: {error}"
                ) from error
            finally:
                auditor.record(
                    actor,
                    "children.retention.apply",
                    children=erased,
                    details={
                        **summary,
                        "past_retention": len(pks),
                        "erased": len(erased),
                        **({"failure": failure} if failure else {}),
                    },
                )
        self.stdout.write(f"Erased {len(erased)} children past retention.")
        # After the children: erasing a child removes their links to persons.
        self._further_steps(actor, today, commit=True)

    def _further_steps(self, actor: str, today: dt.date, *, commit: bool) -> None:
        """The retention rules other apps register (erasure.after_children_retention)."""
        for step in further_retention_steps():
            for line in step(actor, today, commit):
                self.stdout.write(line)
