import gc
import weakref

import pytest

from harbour.common.collection import (
    BULK_THRESHOLD,
    _FreezeBetweenRequests,
    fewer_collections,
    freeze_after_first_request,
)


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


@pytest.fixture
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_workers_objects_are_frozen_when_its_second_request_starts(client, nothing_frozen):
    freeze_after_first_request()
    client.get("/health/")
    assert gc.get_freeze_count() == 0

    client.get("/health/")

    assert gc.get_freeze_count() > 0


def test_the_objects_are_frozen_once(client, nothing_frozen):
    freeze_after_first_request()
    client.get("/health/")
    client.get("/health/")
    gc.unfreeze()

    client.get("/health/")

    assert gc.get_freeze_count() == 0


def test_the_first_requests_objects_are_freed_not_frozen(client, nothing_frozen):
    freeze_after_first_request()
    response = client.get("/health/")
    request = response.wsgi_request
    # A ring, as a request and its message storage make: only the collector frees it.
    request.itself = request
    gone = weakref.ref(request)
    del response, request

    _request_with_no_collection_but_the_freezes(client)

    assert gone() is None
    assert gc.get_freeze_count() > 0


def test_arming_again_starts_afresh(client, nothing_frozen):
    freeze_after_first_request()
    client.get("/health/")

    freeze_after_first_request()
    client.get("/health/")

    assert gc.get_freeze_count() == 0


def test_nothing_is_frozen_while_another_request_is_under_way(nothing_frozen):
    between = _FreezeBetweenRequests()
    between.started()
    between.started()
    between.ended()

    between.started()

    assert gc.get_freeze_count() == 0
    between.ended()
    between.ended()

    between.started()

    assert gc.get_freeze_count() > 0


def test_garbage_rings_are_collected_before_the_freeze_not_frozen(client, nothing_frozen):
    class Node:
        pass

    freeze_after_first_request()
    client.get("/health/")
    ring = Node()
    ring.next = Node()
    ring.next.next = ring
    gone = weakref.ref(ring)
    del ring

    _request_with_no_collection_but_the_freezes(client)

    assert gone() is None


def _request_with_no_collection_but_the_freezes(client):
    # The collector's own passes are held off, so that only the freeze's collection can
    # free anything during the request (gc.collect runs even when the collector is off).
    gc.disable()
    try:
        client.get("/health/")
    finally:
        gc.enable()
