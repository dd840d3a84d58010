import datetime as dt

from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReturnInterviewFactory,
)
from harbour.common.time import LONDON, UTC
from harbour.reports.engine import build_report
from harbour.reports.periods import Period

Q1 = Period.quarter(2019, 1)  # 1 April to 30 June 2019
H = dt.timedelta(hours=1)
NOON_1_MAY = dt.datetime(2019, 5, 1, 12, 0, tzinfo=UTC)


def figures(kind: str = "quarterly", period: Period = Q1, absences: bool = False) -> dict:
    """{row id: (value, percent)}."""
    report = build_report(kind, period, absences)
    return {row.id: (row.value, row.percent) for row in report.rows}


def value(row_id: str, kind: str = "quarterly", period: Period = Q1, absences: bool = False):
    return figures(kind, period, absences)[row_id][0]


def episode(started=NOON_1_MAY, hours: float | None = 5, child=None, **fields):
    """An episode lasting `hours` (None: still missing)."""
    ended = None if hours is None else started.astimezone(UTC) + dt.timedelta(hours=hours)
    if child is not None:
        fields["child"] = child
    return EpisodeFactory(started_at=started, ended_at=ended, **fields)


def looked_after_by(authority: str, child=None, start=dt.date(2018, 1, 1), **fields):
    child = child or ChildFactory()
    LegalStatusFactory(
        child=child, status="LAC", start_date=start, responsible_la=authority, **fields
    )
    return child


def on_plan(status: str, child=None, start=dt.date(2018, 1, 1), **fields):
    child = child or ChildFactory()
    LegalStatusFactory(child=child, status=status, start_date=start, **fields)
    return child


def interview(ep, outcome="ACCEPTED", after_hours: float | None = 10, **fields):
    """An interview for an ended episode, completed `after_hours` after the return."""
    if outcome in ("NOT_REQUIRED", "NOT_OFFERED"):
        return ReturnInterviewFactory(
            episode=ep, outcome=outcome, offered_at=None, completed_at=None, **fields
        )
    offered = ep.ended_at
    completed = None
    if outcome == "ACCEPTED" and after_hours is not None:
        completed = ep.ended_at + dt.timedelta(hours=after_hours)
    return ReturnInterviewFactory(
        episode=ep, outcome=outcome, offered_at=offered, completed_at=completed, **fields
    )


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=LONDON)
