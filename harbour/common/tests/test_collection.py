import gc

import pytest

from harbour.common.collection import BULK_THRESHOLD, fewer_collections


@pytest.fixture
def default_thresholds():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_the_first_threshold_is_raised_inside_and_the_others_kept(default_thresholds):
    with fewer_collections():
        assert gc.get_threshold() == (BULK_THRESHOLD, 10, 10)


def test_the_thresholds_are_put_back_after_the_block(default_thresholds):
    with fewer_collections():
        pass

    assert gc.get_threshold() == (700, 10, 10)


def test_the_thresholds_are_put_back_when_the_block_fails(default_thresholds):
    with pytest.raises(ZeroDivisionError), fewer_collections():
        1 / 0  # noqa: B018

    assert gc.get_threshold() == (700, 10, 10)


def test_a_threshold_already_higher_is_not_lowered(default_thresholds):
    gc.set_threshold(BULK_THRESHOLD * 2, 10, 10)

    with fewer_collections():
        assert gc.get_threshold()[0] == BULK_THRESHOLD * 2
