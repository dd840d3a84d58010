"""A batch of rows crosses from the reader's process to the writer's intact."""

import datetime as dt
import pickle

from harbour.common.time import UTC
from harbour.interchange.reader import RowBatch, ValidRow


def test_a_batch_pickled_and_unpickled_holds_the_same_rows_with_their_names():
    started = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    rows = [
        ValidRow(2, ("E-1",), ("C-1",), ["E-1", None, "MISSING"], {"started_at": started}),
        ValidRow(3, ("E-2",), ("C-2",), ["E-2", None, "ABSENT"], {"started_at": None}),
    ]
    batch = RowBatch("episodes.csv", rows, refused_keys=[("E-0",)])

    crossed = pickle.loads(pickle.dumps(batch))  # noqa: S301 (bytes made just above)

    assert crossed == batch
    assert all(type(row) is ValidRow for row in crossed.rows)
    assert [row.line for row in crossed.rows] == [2, 3]
    assert crossed.rows[0].checks["started_at"] == started
