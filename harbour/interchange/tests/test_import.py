import csv
import datetime as dt
import gc

import pytest

from harbour.audit.models import AuditEvent
from harbour.children.models import Child, LegalStatus
from harbour.common.collection import BULK_THRESHOLD
from harbour.common.time import UTC
from harbour.interchange import reader
from harbour.interchange.exporter import export_folder
from harbour.interchange.importer import import_folder
from harbour.interchange.tables import TABLES
from harbour.interviews.models import ReturnInterview
from harbour.missing.models import Episode

from .folders import VALID, with_changes
from .snapshot import register_snapshot, stored_ids

pytestmark = pytest.mark.django_db

# A minute before E1's return interview in VALID (10:00 GMT on 29 October 2019).
BEFORE_E1S_INTERVIEW = dt.datetime(2019, 10, 29, 9, 59, tzinfo=UTC)


def test_valid_folder_imports_every_table(write_folder):
    result = import_folder(write_folder(VALID))

    assert result.errors == []
    assert {name: count.rows for name, count in result.counts.items()} == {
        "children.csv": 3,
        "legal_statuses.csv": 3,
        "episodes.csv": 3,
        "return_interviews.csv": 3,
        "meetings.csv": 2,
        "referrals.csv": 2,
        "risk_assessments.csv": 1,
        "panel_listings.csv": 2,
    }
    child = Child.objects.get(child_id="C1")
    assert (child.given_name, child.family_name) == ("Zoë, Ann", "Smith-Jones")
    interview = ReturnInterview.objects.get(episode__episode_id="E1")
    assert interview.reason_codes == ["FRIENDS", "SCHOOL"]
    assert interview.child_engaged is True


def test_import_writes_one_audit_event_with_checksums_and_counts(write_folder):
    import_folder(write_folder(VALID), actor="tester")

    event = AuditEvent.objects.get(action="interchange.import")
    assert event.actor_name == "tester"
    assert len(event.details["sha256"]["episodes.csv"]) == 64
    assert event.details["counts"]["episodes.csv"]["created"] == 3


def test_reimporting_the_same_folder_changes_nothing(write_folder):
    folder = write_folder(VALID)
    import_folder(folder)
    before, ids_before = register_snapshot(), stored_ids()

    result = import_folder(folder)

    assert result.errors == []
    assert register_snapshot() == before
    assert stored_ids() == ids_before
    assert result.counts["episodes.csv"].created == 0


def test_changed_row_updates_its_record(write_folder):
    import_folder(write_folder(VALID))
    changed = VALID["episodes.csv"].replace("2019-10-27T20:30,MEDIUM", "2019-10-28T08:00,HIGH")

    result = import_folder(write_folder(with_changes(episodes=changed)))

    assert result.errors == []
    episode = Episode.objects.get(episode_id="E1")
    assert episode.risk_level == "HIGH"
    assert episode.ended_at == dt.datetime(2019, 10, 28, 8, 0, tzinfo=UTC)
    assert episode.ended_epoch == int(episode.ended_at.timestamp())


def test_import_never_deletes_records_the_folder_leaves_out(write_folder):
    import_folder(write_folder(VALID))
    only_one_child = {
        "children.csv": "child_id,date_of_birth,sex\nC9,2010-01-01,M\n",
        "episodes.csv": "episode_id,child_id,category,started_at\n",
    }

    assert import_folder(write_folder(only_one_child)).errors == []

    assert Child.objects.count() == 4
    assert Episode.objects.count() == 3


def test_a_column_left_out_keeps_its_stored_value(write_folder):
    import_folder(write_folder(VALID))
    without_names = {
        "children.csv": "child_id,date_of_birth,sex\nC1,2005-02-28,F\n",
        "episodes.csv": "episode_id,child_id,category,started_at\n",
    }

    assert import_folder(write_folder(without_names)).errors == []

    assert Child.objects.get(child_id="C1").given_name == "Zoë, Ann"


def test_references_resolve_to_records_already_in_the_register(write_folder):
    import_folder(write_folder(VALID))
    later = {
        "children.csv": "child_id,date_of_birth,sex\n",
        "episodes.csv": "episode_id,child_id,category,started_at\nE9,C2,MISSING,2020-01-05T10:00\n",
    }

    assert import_folder(write_folder(later)).errors == []
    assert Episode.objects.get(episode_id="E9").child.child_id == "C2"


def test_round_trip_export_then_import_reproduces_the_register(write_folder, tmp_path):
    import_folder(write_folder(VALID))
    before = register_snapshot()
    export_folder(tmp_path / "out")
    _empty_register()

    assert import_folder(tmp_path / "out").errors == []
    assert register_snapshot() == before


def _empty_register() -> None:
    for table in reversed(TABLES):
        table.model._default_manager.all().delete()


def _read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_round_trip_import_then_export_reproduces_the_folder(write_folder, tmp_path):
    source = write_folder(VALID)
    import_folder(source)

    export_folder(tmp_path / "out")

    for name in VALID:
        exported = {_key(row): row for row in _read(tmp_path / "out" / name)}
        original = {_key(row): row for row in _read(source / name)}
        assert exported.keys() == original.keys(), name
        for key, row in original.items():
            for column, value in row.items():
                assert _same(column, value, exported[key][column]), (name, key, column)


