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
