"""The DfE's national-statistics missing figures for this authority (`report ssda903`).

The register of most tests, collection year 2024/25 (1 April 2024 to 31 March 2025); this
authority is 343 (conftest), and every child is invented:

- A, born 10 June 2008, looked after from 1 January 2024 (open), in foster care:
  - M1 missing 1 May 2024, 11:00 to 16:00 (BST): ended the day it started, 0 days; age 15;
  - M2 missing 9 June 2024 23:30 to 10 June 01:30 (BST): two hours, but two dates: 1 day;
    age 15 (16 the next day);
  - A1 away, dates only, 1 to 4 July 2024: 3 days; age 16.
- B, born 1 March 2012, looked after 1 September 2024 to 28 February 2025, residential:
  - M3 missing 25 August to 3 September 2024 (dates only): began before care, open on 1-3
    September while looked after, so it counts; 9 days; placement not known (no status on
    25 August); age 12;
  - M4 missing 10 to 11 March 2025: after care ended, not counted;
  - M5 missing from 20 February 2025, not back: still missing at 31 March; residential;
    age 12.
- C, born 5 May 2015, looked after 1 January 2023 to 31 March 2024 (before the year): not a
  child looked after in the year, and its missing incident of 1 May 2024 does not count.
- D, born 1 January 2010, looked after by another authority (888): not counted, nor its
  missing incident.
- E, born 15 January 2020, looked after from 1 April 2024 (open), other placement:
  - A2 away 1 March to 2 April 2025: ended after 31 March, so still away at 31 March (the
    return's MIS_END is blank); age 5;
  - A3 away 1 December 2024 to 5 January 2025: 35 days; age 4.
- F, born 1 January 2009, looked after from 1 May 2024 (supported), never missing.
- G, born 1 February 2007, looked after from 1 June 2023 (no placement recorded):
  - M6 missing 1 February to 3 April 2024: began last year and was open on 1-3 April, so the
    return carries it again; 62 days; placement not known; age 17.

Worked out by hand:

- Children looked after during the year: A, B, E, F, G = 5.
- Missing: incidents M1, M2, M3, M5, M6 = 5; children A, B, G = 3, 60% of 5; more than once
  A, B = 2, 67% of 3 (200 x 2 + 3 div 6 = 67); average 5 / 3 = 1.7; at 31 March B = 1.
  Durations: 0 days M1, 1-2 days M2, 8-30 days M3, over 30 days M6, still open M5 (1 each,
  20%). Placements: foster M1 M2 = 2 (40%), residential M5 = 1 (20%), not known M3 M6 = 2
  (40%). Ages: 10 to 15 M1 M2 M3 M5 = 4 (80%), 16 and over M6 = 1 (20%).
- Away: incidents A1, A2, A3 = 3; children A, E = 2, 40%; more than once E = 1, 50%;
  average 3 / 2 = 1.5; at 31 March E = 1. Durations: 3-7 days A1, over 30 days A3, still
  open A2 (1 each, 33%). Placements: foster A1 = 1 (33%), other A2 A3 = 2 (67%). Ages:
  1 to 4 A3, 5 to 9 A2, 16 and over A1 (1 each, 33%).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import DjangoAssertNumQueries

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, LegalStatusFactory
from harbour.common.time import UTC
from harbour.conftest import FolderWriter
from harbour.missing.models import Episode
from harbour.reports.engine import Report, ReportRow
from harbour.reports.periods import Period
from harbour.returns.ssda903.importer import import_ssda903, local_midnight
from harbour.returns.ssda903.register import register_tables
from harbour.returns.ssda903.statistics import (
    KIND,
    ROWS,
    Ssda903Report,
    build_statistics,
    for_publication,
)
from harbour.returns.ssda903.tables import parse_date

from .ssda903_folders import FOLDER

pytestmark = pytest.mark.django_db

YEAR = 2024


def _child(child_id: str, born: dt.date) -> Child:
    return ChildFactory.create(child_id=child_id, date_of_birth=born)


def _looked_after(
    child: Child,
    start: dt.date,
    end: dt.date | None = None,
    placement: str = "",
    responsible_la: str = "",
) -> None:
    LegalStatusFactory.create(
        child=child,
        start_date=start,
        end_date=end,
        placement=placement,
        responsible_la=responsible_la,
    )


def _timed(
    child: Child, start: dt.datetime, end: dt.datetime | None, category: str = "MISSING"
) -> Episode:
    return EpisodeFactory.create(child=child, category=category, started_at=start, ended_at=end)


def _dates(child: Child, start: dt.date, end: dt.date | None, category: str = "MISSING") -> Episode:
    """An episode as the 903 import records it: local midnights, marked date only."""
    return EpisodeFactory.create(
        child=child,
        category=category,
        started_at=local_midnight(start),
        ended_at=local_midnight(end) if end else None,
        date_only=True,
    )


def _register() -> None:
    """The register of the module docstring."""
    d = dt.date
    a = _child("A", d(2008, 6, 10))
    _looked_after(a, d(2024, 1, 1), placement="FOSTER")
    _timed(
        a, dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC), dt.datetime(2024, 5, 1, 15, 0, tzinfo=UTC)
    )
    _timed(
        a, dt.datetime(2024, 6, 9, 22, 30, tzinfo=UTC), dt.datetime(2024, 6, 10, 0, 30, tzinfo=UTC)
    )
    _dates(a, d(2024, 7, 1), d(2024, 7, 4), "ABSENT")

    b = _child("B", d(2012, 3, 1))
    _looked_after(b, d(2024, 9, 1), d(2025, 2, 28), placement="RESIDENTIAL")
    _dates(b, d(2024, 8, 25), d(2024, 9, 3))
    _dates(b, d(2025, 3, 10), d(2025, 3, 11))
    _dates(b, d(2025, 2, 20), None)

    c = _child("C", d(2015, 5, 5))
    _looked_after(c, d(2023, 1, 1), d(2024, 3, 31), placement="FOSTER")
    _dates(c, d(2024, 5, 1), d(2024, 5, 2))

    other = _child("D", d(2010, 1, 1))
    _looked_after(other, d(2024, 1, 1), placement="FOSTER", responsible_la="888")
    _dates(other, d(2024, 6, 1), d(2024, 6, 2))

    e = _child("E", d(2020, 1, 15))
    _looked_after(e, d(2024, 4, 1), placement="OTHER")
    _dates(e, d(2025, 3, 1), d(2025, 4, 2), "ABSENT")
    _dates(e, d(2024, 12, 1), d(2025, 1, 5), "ABSENT")

    f = _child("F", d(2009, 1, 1))
    _looked_after(f, d(2024, 5, 1), placement="SUPPORTED")

    g = _child("G", d(2007, 2, 1))
    _looked_after(g, d(2023, 6, 1))
    _dates(g, d(2024, 2, 1), d(2024, 4, 3))


def _figures(year: int = YEAR) -> dict[str, tuple[int | float | None, int | None]]:
    return {row.id: (row.value, row.percent) for row in build_statistics(year).rows}


def _of(figures: dict, prefix: str) -> dict[str, tuple]:
    """The non-zero rows whose id starts with prefix, keyed by the rest of the id."""
    return {
        row_id.removeprefix(prefix): value
        for row_id, value in figures.items()
        if row_id.startswith(prefix) and value[0] != 0
    }


def test_children_looked_after_count_each_child_looked_after_on_a_day_of_the_year() -> None:
    _register()

    assert _figures()["ssda903_children_looked_after"] == (5, None)


def test_missing_children_incidents_average_and_at_31_march() -> None:
    _register()

    figures = _figures()

    assert figures["ssda903_missing_children"] == (3, 60)
    assert figures["ssda903_missing_children_more_than_once"] == (2, 67)
    assert figures["ssda903_missing_incidents"] == (5, None)
    assert figures["ssda903_missing_incidents_per_child"] == (1.7, None)
    assert figures["ssda903_missing_at_31_march"] == (1, None)


def test_away_figures_count_absences() -> None:
    _register()

    figures = _figures()

    assert figures["ssda903_away_children"] == (2, 40)
    assert figures["ssda903_away_children_more_than_once"] == (1, 50)
    assert figures["ssda903_away_incidents"] == (3, None)
    assert figures["ssda903_away_incidents_per_child"] == (1.5, None)
    assert figures["ssda903_away_at_31_march"] == (1, None)


def test_incidents_by_duration_in_days_between_the_local_dates() -> None:
    _register()

    figures = _figures()

    assert _of(figures, "ssda903_missing_incidents_duration_") == {
        "same_day": (1, 20),
        "1_to_2_days": (1, 20),
        "8_to_30_days": (1, 20),
        "over_30_days": (1, 20),
        "still_open": (1, 20),
    }
    assert _of(figures, "ssda903_away_incidents_duration_") == {
        "3_to_7_days": (1, 33),
        "over_30_days": (1, 33),
        "still_open": (1, 33),
    }


def test_an_incident_ending_before_it_starts_counts_in_no_duration_band() -> None:
    # Imported from a return as given (rule 567 lists it): it is the year's, one day long
    # for the care it shares, and the bands sum to one fewer than the incidents until it is
    # amended.
    child = _child("Z", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 9, 1), placement="FOSTER")
    _dates(child, dt.date(2024, 9, 5), dt.date(2024, 9, 2))
    _dates(child, dt.date(2024, 10, 1), dt.date(2024, 10, 1))

    figures = _figures()

    assert figures["ssda903_missing_incidents"][0] == 2
    assert _of(figures, "ssda903_missing_incidents_duration_") == {"same_day": (1, 50)}
    assert [row["MIS_START"] for row in register_tables(YEAR).missing] == [
        "05/09/2024",
        "01/10/2024",
    ]


def test_incidents_by_placement_on_the_day_they_started() -> None:
    _register()

    figures = _figures()

    assert _of(figures, "ssda903_missing_incidents_placement_") == {
        "foster": (2, 40),
        "residential": (1, 20),
        "not_known": (2, 40),
    }
    assert _of(figures, "ssda903_away_incidents_placement_") == {
        "foster": (1, 33),
        "other": (2, 67),
    }


def test_incidents_by_age_at_start_in_the_dfe_bands() -> None:
    _register()

    figures = _figures()

    assert _of(figures, "ssda903_missing_incidents_age_") == {
        "10_to_15": (4, 80),
        "16_and_over": (1, 20),
    }
    assert _of(figures, "ssda903_away_incidents_age_") == {
        "1_to_4": (1, 33),
        "5_to_9": (1, 33),
        "16_and_over": (1, 33),
    }


def test_a_child_looked_after_only_outside_the_year_is_not_counted() -> None:
    d = dt.date
    before = _child("P1", d(2010, 1, 1))
    _looked_after(before, d(2023, 1, 1), d(2024, 3, 31))
    _dates(before, d(2024, 3, 1), d(2024, 3, 2))
    after = _child("P2", d(2010, 1, 1))
    _looked_after(after, d(2025, 4, 1))
    _dates(after, d(2025, 4, 2), None)
    edge = _child("P3", d(2010, 1, 1))
    _looked_after(edge, d(2025, 3, 31))  # looked after on the last day only: counted
    _dates(edge, d(2025, 3, 31), None)

    figures = _figures()

    assert figures["ssda903_children_looked_after"] == (1, None)
    assert figures["ssda903_missing_incidents"] == (1, None)
    assert figures["ssda903_missing_at_31_march"] == (1, None)


def test_an_incident_open_on_31_march_counts_in_both_years() -> None:
    child = _child("Q1", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))
    _dates(child, dt.date(2025, 3, 20), dt.date(2025, 4, 5))

    this_year, next_year = _figures(2024), _figures(2025)

    assert this_year["ssda903_missing_at_31_march"] == (1, None)
    assert this_year["ssda903_missing_incidents_duration_still_open"] == (1, 100)
    # In 2025/26 it ended on 5 April: 16 days after it began.
    assert next_year["ssda903_missing_at_31_march"] == (0, None)
    assert next_year["ssda903_missing_incidents_duration_8_to_30_days"] == (1, 100)


def test_an_incident_ended_on_31_march_is_not_missing_at_31_march() -> None:
    child = _child("Q2", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))
    _timed(
        child,
        dt.datetime(2025, 3, 30, 20, 0, tzinfo=UTC),
        dt.datetime(2025, 3, 31, 22, 59, tzinfo=UTC),  # 23:59 BST on 31 March
    )

    figures = _figures()

    assert figures["ssda903_missing_at_31_march"] == (0, None)
    assert figures["ssda903_missing_incidents_duration_1_to_2_days"] == (1, 100)


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "same_day"),
        (1, "1_to_2_days"),
        (2, "1_to_2_days"),
        (3, "3_to_7_days"),
        (7, "3_to_7_days"),
        (8, "8_to_30_days"),
        (30, "8_to_30_days"),
        (31, "over_30_days"),
    ],
)
def test_duration_bands_at_their_edges_for_date_only_incidents(days: int, band: str) -> None:
    child = _child("R1", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))
    start = dt.date(2024, 10, 1)
    _dates(child, start, start + dt.timedelta(days=days))

    bands = _of(_figures(), "ssda903_missing_incidents_duration_")

    assert bands == {band: (1, 100)}


def test_an_incident_from_the_last_day_of_each_month_to_the_next_lasts_one_day() -> None:
    """Eleven incidents, each from a month's last day to the next month's first, 30 April
    2024 to 1 March 2025 (28 February to 1 March among them): each lasts 1 day. (31 March to
    1 April 2025 would be still open at the year's end.)"""
    child = _child("R3", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))
    for first in [dt.date(2024, month, 1) for month in range(5, 13)] + [
        dt.date(2025, month, 1) for month in range(1, 4)
    ]:
        _dates(child, first - dt.timedelta(days=1), first)

    bands = _of(_figures(), "ssda903_missing_incidents_duration_")

    assert bands == {"1_to_2_days": (11, 100)}


