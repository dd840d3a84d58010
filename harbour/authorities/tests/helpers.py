"""Shared set-up for the OLA tests: a child placed here by another authority (344, while
this authority is 343) and their episodes."""

import datetime as dt

from harbour.common.tests.factories import ChildFactory, EpisodeFactory, LegalStatusFactory
from harbour.common.time import UTC

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
NOW = dt.datetime(2024, 3, 20, 12, 0, tzinfo=UTC)
FOUND = dt.datetime(2024, 3, 10, 9, 0, tzinfo=UTC)


def placed_child(code: str = "344", **fields):
    child = ChildFactory(**fields)
    LegalStatusFactory(child=child, responsible_la=code, start_date=dt.date(2023, 1, 1))
    return child


def ola_episode(child=None, *, found=FOUND, **fields):
    return EpisodeFactory(
        child=child or placed_child(), started_at=found - 20 * HOUR, ended_at=found, **fields
    )
