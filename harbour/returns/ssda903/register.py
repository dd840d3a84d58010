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
from django.db.models.functions import TruncDate

from harbour.children.models import Child, LegalStatus, LegalStatusKind
from harbour.common.progress import NO_PROGRESS, Progress
from harbour.common.time import LONDON
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


def _row(columns: tuple[str, ...], values: dict[str, str], source: Source) -> Row:
    """A row with every column of its table, blank where the register holds nothing."""
    return Row({column: values.get(column, "") for column in columns}, source)


def register_tables(year: int, *, progress: Progress = NO_PROGRESS) -> Tables:
    """The year's tables; `progress` (for a command on a terminal) counts the records read.

    Read as plain values, not model instances, with each date formatted once: the data
    quality worklist builds two years' tables on every view (docs/performance.md)."""
    tables = Tables(year)
    first, last = tables.collection_start, tables.collection_end
    in_year = LegalStatus.objects.filter(
        status=LegalStatusKind.LAC,
        responsible_la__in=["", own_authority_code()],
        start_date__lte=last,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    formatted: dict[dt.date | None, str] = {None: ""}

    def text(day: dt.date | None) -> str:
        if day not in formatted:
            formatted[day] = format_date(day)
        return formatted[day]

    progress.stage("reading looked-after periods")
    statuses = in_year.order_by("child__child_id", "start_date", "pk").values_list(
        "pk",
        "child_id",
        "start_date",
        "end_date",
        "placement",
        "child__child_id",
        "child__sex",
        "child__date_of_birth",
        "child__ethnicity",
    )
    periods: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    # {child pk: (person id, date of birth as the 903 writes it)}
    children: dict[int, tuple[str, str]] = {}
    status_label = LegalStatus._meta.label_lower
    child_label = Child._meta.label_lower
    for pk, child_pk, start, end, placement, child_id, sex, born, ethnicity in statuses:
        progress.advance()
        if child_pk not in children:
            children[child_pk] = (child_id, text(born))
            tables.header.append(
                _row(
                    HEADER_COLUMNS,
                    {
                        "CHILD": child_id,
                        "SEX": SEX_TO_903.get(sex, ""),
                        "DOB": text(born),
                        "ETHNIC": ethnicity,
                    },
                    Source(model=child_label, pk=child_pk),
                )
            )
        periods[child_pk].append((start, end or FOREVER))
        tables.episodes.append(
            _row(
                EPISODE_COLUMNS,
                {
                    "CHILD": child_id,
                    "DECOM": text(start),
                    "DEC": text(end),
                    "PLACE": EXPORT_PLACE.get(placement, ""),
                },
                Source(model=status_label, pk=pk),
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
        .annotate(ended_on=TruncDate("ended_at", tzinfo=LONDON))
        .order_by("started_at", "pk")
        .values_list("pk", "child_id", "category", "started_on", "started_epoch", "ended_on")
    )
    rows: list[tuple[str, int, int, Row]] = []
    episode_label = Episode._meta.label_lower
    progress.stage("reading missing episodes")
    for pk, child_pk, category, started_on, started_epoch, ended_on in episodes:
        progress.advance()
        last_day = max(ended_on, started_on) if ended_on else FOREVER
        episode_days = (max(started_on, first), min(last_day, last))
        if not any(
            max(episode_days[0], start) <= min(episode_days[1], end)
            for start, end in periods[child_pk]
        ):
            continue
        child_id, date_of_birth = children[child_pk]
        row = _row(
            MISSING_COLUMNS,
            {
                "CHILD": child_id,
                "DOB": date_of_birth,
                "MISSING": CATEGORY_TO_903[category],
                "MIS_START": text(started_on),
                # Still missing on 31 March: blank, as for an open episode (rule 571
                # refuses an end after the year; next year's return gives the end).
                "MIS_END": text(ended_on if ended_on and ended_on <= last else None),
            },
            Source(model=episode_label, pk=pk),
        )
        rows.append((child_id, started_epoch, pk, row))
    tables.missing = [row for *_, row in sorted(rows, key=lambda item: item[:3])]
    return tables