def test_a_date_only_incident_across_the_clocks_going_forward_lasts_one_day() -> None:
    """30 to 31 March 2025 is 23 hours from midnight to midnight (the clocks went forward
    at 01:00 on the 30th): the quarterly report counts it under 1 day, the DfE's figure by
    its dates, 1 day."""
    child = _child("R2", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))
    episode = _dates(child, dt.date(2025, 3, 30), dt.date(2025, 3, 31))
    assert episode.ended_at is not None
    assert episode.ended_at - episode.started_at == dt.timedelta(hours=23)

    bands = _of(_figures(), "ssda903_missing_incidents_duration_")

    assert bands == {"1_to_2_days": (1, 100)}


def test_no_incident_gives_no_average_and_no_percentages_of_incidents() -> None:
    child = _child("S1", dt.date(2010, 1, 1))
    _looked_after(child, dt.date(2024, 1, 1))

    figures = _figures()

    assert figures["ssda903_missing_children"] == (0, 0)
    assert figures["ssda903_missing_incidents_per_child"] == (None, None)
    assert figures["ssda903_missing_incidents_duration_same_day"] == (0, None)


# The export's rule -------------------------------------------------------------------------


def _from_the_return(year: int) -> dict[str, object]:
    """The figures worked out, in Python, from the rows register_tables builds for the
    return: the DfE's reading of the MISSING table."""
    tables = register_tables(year)
    expected: dict[str, object] = {"ssda903_children_looked_after": len(tables.header)}
    for category, code in (("missing", "M"), ("away", "A")):
        rows = [row for row in tables.missing if row["MISSING"] == code]
        per_child = Counter(row["CHILD"] for row in rows)
        days: Counter[str] = Counter()
        for row in rows:
            end, start = parse_date(row["MIS_END"]), parse_date(row["MIS_START"])
            if end is None or start is None:
                days["still_open"] += 1
                continue
            length = (end - start).days
            band = (
                "same_day"
                if length == 0
                else "1_to_2_days"
                if length <= 2
                else "3_to_7_days"
                if length <= 7
                else "8_to_30_days"
                if length <= 30
                else "over_30_days"
            )
            days[band] += 1
        expected |= {
            f"ssda903_{category}_incidents": len(rows),
            f"ssda903_{category}_children": len(per_child),
            f"ssda903_{category}_children_more_than_once": sum(n > 1 for n in per_child.values()),
            f"ssda903_{category}_at_31_march": len(
                {row["CHILD"] for row in rows if not row["MIS_END"]}
            ),
            **{f"ssda903_{category}_incidents_duration_{band}": n for band, n in days.items()},
        }
    return expected


