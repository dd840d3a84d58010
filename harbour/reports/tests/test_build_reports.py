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


@pytest.mark.parametrize("absences", [False, True])
def test_a_quarter_s_episodes_and_children_alone_equal_its_report_s_rows(absences):
    from harbour.reports.engine import episodes_and_children

    quarter = Period.quarter(2019, 1)
    twice = looked_after_by("999")
    episode(started=london(2019, 4, 1, 0, 30), child=twice)  # just after local midnight
    episode(started=london(2019, 6, 30, 23, 30), child=twice, hours=None)
    episode(started=london(2019, 5, 2, 9), child=twice, category="ABSENT")
    episode(started=london(2019, 5, 3, 9), child=on_plan("CP"), category="ABSENT")
    episode(started=london(2019, 5, 4, 9), child=looked_after_by("874"))
    episode(started=london(2019, 7, 1, 0, 30))  # the next quarter
    episode(started=london(2019, 3, 31, 23, 30))  # the quarter before

    report = build_report("quarterly", quarter, absences)

    assert episodes_and_children(quarter, absences) == (
        report.row("episodes_total").value,
        report.row("individuals_total").value,
    )
    assert episodes_and_children(quarter, absences) == ((5, 3) if absences else (3, 2))


@pytest.mark.frozen_at(london(2020, 6, 1, 12))
def test_the_trend_chart_shows_each_quarter_s_report_rows():
    from harbour.reports.forms import quarters_of
    from harbour.reports.presentation import annual_figures

    for month, day in ((4, 1), (4, 2), (9, 30), (12, 31), (3, 31)):
        year = 2019 if month > 3 else 2020
        child = ChildFactory()
        episode(started=london(year, month, day, 0, 30), child=child)
        episode(started=london(year, month, day, 22), child=child)
    episode(started=london(2018, 1, 15, 9))

    annual = build_report("annual", YEAR)
    (trend, *_) = annual_figures(
        annual, {"for_publication": False, "include_absences": False}, fresh=True
    )

    quarters = [q for y in (2017, 2018, 2019) for q in quarters_of(y)]
    reports = [build_report("quarterly", q) for q in quarters]
    assert trend.rows == [
        [q.label(), r.row("episodes_total").value, r.row("individuals_total").value]
        for q, r in zip(quarters, reports, strict=True)
    ]
    assert [row[1:] for row in trend.rows if row[1]] == [[1, 1], [4, 2], [2, 1], [2, 1], [2, 1]]
