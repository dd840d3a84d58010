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
it runs, and on the benchmark's pages that pass took about 60 ms, inside whichever request
set it off: those requests were the pages' slowest 5 per cent (docs/performance.md, "the
collector's full pass"). After the first request the worker collects what garbage there is
and freezes the rest (gc.freeze), which the collector then leaves alone; the oldest pass
walks only what came later, a few milliseconds. Frozen objects are still freed as soon as
nothing refers to them; only a ring of them, dropped later, would stay, and the objects
alive after a first request are not dropped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.signals import request_finished

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


_FREEZE_ONCE = "harbour.common.collection.freeze_after_first_request"


def freeze_after_first_request() -> None:
    """Have this process's long-lived objects frozen when its next request finishes (once).
    Called when the apps are ready, in every process that serves requests."""
    request_finished.connect(_freeze, dispatch_uid=_FREEZE_ONCE)


def _freeze(**kwargs: Any) -> None:
    request_finished.disconnect(dispatch_uid=_FREEZE_ONCE)
    # Garbage rings are collected first: frozen, they would never be.
    gc.collect()
    gc.freeze()