def _key(row: dict[str, str]) -> tuple[str, ...]:
    """The record's key: its id, or for legal statuses child, status and start date."""
    if "status" in row:
        return (row["child_id"], row["status"], row["start_date"])
    return (next(iter(row.values())),)


def _same(column: str, original: str, exported: str) -> bool:
    from harbour.interchange.cells import parse_datetime

    if column.endswith("_at") and original:
        return parse_datetime(original) == parse_datetime(exported)
    return original == exported


def test_export_writes_local_time_with_its_offset(write_folder, tmp_path):
    import_folder(write_folder(VALID))

    export_folder(tmp_path / "out")

    episodes = {row["episode_id"]: row for row in _read(tmp_path / "out" / "episodes.csv")}
    assert episodes["E1"]["started_at"] == "2019-10-26T20:30:00+01:00"  # summer time
    assert episodes["E1"]["ended_at"] == "2019-10-27T20:30:00+00:00"  # winter time
    assert episodes["E1"]["notified_at"] == "2019-10-27T09:00:00+00:00"


def test_an_instant_before_london_kept_whole_minutes_is_exported_in_utc_and_imports_again(
    write_folder, tmp_path
):
    # Before December 1847 London was 1 minute 15 seconds behind UTC, an offset the format
    # cannot write: the export once wrote 1800-06-01T11:58:45-00:01:15, which it refused.
    folder = {
        **VALID,
        "children.csv": VALID["children.csv"] + "        C9,Old,Record,1800-01-01,F,\n",
        "episodes.csv": VALID["episodes.csv"] + "        E9,C9,MISSING,1800-06-01T12:00Z,,,,,\n",
    }
    import_folder(write_folder(folder))
    before = register_snapshot()
    export_folder(tmp_path / "out")
    episodes = {row["episode_id"]: row for row in _read(tmp_path / "out" / "episodes.csv")}
    assert episodes["E9"]["started_at"] == "1800-06-01T12:00:00Z"
    assert episodes["E1"]["started_at"] == "2019-10-26T20:30:00+01:00"
    _empty_register()

    assert import_folder(tmp_path / "out").errors == []
    assert register_snapshot() == before


def test_an_import_interrupted_part_way_leaves_nothing_behind(write_folder, monkeypatch):
    from harbour.interchange import importer

    calls = []
    real_write = importer.FolderImport._write

    def fail_on_episodes(self, state, batch):
        calls.append(state.table.file_name)
        if state.table.file_name == "episodes.csv":
            raise KeyboardInterrupt
        return real_write(self, state, batch)

    monkeypatch.setattr(importer.FolderImport, "_write", fail_on_episodes)

    with pytest.raises(KeyboardInterrupt):
        import_folder(write_folder(VALID))

    assert "children.csv" in calls
    assert Child.objects.count() == 0
    assert LegalStatus.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.frozen_at(BEFORE_E1S_INTERVIEW)
def test_nothing_may_lie_in_the_future(write_folder):
    result = import_folder(write_folder(VALID))

    assert result.errors == ["return_interviews.csv:2:completed_at: is in the future"]
    assert Child.objects.count() == 0


@pytest.mark.frozen_at(BEFORE_E1S_INTERVIEW)
def test_a_date_of_birth_in_the_future_is_refused(write_folder):
    children = "child_id,date_of_birth,sex\nC1,2019-10-30,F\n"
    episodes = "episode_id,child_id,category,started_at\n"

    result = import_folder(write_folder({"children.csv": children, "episodes.csv": episodes}))

    assert result.errors == ["children.csv:2:date_of_birth: is in the future"]


def test_reading_in_a_child_process_gives_the_same_result_as_reading_in_process(write_folder):
    bad = with_changes(
        children=VALID["children.csv"].replace("2008-11-01,M", "2008-11-01,Z"),
        episodes=VALID["episodes.csv"].replace("E3,C3,", "E3,C9,"),
    )
    for folder in (VALID, bad):
        path = write_folder(folder)
        _empty_register()
        in_process = import_folder(path, parallel=False)
        snapshot = register_snapshot()
        _empty_register()

        in_child = import_folder(path, parallel=True)

        assert in_child.errors == in_process.errors
        assert register_snapshot() == snapshot


def test_the_folder_is_read_with_fewer_collections_and_the_thresholds_put_back(
    write_folder, monkeypatch
):
    thresholds_while_reading = []
    read_folder = reader.read_folder

    def reading(folder, clock):
        thresholds_while_reading.append(gc.get_threshold()[0])
        yield from read_folder(folder, clock)

    monkeypatch.setattr(reader, "read_folder", reading)
    before = gc.get_threshold()

    assert import_folder(write_folder(VALID), parallel=False).ok

    assert thresholds_while_reading == [max(BULK_THRESHOLD, before[0])]
    assert gc.get_threshold() == before
