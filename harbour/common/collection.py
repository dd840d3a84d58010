"""Python's cycle collector, held back while a bulk import makes rows.

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
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

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
