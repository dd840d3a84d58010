"""Python's cycle collector: held back while a bulk import makes rows, and kept off a web
worker's long-lived objects.

CPython frees an object as soon as nothing refers to it; the cycle collector exists only
for objects that refer to each other in a ring. It runs a young-generation pass every 700
net container allocations, and each pass walks every container made since the last. A bulk
import makes a few hundred thousand short-lived lists, tuples and dicts (a row's cells,
values, parameters) and keeps each batch for a moment: with the default threshold the
collector ran thousands of times over objects that were never garbage, a fifth to a third
of the reader's time (docs/performance.md, "Issue 15: the import, and the targets again").

Rows hold no reference rings, so raising the threshold frees nothing later: memory is the
same (the import benchmark's peak RSS is unchanged), and the collector still runs, less
often.

A web worker's heap after its first request is mostly there for good: modules, models, URL
patterns, compiled templates. The collector's oldest generation walks all of it whenever
it runs, and on the benchmark's pages that pass took 50 to 106 ms, inside whichever request
set it off: those requests were the pages' slowest (docs/performance.md, "Issue 15: the
collector's full pass"). So, once a request has finished and before the next begins, with
no other request under way, the worker collects its garbage and freezes the rest
(gc.freeze): the collector leaves frozen objects alone, and its oldest pass walks only what
came later, a few milliseconds.

Why then and not as the first request finishes: a request's objects refer to each other in
rings (a request and its message storage), so only the collector frees them; frozen while
still in use, they would never be freed, and the first request's user, session and page
would stay in the worker's memory for its life. Between requests they are garbage, and the
collection before the freeze frees them. Frozen objects are still freed as soon as nothing
refers to them; only rings among them are left, and what is alive between requests is what
the worker keeps anyway.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.signals import request_finished, request_started

# Container allocations between young-generation passes while importing (CPython: 700).
BULK_THRESHOLD = 50_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the cycle collector's first threshold raised to BULK_THRESHOLD,
    and put the thresholds back as they were, however the block ends."""
    before = gc.get_threshold()
    gc.set_threshold(max(BULK_THRESHOLD, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


class _FreezeBetweenRequests:
    """Counts the requests under way (threaded servers serve several at once) and freezes
    at the first start of a request after one has finished and while none is under way."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.under_way = 0
        self.finished = 0

    def connect(self) -> None:
        # A receiver of the same uid would be kept and this one ignored: replace it.
        request_started.disconnect(dispatch_uid=_STARTED)
        request_finished.disconnect(dispatch_uid=_FINISHED)
        # Held by the signals themselves (weak=False): nothing else refers to this object.
        request_started.connect(self.started, dispatch_uid=_STARTED, weak=False)
        request_finished.connect(self.ended, dispatch_uid=_FINISHED, weak=False)

    def started(self, **kwargs: Any) -> None:
        with self.lock:
            if self.finished and not self.under_way:
                request_started.disconnect(dispatch_uid=_STARTED)
                request_finished.disconnect(dispatch_uid=_FINISHED)
                # The earlier requests' rings are garbage now: collected, not frozen.
                gc.collect()
                gc.freeze()
                return
            self.under_way += 1

    def ended(self, **kwargs: Any) -> None:
        with self.lock:
            self.under_way = max(0, self.under_way - 1)
            self.finished += 1


_STARTED = "harbour.common.collection.freeze: started"
_FINISHED = "harbour.common.collection.freeze: finished"


def freeze_after_first_request() -> None:
    """Have this process's long-lived objects frozen between requests, once (see above).
    Called when the apps are ready, in every process that serves requests."""
    _FreezeBetweenRequests().connect()
