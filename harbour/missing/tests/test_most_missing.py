"""The most missing children of the last 90 days (the dashboard's hotspots, the panel's
proposed cohort): most episodes first, equal counts by name, then id."""

import datetime as dt

import pytest
from django.db.models import Q

from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC
from harbour.missing.queries import most_missing

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
EVERY_CHILD = Q(child__isnull=False)


def missing_times(child, times: int) -> None:
    for days in range(times):
        started = dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(10), tzinfo=UTC)
        EpisodeFactory(child=child, started_at=started, ended_at=started + dt.timedelta(hours=1))


def ranked(limit: int) -> list[tuple[str, int]]:
    rows = most_missing(EVERY_CHILD, TODAY, limit)
    names = dict(Child.objects.values_list("pk", "family_name"))
    return [(names[row["child"]], row["recent"]) for row in rows]


def test_children_tied_at_the_cut_are_chosen_by_name_not_by_when_they_were_recorded():
    for family_name, times in (("Dunn", 2), ("Abbot", 1), ("Carr", 2), ("Bell", 2), ("Eve", 3)):
        missing_times(ChildFactory(family_name=family_name, given_name="Sam"), times)

    assert ranked(3) == [("Eve", 3), ("Bell", 2), ("Carr", 2)]


def test_fewer_children_than_the_limit_are_all_listed():
    missing_times(ChildFactory(family_name="Bell"), 1)
    missing_times(ChildFactory(family_name="Abbot"), 2)

    assert ranked(20) == [("Abbot", 2), ("Bell", 1)]


def test_a_child_whose_count_is_above_the_cut_is_listed_whatever_their_name():
    for family_name, times in (("Abbot", 1), ("Bell", 1), ("Zeta", 2)):
        missing_times(ChildFactory(family_name=family_name), times)

    assert ranked(2) == [("Zeta", 2), ("Abbot", 1)]


def test_many_children_tied_at_the_cut_are_ranked_the_same_without_a_list(monkeypatch):
    from harbour.missing import queries

    for family_name, times in (("Dunn", 1), ("Abbot", 1), ("Carr", 1), ("Bell", 2)):
        missing_times(ChildFactory(family_name=family_name), times)
    monkeypatch.setattr(queries, "CANDIDATES_AS_A_LIST", 2)

    assert not isinstance(queries.most_missing_candidates(EVERY_CHILD, TODAY, 2), list)
    assert ranked(2) == [("Bell", 2), ("Abbot", 1)]
