"""Several reports of one period from one pass (engine.build_reports): the committee pack's
annual report and the same year's quarterly figures."""

import pytest

from harbour.common.tests.factories import ChildFactory
from harbour.reports.engine import build_report, build_reports
from harbour.reports.periods import Period

from .helpers import episode, interview, london, looked_after_by, on_plan

pytestmark = pytest.mark.django_db

YEAR = Period.financial_year(2019)


def _rows(report):
    return [(row.id, row.value, row.percent) for row in report.rows]


def test_annual_and_quarterly_from_one_pass_equal_each_worked_out_alone():
    repeat = on_plan("CP")
    for day in (1, 2, 3):
        interview(episode(started=london(2019, 5, day, 12), child=repeat, hours=30))
    episode(started=london(2019, 8, 1, 9), child=looked_after_by("874"), hours=80)
    episode(started=london(2019, 11, 5, 22), child=looked_after_by("999"), hours=None)
    interview(episode(started=london(2020, 2, 1, 8), child=ChildFactory()), outcome="DECLINED")
    interview(episode(started=london(2020, 3, 1, 8), child=on_plan("CIN"), hours=2), after_hours=90)

    annual, quarterly = build_reports(("annual", "quarterly"), YEAR)

    assert (annual.kind, quarterly.kind) == ("annual", "quarterly")
    assert _rows(annual) == _rows(build_report("annual", YEAR))
    assert _rows(quarterly) == _rows(build_report("quarterly", YEAR))
    assert quarterly.row("episodes_total").value == 7
