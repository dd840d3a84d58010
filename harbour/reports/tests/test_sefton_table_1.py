"""Sefton's Table 1 (Return Interview Performance 2019/20, Quarter 1), reproduced from a
synthetic fixture built to match it (scripts/build_sefton_fixture.py, which imports
nothing from harbour). The expected figures are copied from the published table in
shared/seeds/sefton-2020-exploitation-and-missing-report.txt."""

from pathlib import Path

import pytest

from harbour.interchange.importer import import_folder
from harbour.reports.engine import build_report
from harbour.reports.periods import Period

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "sefton_2019_q1"

# Table 1, Quarter 1: (number, %) as published; None where the table shows no percentage.
PUBLISHED = {
    "episodes_total": (209, None),
    "episodes_ola": (45, 22),
    "episodes_host": (164, 78),
    "episodes_host_lac": (102, 62),
    "episodes_host_cp": (9, 5),
    "individuals_total": (104, None),
    "individuals_ola": (27, 26),
    "individuals_host": (77, 74),
    "individuals_host_lac": (31, 40),
    "individuals_host_cp": (5, 6),
    "duration_max_days": (34, None),
    "duration_under_1_day": (139, 67),
    "duration_1_to_2_days": (43, 21),
    "duration_2_to_3_days": (8, 4),
    "duration_3_days_or_more": (18, 9),
    "age_youngest": (10, None),
    "rhi_offered": (128, 78),
    "rhi_declined": (59, 36),
    "rhi_accepted": (61, 37),
    "rhi_completed": (59, 97),
    "rhi_within_72_hours": (17, 28),
    "rhi_within_1_week": (39, 64),
    "rhi_longest_days": (23, None),
}
PUBLISHED_AVERAGE_AGE = 15  # the table shows whole years


@pytest.fixture
def sefton(settings):
    settings.LOCAL_AUTHORITY_CODE = "343"
    result = import_folder(FIXTURE)
    assert result.errors == []
    return build_report("quarterly", Period.quarter(2019, 1))


@pytest.mark.parametrize("row_id", PUBLISHED)
def test_each_published_figure_is_reproduced(sefton, row_id):
    row = sefton.row(row_id)
    assert (row.value, row.percent) == PUBLISHED[row_id]


def test_the_average_age_rounds_to_the_published_whole_years(sefton):
    tenths = round(sefton.value("age_average") * 10)
    assert (tenths + 5) // 10 == PUBLISHED_AVERAGE_AGE


def test_the_one_episode_the_published_bands_leave_out_is_still_open(sefton):
    assert sefton.value("episodes_open") == 209 - (139 + 43 + 8 + 18)


def test_absences_in_the_fixture_count_only_when_included(sefton):
    with_absences = build_report("quarterly", Period.quarter(2019, 1), include_absences=True)
    assert with_absences.value("episodes_total") > 209
