import pytest

from harbour.common.publication import SMALL_NUMBER_THRESHOLD
from harbour.reports.areas import suppress_cell


def test_zero_is_shown_as_zero():
    assert suppress_cell(0) == "0"


@pytest.mark.parametrize("count", range(1, SMALL_NUMBER_THRESHOLD + 1))
def test_counts_from_one_to_the_threshold_are_suppressed(count):
    assert suppress_cell(count) == "[c]"


def test_a_count_above_the_threshold_is_shown():
    assert suppress_cell(SMALL_NUMBER_THRESHOLD + 1) == str(SMALL_NUMBER_THRESHOLD + 1)


@pytest.mark.django_db
def test_area_counts_count_each_child_once_per_district():
    import datetime as dt

    from harbour.common.tests.factories import ChildFactory
    from harbour.exploitation.models.network import Place, PlaceChildLink
    from harbour.reports.areas import area_counts

    def place(n, postcode):
        values = {"name": f"Synthetic place {n}", "postcode": postcode}
        return Place.objects.create(
            place_id=f"PL-{n}", type="HOTEL", **values, **Place.derive(values)
        )

    a1, a2, b1 = place(1, "NG1 1AA"), place(2, "NG1 2BB"), place(3, "NG7 3CC")
    child = ChildFactory.create()
    day = dt.date(2026, 6, 1)
    for p in (a1, a2, b1):
        PlaceChildLink.objects.create(
            place=p, child=child, kind="FREQUENTS", source="REFERRAL", first_seen=day
        )
    rows = {r.district: r for r in area_counts(dt.date(2026, 4, 1), dt.date(2027, 3, 31))}
    assert (rows["NG1"].places, rows["NG1"].children) == (2, 1)
    assert (rows["NG7"].places, rows["NG7"].children) == (1, 1)