def test_the_figures_agree_with_the_rows_of_the_return() -> None:
    _register()

    values = {row.id: row.value for row in build_statistics(YEAR).rows}
    expected = _from_the_return(YEAR)

    assert {row_id: values[row_id] for row_id in expected} == expected


def test_an_imported_return_gives_its_own_figures(write_folder: FolderWriter) -> None:
    """FOLDER (ssda903_folders.py), 2024/25: C100 and C200 looked after; missing C100 30 to
    31 March 2025 (1 day), C100 from 20 March 2025 (still missing), C200 5 to 8 July 2024
    (3 days); away C100 4 May 2024 (0 days). C100 is in a children's home from September,
    C200 in supported accommodation, C100 fostered in May; both aged 14 or 15."""
    assert import_ssda903(write_folder(FOLDER)).ok

    figures = _figures()
    values = {row_id: value for row_id, (value, _) in figures.items()}

    assert {row_id: values[row_id] for row_id in _from_the_return(YEAR)} == _from_the_return(YEAR)
    assert _of(figures, "ssda903_missing_") == {
        "children": (2, 100),
        "children_more_than_once": (1, 50),
        "incidents": (3, None),
        "incidents_per_child": (1.5, None),
        "at_31_march": (1, None),
        "incidents_duration_1_to_2_days": (1, 33),
        "incidents_duration_3_to_7_days": (1, 33),
        "incidents_duration_still_open": (1, 33),
        "incidents_placement_residential": (2, 67),
        "incidents_placement_supported": (1, 33),
        "incidents_age_10_to_15": (3, 100),
    }
    assert _of(figures, "ssda903_away_") == {
        "children": (1, 50),
        "incidents": (1, None),
        "incidents_per_child": (1.0, None),
        "incidents_duration_same_day": (1, 100),
        "incidents_placement_foster": (1, 100),
        "incidents_age_10_to_15": (1, 100),
    }


