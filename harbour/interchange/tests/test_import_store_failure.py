"""A batch the database refuses although every check of the importer passed.

The database's own constraints are the last line: if one refuses a row, the batch is
reported, the import carries on to find every other problem, and nothing is written."""

import pytest

from harbour.children.models import Child
from harbour.interchange import bulk
from harbour.interchange.importer import import_folder
from harbour.interchange.tables import TABLES_BY_FILE
from harbour.missing.models import Episode

from .folders import VALID

pytestmark = pytest.mark.django_db

# E3 (the third row of the file's only batch) ends before it starts.
ENDS_BEFORE_IT_STARTS = ("2019-06-04T10:00:01+01:00,HIGH", "2019-05-04T10:00:01+01:00,HIGH")


@pytest.fixture(params=["upserted", "bulk_loaded"])
def only_the_database_checks_episode_times(request, monkeypatch):
    if request.param == "bulk_loaded":
        # Every file counts as large: on PostgreSQL the rows are copied straight into their
        # emptied tables (bulk.py, upsert.py), and the CHECK refuses the COPY.
        monkeypatch.setattr(bulk, "BULK_ROWS", 2)
    # As if the importer's row rule were missing: the CHECK constraint is left to refuse it.
    episodes = TABLES_BY_FILE["episodes.csv"]
    monkeypatch.setitem(episodes.__dict__, "row_rules", lambda values, clock: [])


def _folder() -> dict[str, str]:
    folder = dict(VALID)
    folder["episodes.csv"] = folder["episodes.csv"].replace(*ENDS_BEFORE_IT_STARTS)
    folder["meetings.csv"] = folder["meetings.csv"].replace("M2,C1,STRATEGY", "M2,C9,STRATEGY")
    return folder


def test_a_refused_batch_is_reported_and_the_import_goes_on_to_the_other_problems(
    write_folder, only_the_database_checks_episode_times
):
    result = import_folder(write_folder(_folder()), parallel=False)

    refused, *others = result.errors
    assert refused.startswith("episodes.csv:2:-: rows 2-4 could not be stored: ")
    # Found after the refusal, by looking the meeting's child up in the same transaction;
    # the interviews of the refused batch are not reported again as unresolved.
    assert others == [
        "meetings.csv:3:child_id: refers to 'C9', which is neither in children.csv nor in "
        "the register"
    ]


def test_nothing_is_written_when_a_batch_is_refused(
    write_folder, only_the_database_checks_episode_times
):
    import_folder(write_folder(_folder()), parallel=False)

    assert not Child.objects.exists()
    assert not Episode.objects.exists()
