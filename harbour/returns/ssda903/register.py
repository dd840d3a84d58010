"""The register as the 903 tables of a collection year (1 April to 31 March).

- **Children**: those looked after by this authority at any time in the year: a LAC legal
  status with an empty responsible authority or this authority's own number
  (LOCAL_AUTHORITY_CODE, as the reports decide "this authority":
  harbour/missing/queries.py) in force on at least one day of the year.
- **header**: one row per child: CHILD (the person id), SEX (1 male, 2 female, blank when
  unknown), DOB, ETHNIC; UPN, MOTHER and MC_DOB blank (the register does not hold them).
- **episodes**: one row per such LAC status in force in the year: DECOM its start, DEC its
  end, PLACE a code for its kind of placement (codes.EXPORT_PLACE), the rest blank.
- **missing**: one row per MISSING or ABSENT episode of those children that was open on
  at least one day of the year on which the child was looked after by this authority
  (the issue's rule, read literally: the episode's days, the year's days and a looked-after
  period's days share a day; an episode's days run from its local start date to its local
  end date, or on while it is open). MISSING M or A, MIS_START and MIS_END the local dates,
  DOB from the register. MIS_END is blank while the episode is open, and also when it
  ended after 31 March: the child was still missing at the end of the year, and the DfE's
  rule 571 refuses an end after the collection year (rules.py); the next year's return
  carries the episode again with its end (which its rule 576 expects).

Every row's Source names the record it was built from. Two queries, whatever the number
of children.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from harbour.children.models import Child, LegalStatus, LegalStatusKind
from harbour.common.progress import NO_PROGRESS, Progress
from harbour.common.time import local_date
from harbour.missing.models import Episode
from harbour.missing.queries import own_authority_code

from .codes import CATEGORY_TO_903, EXPORT_PLACE, SEX_TO_903
from .importer import local_midnight
from .tables import (
    EPISODE_COLUMNS,
    HEADER_COLUMNS,
    MISSING_COLUMNS,
    Row,
    Source,
    Tables,
    format_date,
)

FOREVER = dt.date.max


def _source(record: Child | LegalStatus | Episode) -> Source:
    return Source(model=record._meta.label_lower, pk=record.pk)


def _row(columns: tuple[str, ...], values: dict[str, str], source: Source) -> Row:
    """A row with every column of its table, blank where the register holds nothing."""
    return Row({column: values.get(column, "") for column in columns}, source)


def register_tables(year: int, *, progress: Progress = NO_PROGRESS) -> Tables:
    """The year's tables; `progress` (for a command on a terminal) counts the records read."""
    tables = Tables(year)
    first, last = tables.collection_start, tables.collection_end
    in_year = LegalStatus.objects.filter(
        status=LegalStatusKind.LAC,
        responsible_la__in=["", own_authority_code()],
        start_date__lte=last,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    progress.stage("reading looked-after periods")
    statuses = list(in_year.select_related("child").order_by("child__child_id", "start_date", "pk"))
    periods: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    children: dict[int, Child] = {}
    for status in statuses:
        progress.advance()
        children.setdefault(status.child_id, status.child)
        periods[status.child_id].append((status.start_date, status.end_date or FOREVER))
        tables.episodes.append(
            _row(
                EPISODE_COLUMNS,
                {
                    "CHILD": status.child.child_id,
                    "DECOM": format_date(status.start_date),
                    "DEC": format_date(status.end_date),
                    "PLACE": EXPORT_PLACE.get(status.placement, ""),
                },
                _source(status),
            )
        )
    for child in children.values():
        tables.header.append(
            _row(
                HEADER_COLUMNS,
                {
                    "CHILD": child.child_id,
                    "SEX": SEX_TO_903.get(child.sex, ""),
                    "DOB": format_date(child.date_of_birth),
                    "ETHNIC": child.ethnicity,
                },
                _source(child),
            )
        )
    episodes = (
        Episode.objects.filter(
            child__in=in_year.values("child"),
            started_on__lte=last,
        )
        # An imported date-only episode may end before it starts (rule 567 lists it):
        # it is the year's if it starts in it.
        .filter(
            Q(ended_at__isnull=True)
            | Q(ended_at__gte=local_midnight(first))
            | Q(started_on__gte=first)
        )
        .order_by("started_at", "pk")
    )
    rows: list[tuple[str, dt.datetime, int, Row]] = []
    progress.stage("reading missing episodes")
    for episode in episodes:
        progress.advance()
        child = children[episode.child_id]
        ended_on = local_date(episode.ended_at) if episode.ended_at else None
        last_day = max(ended_on, episode.started_on) if ended_on else FOREVER
        episode_days = (max(episode.started_on, first), min(last_day, last))
        if not any(
            max(episode_days[0], start) <= min(episode_days[1], end)
            for start, end in periods[episode.child_id]
        ):
            continue
        row = _row(
            MISSING_COLUMNS,
            {
                "CHILD": child.child_id,
                "DOB": format_date(child.date_of_birth),
                "MISSING": CATEGORY_TO_903[episode.category],
                "MIS_START": format_date(episode.started_on),
                # Still missing on 31 March: blank, as for an open episode (rule 571
                # refuses an end after the year; next year's return gives the end).
                "MIS_END": format_date(ended_on if ended_on and ended_on <= last else None),
            },
            _source(episode),
        )
        rows.append((child.child_id, episode.started_at, episode.pk, row))
    tables.missing = [row for *_, row in sorted(rows, key=lambda item: item[:3])]
    return tables