def test_the_figures_take_three_queries(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    _register()

    with django_assert_num_queries(3):
        build_statistics(YEAR)


# Publication -------------------------------------------------------------------------------


def _report(values: dict[str, int | float | None]) -> Ssda903Report:
    """A report with the given values (0 elsewhere) and percentages of their bases."""
    from harbour.reports.arithmetic import percent

    full = {d.id: values.get(d.id, 0) for d in ROWS}
    rows = tuple(
        ReportRow(
            d.id,
            d.label,
            full[d.id],
            percent(full[d.id], full[d.base]) if d.base else None,  # type: ignore[arg-type]
        )
        for d in ROWS
    )
    period = Period(dt.date(YEAR, 4, 1), dt.date(YEAR + 1, 3, 31))
    return Ssda903Report(KIND, period, True, rows, year=YEAR)


M = "ssda903_missing_"


def _hidden(report: Report) -> set[str]:
    return {row.id for row in report.rows if row.value_suppressed}


def test_publication_suppresses_counts_of_1_to_5_and_what_gives_them_away() -> None:
    """40 children looked after; 12 went missing (8 more than once), 30 incidents: 10 of 0
    days, 14 of 1-2 days, 3 of 3-7 days, 3 of 8-30 days; 6 from foster, 20 residential, 4
    supported; 18 aged 10-15, 12 aged 16 or over.

    Suppressed: the 3s and the 4 (1 to 5). The 4 supported is the only suppressed part of
    the placements, which add up to 30: the smallest other part, foster's 6, goes too. 12
    children less 8 more than once leaves 4 who went missing once, not published but
    worked out: the 8 goes. The two 3s of the durations hide each other. The rest shows."""
    report = _report(
        {
            "ssda903_children_looked_after": 40,
            f"{M}children": 12,
            f"{M}children_more_than_once": 8,
            f"{M}incidents": 30,
            f"{M}incidents_per_child": 2.5,
            f"{M}incidents_duration_same_day": 10,
            f"{M}incidents_duration_1_to_2_days": 14,
            f"{M}incidents_duration_3_to_7_days": 3,
            f"{M}incidents_duration_8_to_30_days": 3,
            f"{M}incidents_placement_foster": 6,
            f"{M}incidents_placement_residential": 20,
            f"{M}incidents_placement_supported": 4,
            f"{M}incidents_age_10_to_15": 18,
            f"{M}incidents_age_16_and_over": 12,
        }
    )

    published = for_publication(report)

    assert _hidden(published) == {
        f"{M}incidents_duration_3_to_7_days",
        f"{M}incidents_duration_8_to_30_days",
        f"{M}incidents_placement_supported",
        f"{M}incidents_placement_foster",
        f"{M}children_more_than_once",
    }
    row = published.row(f"{M}incidents_placement_foster")
    assert (row.value, row.percent, row.shown_value, row.shown_percent) == (
        None,
        None,
        "[c]",
        "[c]",
    )
    assert published.row(f"{M}children").percent == 30
    assert published.row(f"{M}incidents_per_child").value == 2.5
    assert published.row(f"{M}incidents_placement_other").value == 0  # zero is never hidden


def test_publication_hides_the_average_and_percentages_of_a_suppressed_count() -> None:
    """3 of 40 children went missing, 9 times: the 3 is suppressed, and with it its
    percentage, the average (9 / 3 = 3.0 would give the 3 back) and the percentage of the
    children who went missing more than once (its base is the 3)."""
    report = _report(
        {
            "ssda903_children_looked_after": 40,
            f"{M}children": 3,
            f"{M}children_more_than_once": 2,
            f"{M}incidents": 9,
            f"{M}incidents_per_child": 3.0,
            f"{M}incidents_duration_same_day": 9,
            f"{M}incidents_placement_residential": 9,
            f"{M}incidents_age_16_and_over": 9,
        }
    )

    published = for_publication(report)

    assert f"{M}children" in _hidden(published)
    assert published.row(f"{M}children").percent_suppressed
    assert published.row(f"{M}incidents_per_child").value_suppressed
    assert published.row(f"{M}children_more_than_once").percent_suppressed
    assert published.row(f"{M}incidents").value == 9


def test_publication_leaves_counts_unrounded_above_the_threshold() -> None:
    report = _report({"ssda903_children_looked_after": 137, f"{M}children": 0})

    published = for_publication(report)

    assert published.row("ssda903_children_looked_after").value == 137
    assert _hidden(published) == set()


# The command -------------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("report", "ssda903", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_report_shape_of_metrics_md() -> None:
    _register()

    data = json.loads(_command("--year", "2024", "--format", "json"))

    assert {key: data[key] for key in ("report", "year", "from", "to", "include_absences")} == {
        "report": "ssda903",
        "year": 2024,
        "from": "2024-04-01",
        "to": "2025-03-31",
        "include_absences": True,
    }
    assert [row["id"] for row in data["rows"]] == [d.id for d in ROWS]
    assert data["rows"][0] == {
        "id": "ssda903_children_looked_after",
        "label": "Children looked after during the year",
        "value": 5,
        "percent": None,
    }
    by_id = {row["id"]: row for row in data["rows"]}
    assert by_id["ssda903_missing_children"]["percent"] == 60
    assert by_id["ssda903_missing_incidents_per_child"]["value"] == 1.7
    assert "for_publication" not in data


def test_json_for_publication_marks_each_suppressed_figure() -> None:
    _register()

    data = json.loads(_command("--year", "2024", "--format", "json", "--for-publication"))

    by_id = {row["id"]: row for row in data["rows"]}
    assert data["for_publication"] is True
    assert by_id["ssda903_children_looked_after"]["value"] is None  # 5: suppressed
    assert by_id["ssda903_missing_children"] == {
        "id": "ssda903_missing_children",
        "label": "Children who had a missing incident during the year",
        "value": None,
        "percent": None,
        "value_suppressed": True,
        "percent_suppressed": True,
    }
    assert by_id["ssda903_missing_incidents_duration_3_to_7_days"]["value"] == 0


def test_text_and_csv_list_every_figure(tmp_path: Path) -> None:
    _register()

    text = _command("--year", "2024")
    _command("--year", "2024", "--format", "csv", "--output", str(tmp_path / "out.csv"))
    csv_lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()

    assert text.startswith("DfE national statistics")
    assert "2024/25" in text.splitlines()[0]
    assert "Children who had a missing incident during the year" in text
    assert csv_lines[0] == "id,label,2024/25 number,2024/25 %"
    assert csv_lines[1] == "ssda903_children_looked_after,Children looked after during the year,5,"
    assert len(csv_lines) == 1 + len(ROWS)


def test_the_command_is_audited() -> None:
    _command("--year", "2024", "--format", "json")

    event = AuditEvent.objects.filter(action="report.download").latest("pk")
    assert event.details["report"] == "ssda903"
    assert event.details["periods"] == [["2024-04-01", "2025-03-31"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--year"),
        (("--year", "2024", "--quarter", "1"), "--quarter"),
        (("--year", "2024", "--include-absences"), "--include-absences"),
        (("--year", "2024", "--format", "xlsx", "--output", "x.xlsx"), "text, json or csv"),
        (("--year", "3000"), "collection year"),
    ],
)
def test_the_command_refuses_what_the_report_does_not_take(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _command(*args)
