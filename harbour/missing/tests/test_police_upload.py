"""Police CSV extracts, in the service layer: each force's mapping reads its own headers
and formats; every problem is named by row and column; UK times at the clock changes;
BOM and Windows-1252; repeats and references already recorded; the matches offered; and
recording is all or nothing."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.services import Conflict
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff
from harbour.common.time import UTC
from harbour.missing.models import (
    ColumnMapping,
    Episode,
    NotificationReference,
    PoliceForce,
    PoliceUpload,
)
from harbour.missing.services import HARBOUR_ID_PREFIX, record_notification
from harbour.missing.upload.commit import CommitRefused, commit
from harbour.missing.upload.files import UploadRefused, purge_expired, receive
from harbour.missing.upload.mappings import MappingMismatch, save_mapping
from harbour.missing.upload.preview import build_preview

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
DATA = Path(__file__).parent / "data"

NORTHSHIRE: dict[str, Any] = {
    "columns": {
        "police_reference": "Crime Ref",
        "given_name": "Forename",
        "family_name": "Surname",
        "date_of_birth": "DOB",
        "category": "Type",
        "last_seen": "Last Seen",
        "reported_at": "Reported",
        "risk_level": "Risk",
        "child_id": "Person ID",
    },
    "category_values": {"MISSING": ["Missing"], "ABSENT": ["Absent"]},
    "risk_values": {
        "NO_APPARENT_RISK": ["No apparent risk"],
        "LOW": ["Low"],
        "MEDIUM": ["Medium"],
        "HIGH": ["High"],
    },
    "formats": {"datetime_format": "%d/%m/%Y %H:%M", "date_format": "%d/%m/%Y"},
}
EASTMOOR: dict[str, Any] = {
    "columns": {
        "police_reference": "Occurrence",
        "given_name": "Given Names",
        "family_name": "Family Name",
        "date_of_birth": "Birth Date",
        "category": "M/A",
        "last_seen_date": "Date Last Seen",
        "last_seen_time": "Time Last Seen",
        "risk_level": "Grade",
    },
    "category_values": {"MISSING": ["M"], "ABSENT": ["A"]},
    "risk_values": {"LOW": ["Standard"], "MEDIUM": ["Medium"], "HIGH": ["High"]},
    "formats": {
        "datetime_format": "%Y-%m-%d %H%M",
        "date_format": "%Y-%m-%d",
        "time_format": "%H%M",
    },
}
HEADER = "Crime Ref,Forename,Surname,DOB,Type,Last Seen,Reported,Risk,Person ID"


@pytest.fixture
def user():
    return make_staff("COORDINATOR")


def force_with(mapping, name="Northshire Police", code="NSP"):
    force = PoliceForce.objects.create(name=name, code=code)
    save_mapping("test", force, version=None, **mapping)
    return force


@pytest.fixture
def northshire():
    return force_with(NORTHSHIRE)


def held(user, force, text, encoding="utf-8"):
    content = text.encode(encoding) if isinstance(text, str) else text
    return receive(user, force, content)


def csv_of(*lines, header=HEADER):
    return "\r\n".join([header, *lines]) + "\r\n"


def row(
    ref="NSP-1",
    given="Ada",
    family="Amberley",
    dob="15/06/2012",
    kind="Missing",
    seen="01/11/2026 21:15",
    reported="",
    risk="High",
    person="",
):
    return ",".join([ref, given, family, dob, kind, seen, reported, risk, person])


def preview_of(user, force, text):
    return build_preview(held(user, force, text), user)


def offered(preview):
    """The digests the preview page posts with the answers."""
    return {r.number: r.offered() for r in preview.of("ready")}


# Reading with each force's mapping.


def test_two_forces_with_different_headers_and_formats_read_the_same_notification(user):
    northshire = force_with(NORTHSHIRE)
    eastmoor = force_with(EASTMOOR, name="Eastmoor Constabulary", code="EMC")
    north = preview_of(user, northshire, (DATA / "northshire-extract.csv").read_text())
    east = preview_of(user, eastmoor, (DATA / "eastmoor-extract.csv").read_text())
    alfie, lottie = north.rows[0], east.rows[0]
    # 21:15 on 31 October 2026 is GMT (the clocks went back on the 25th).
    assert alfie.started_at == lottie.started_at == dt.datetime(2026, 10, 31, 21, 15, tzinfo=UTC)
    assert (alfie.reference, alfie.category, alfie.risk_level) == ("NSP-26-0101", "MISSING", "HIGH")
    assert (lottie.reference, lottie.category, lottie.risk_level) == (
        "EMC/1001/26",
        "MISSING",
        "LOW",
    )
    assert alfie.date_of_birth == dt.date(2010, 9, 3)
    assert lottie.date_of_birth == dt.date(2011, 4, 8)
    ben = east.rows[1]
    assert (ben.category, ben.risk_level) == ("ABSENT", "MEDIUM")
    assert ben.started_at == dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert [r.status for r in east.rows] == ["ready", "ready"]


def test_the_sample_extract_names_each_of_its_problems(user, northshire):
    preview = preview_of(user, northshire, (DATA / "northshire-extract.csv").read_text())
    assert [str(problem) for problem in preview.problems] == [
        "Row 4, column 'Last Seen': 31/02/2026 10:00 is not a real date",
        "Row 5, column 'Last Seen': 29/03/2026 01:30 did not happen in the UK: the clocks went "
        "forward an hour that night. Ask the police for the right time",
        "Row 5, column 'Risk': 'Standard' is not a risk grade in this force's mapping. Add it "
        "on the mapping page, or correct the file",
        "Row 6, column 'Last Seen': 25/10/2026 01:30 happened twice in the UK: the clocks went "
        "back an hour that night, and the file does not say which. Record this notification "
        "with the form, which asks which one",
        "Row 7, column 'Crime Ref': NSP-26-0101 is also on row 2: a reference can be recorded "
        "once, so only row 2 is used",
    ]
    assert preview.counts() == {
        "rows": 7,
        "problem": 4,
        "recorded": 0,
        "ready": 3,
        "exact": 0,
        "likely": 0,
        "none": 3,
    }


def test_every_kind_of_problem_is_named_with_its_row_and_column(user, northshire):
    text = csv_of(
        row(ref=""),
        row(ref="NSP-2", kind="Gone"),
        row(ref="NSP-3", seen="2026-11-01 10:00"),
        row(ref="NSP-4", seen="02/11/2026 12:01"),
        row(ref="NSP-5", seen="01/11/2026 10:00", reported="01/11/2026 09:00"),
        row(ref="NSP-6", dob="30/02/2012"),
        row(ref="NSP-7", dob="01/01/2030"),
        row(ref="NSP-8", given=""),
        row(ref="NSP-9") + ",extra",
        row(ref="NSP-10", seen="01/11/2026 24:00"),
    )
    problems = [str(problem) for problem in preview_of(user, northshire, text).problems]
    assert problems == [
        "Row 2, column 'Crime Ref': is empty",
        "Row 3, column 'Type': 'Gone' is not a value this force's mapping reads as missing or "
        "absent. Add it on the mapping page, or correct the file",
        "Row 4, column 'Last Seen': 2026-11-01 10:00 is not a date and time in the form "
        "23/11/2026 14:35 (this force's mapping)",
        "Row 5, column 'Last Seen': 02/11/2026 12:01 is in the future",
        "Row 6, column 'Reported': 01/11/2026 09:00 is before the child was last seen",
        "Row 7, column 'DOB': 30/02/2012 is not a real date",
        "Row 8, column 'DOB': 01/01/2030 is in the future",
        "Row 9, column 'Forename': is empty",
        "Row 10: has 10 cells but the header has 9: check for a stray comma",
        "Row 11, column 'Last Seen': 01/11/2026 24:00 is not a date and time in the form "
        "23/11/2026 14:35 (this force's mapping)",
    ]


def test_blank_lines_are_ignored_and_row_numbers_stay_those_of_a_spreadsheet(user, northshire):
    preview = preview_of(user, northshire, csv_of("", row(ref="NSP-1", kind="Gone")))
    assert str(preview.problems[0]).startswith("Row 3, column 'Type'")


# Encodings.


def test_a_byte_order_mark_and_windows_1252_are_read(user, northshire):
    with_bom = "\ufeff" + csv_of(row(given="Zoë"))
    assert preview_of(user, northshire, with_bom).rows[0].given_name == "Zoë"
    windows = held(user, northshire, csv_of(row(given="Zoë")), encoding="cp1252")
    assert build_preview(windows, user).rows[0].given_name == "Zoë"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"PK\x03\x04rest-of-a-zip", "is an Excel workbook"),
        ("Crime Ref\r\n".encode("utf-16"), "UTF-16"),
        (b"Crime Ref,Forename\r\nNSP-1,\x81\x8d\r\n", "neither UTF-8 nor Windows-1252"),
        (b"  \r\n", "is empty"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_reason(user, northshire, content, message):
    with pytest.raises(UploadRefused, match=message):
        receive(user, northshire, content)
    assert not PoliceUpload.objects.exists()


def test_a_file_over_the_size_limit_is_refused(user, northshire, monkeypatch):
    monkeypatch.setattr("harbour.missing.upload.files.MAX_BYTES", 100)
    with pytest.raises(UploadRefused, match="larger than"):
        receive(user, northshire, csv_of(row(), row(ref="NSP-2")).encode())


# UK time at the clock changes.


def test_the_hour_skipped_and_the_hour_repeated_at_the_clock_changes_are_refused(user, northshire):
    preview = preview_of(
        user,
        northshire,
        csv_of(
            row(ref="NSP-1", seen="29/03/2026 01:30"),
            row(ref="NSP-2", seen="29/03/2026 02:00"),
            row(ref="NSP-3", seen="25/10/2026 01:30"),
            row(ref="NSP-4", seen="25/10/2026 00:59"),
            row(ref="NSP-5", seen="25/10/2026 02:00"),
        ),
    )
    statuses = [r.status for r in preview.rows]
    assert statuses == ["problem", "ready", "problem", "ready", "ready"]
    assert "did not happen in the UK" in str(preview.rows[0].problems[0])
    assert "happened twice" in str(preview.rows[2].problems[0])
    # 02:00 on 29 March is BST; 00:59 on 25 October still BST; 02:00 then is GMT.
    assert preview.rows[1].started_at == dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert preview.rows[3].started_at == dt.datetime(2026, 10, 24, 23, 59, tzinfo=UTC)
    assert preview.rows[4].started_at == dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_a_time_with_an_offset_is_exact_even_in_the_repeated_hour(user):
    mapping = {
        **NORTHSHIRE,
        "formats": {"datetime_format": "%Y-%m-%dT%H:%M%z", "date_format": "%d/%m/%Y"},
    }
    force = force_with(mapping)
    preview = preview_of(
        user,
        force,
        csv_of(
            row(ref="NSP-1", seen="2026-10-25T01:30+0100"),
            row(ref="NSP-2", seen="2026-10-25T01:30+0000"),
        ),
    )
    assert [r.started_at for r in preview.rows] == [
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    ]


def test_a_time_whose_instant_falls_outside_the_calendar_is_named_not_raised(user):
    # Both real times, but in UTC or in Europe/London (1 minute 15 behind) before year 1.
    mapping = {
        **NORTHSHIRE,
        "formats": {"datetime_format": "%Y-%m-%dT%H:%M%z", "date_format": "%d/%m/%Y"},
    }
    preview = preview_of(
        user,
        force_with(mapping),
        csv_of(
            row(ref="NSP-1", seen="0001-01-01T00:30+0100"),
            row(ref="NSP-2", seen="0001-01-01T00:00+0000"),
        ),
    )
    assert [str(problem) for problem in preview.problems] == [
        "Row 2, column 'Last Seen': 0001-01-01T00:30+0100 is not a real date",
        "Row 3, column 'Last Seen': 0001-01-01T00:00+0000 is not a real date",
    ]


# Mappings.


def test_a_mapping_must_name_the_required_columns_and_readable_formats(user):
    force = PoliceForce.objects.create(name="Westmarch Police", code="WMX")
    with pytest.raises(ValidationError) as problem:
        save_mapping(
            "test",
            force,
            columns={
                "police_reference": "Ref",
                "given_name": "Ref",
                "last_seen": "Seen",
                "last_seen_date": "Day",
            },
            category_values={"MISSING": ["M"], "ABSENT": ["m"]},
            risk_values={},
            formats={"datetime_format": "%d/%m %H:%M", "date_format": "%d/%m/%Y"},
            version=None,
        )
    errors = problem.value.message_dict
    assert errors["family_name"] == ["Select the column that holds the family name"]
    assert errors["category"] == ["Select the column that holds the missing or absent"]
    assert "not both" in errors["last_seen"][0]
    assert "already used for the police reference" in errors["given_name"][0]
    assert "given for two different values" in errors["category_ABSENT"][0]
    assert "must include a day (%d), month (%m), year (%Y)" in errors["datetime_format"][0]
    assert not ColumnMapping.objects.filter(force=force).exists()


def test_saving_a_mapping_is_audited_and_a_stale_form_is_refused(user, northshire):
    mapping = northshire.mapping
    assert mapping.version == 1
    changed = {
        **NORTHSHIRE,
        "risk_values": {**NORTHSHIRE["risk_values"], "LOW": ["Low", "Standard"]},
    }
    save_mapping(user, northshire, version=1, **changed)
    with pytest.raises(Conflict):
        save_mapping(user, northshire, version=1, **NORTHSHIRE)
    event = AuditEvent.objects.filter(action="missing.column_mapping_saved").last()
    assert event.details["force"] == "NSP"
    assert "Standard" in event.details["changes"]["risk_values"][1]
    northshire.mapping.refresh_from_db()
    assert northshire.mapping.version == 2


def test_a_file_without_the_mapped_headers_asks_for_a_new_mapping(user, northshire):
    upload = held(user, northshire, "Ref,Name\r\nNSP-1,Ada\r\n")
    with pytest.raises(MappingMismatch) as problem:
        build_preview(upload, user)
    assert problem.value.headers == ["Ref", "Name"]
    force = PoliceForce.objects.create(name="Unmapped Police", code="UNM")
    with pytest.raises(MappingMismatch, match="no column mapping"):
        build_preview(held(user, force, "Ref\r\nX\r\n"), user)


# Repeats, references already recorded, matching.


def test_references_already_recorded_are_not_recorded_again_and_repeats_are_flagged(
    user, northshire
):
    # The rows name this child (no person id: the names and date of birth are the same).
    child = ChildFactory(
        given_name="Ada", family_name="Amberley", date_of_birth=dt.date(2012, 6, 15)
    )
    EpisodeFactory(child=child, episode_id="NSP-OLD")
    result = record_notification(
        "test",
        child=child,
        police_reference="NSP-MERGED",
        category="MISSING",
        started_at=NOW - dt.timedelta(days=400),
    )
    assert result.merged is False
    preview = preview_of(
        user,
        northshire,
        csv_of(row(ref="NSP-OLD"), row(ref="NSP-MERGED"), row(ref="NSP-NEW"), row(ref="nsp-new")),
    )
    assert [r.status for r in preview.rows] == ["recorded", "recorded", "ready", "problem"]
    assert preview.rows[0].recorded_episode.child_id == child.pk
    assert "also on row 4" in str(preview.rows[3].problems[0])


def test_each_row_gets_its_match_exact_likely_or_none(user, northshire):
    known = ChildFactory(child_id="P-2002", given_name="Zoë", family_name="Brook")
    alfred = ChildFactory(
        child_id="P-3", given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2010, 9, 3)
    )
    ChildFactory(child_id="P-SECRET", restricted=True)
    preview = preview_of(
        user,
        northshire,
        csv_of(
            row(ref="NSP-1", person="p-2002", given="Zoe"),
            row(ref="NSP-2", given="Alfie", family="Smtih", dob="03/09/2010"),
            row(ref="NSP-3", given="Nobody", family="Known", person="P-NEW"),
            row(ref="NSP-4", given="Nobody", family="Known", dob=""),
            row(ref="NSP-5", given="Hidden", family="Person", person="P-SECRET"),
            row(ref="NSP-6", given="Other", family="Person", person="P-NEW"),
        ),
    )
    exact, likely, new, no_birth, secret, same_new = preview.rows
    assert exact.match == "exact" and exact.candidates[0].child == known
    assert exact.default_choice() == f"child:{known.pk}"
    assert "new" not in exact.choices()
    assert likely.match == "likely" and likely.candidates[0].child == alfred
    assert "Known nickname: Alfie for Alfred" in likely.candidates[0].reasons
    assert likely.default_choice() == ""
    # No person id in the row: a new child can still be made, with a Harbour id.
    assert likely.choices() == [f"child:{alfred.pk}", "new", "skip"]
    # A new child is offered, never chosen for the coordinator.
    assert new.match == "none" and new.default_choice() == "" and "new" in new.choices()
    assert no_birth.choices() == ["skip"]
    assert no_birth.cannot_create == (
        "A new child cannot be created from this row: it has no date of birth. "
        "Record this notification with the form instead"
    )
    assert "restricted" in secret.cannot_create and secret.candidates == []
    assert same_new.same_new_child_as == new.number


def test_the_preview_takes_a_bounded_number_of_queries(
    user, northshire, django_assert_max_num_queries
):
    for n in range(30):
        ChildFactory(child_id=f"P-{n}", given_name="Ada", family_name=f"Family{n}")
    small = held(
        user, northshire, csv_of(*[row(ref=f"NSP-{n}", person=f"P-{n}") for n in range(3)])
    )
    lines = [row(ref=f"NSP-{n}", person=f"P-{n}", family=f"Family{n}") for n in range(30)]
    lines += [row(ref=f"NSP-X{n}", family=f"Famliy{n}", dob="15/06/2005") for n in range(30)]
    big = held(user, northshire, csv_of(*lines))
    with django_assert_max_num_queries(8):
        build_preview(small, user)
    # 60 rows: one more query for the second chunk of likely matches.
    with django_assert_max_num_queries(8):
        preview = build_preview(big, user)
    assert preview.counts()["exact"] == 30
    assert preview.counts()["likely"] == 30


# Recording.


def test_chosen_rows_are_recorded_and_a_repeat_is_merged_into_the_open_episode(user, northshire):
    alfred = ChildFactory(
        child_id="P-3", given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2010, 9, 3)
    )
    open_episode = EpisodeFactory(
        child=alfred,
        episode_id="NSP-EARLIER",
        started_at=NOW - dt.timedelta(hours=30),
        ended_at=None,
    )
    upload = held(
        user,
        northshire,
        csv_of(
            row(
                ref="NSP-1",
                given="Alfie",
                family="Smtih",
                dob="03/09/2010",
                seen="31/10/2026 05:00",
            ),
            row(ref="NSP-2", given="New", family="Child", person="P-NEW", dob="01/02/2012"),
            row(
                ref="NSP-3",
                given="New",
                family="Child",
                person="P-NEW",
                dob="01/02/2012",
                seen="01/11/2026 23:00",
            ),
            row(ref="NSP-4", given="Skipped", family="Row", person="P-SKIP"),
            row(ref="NSP-5", given="Bad", family="Row", seen="31/02/2026 10:00"),
        ),
    )
    preview = build_preview(upload, user)
    result = commit(
        user,
        upload,
        choices={2: f"child:{alfred.pk}", 3: "new", 4: "new", 5: "skip"},
        sexes={3: "F"},
        mapping_version=preview.mapping.version,
        offered=offered(preview),
    )
    assert result.counts() == {"created": 1, "merged": 2, "new_children": 1, "skipped": 1}
    open_episode.refresh_from_db()
    # The earlier last-seen time of the repeat is kept; its risk grade is taken.
    assert open_episode.started_at == dt.datetime(2026, 10, 31, 5, 0, tzinfo=UTC)
    assert open_episode.risk_level == "HIGH"
    assert set(open_episode.references.values_list("reference", flat=True)) == {"NSP-1"}
    new_child = Child.objects.get(child_id="P-NEW")
    assert new_child.sex == "F"
    assert list(new_child.episodes.values_list("episode_id", flat=True)) == ["NSP-2"]
    assert NotificationReference.objects.filter(reference="NSP-3").get().episode.child == new_child
    assert not Episode.objects.filter(episode_id__in=["NSP-4", "NSP-5"]).exists()
    assert not PoliceUpload.objects.filter(pk=upload.pk).exists()
    event = AuditEvent.objects.get(action="missing.police_upload_committed")
    assert event.details["created"] == 1 and event.details["merged"] == 2
    assert event.sealed == "" and "NSP" not in str(event.details).replace("'NSP'", "")
    assert sorted(event.child_pks) == sorted([alfred.pk, new_child.pk])


def test_if_any_row_fails_nothing_is_recorded(user, northshire):
    young = ChildFactory(
        child_id="P-YOUNG",
        given_name="Young",
        family_name="Child",
        date_of_birth=dt.date(2026, 10, 1),
    )
    upload = held(
        user,
        northshire,
        csv_of(
            row(ref="NSP-1", given="Fine", family="Row", person="P-FINE"),
            # Last seen before this child was born: the episode service refuses it.
            row(
                ref="NSP-2",
                person="P-YOUNG",
                given="Young",
                family="Child",
                dob="",
                seen="01/09/2026 10:00",
            ),
        ),
    )
    preview = build_preview(upload, user)
    with pytest.raises(CommitRefused) as refused:
        commit(
            user,
            upload,
            choices={2: "new", 3: f"child:{young.pk}"},
            sexes={},
            mapping_version=preview.mapping.version,
            offered=offered(preview),
        )
    assert refused.value.problems == [
        "Row 3: Last seen: Must not be before the child's date of birth.",
        "Nothing has been saved.",
    ]
    assert not Child.objects.filter(child_id="P-FINE").exists()
    assert not Episode.objects.exists()
    assert PoliceUpload.objects.filter(pk=upload.pk).exists()


def test_a_reference_recorded_after_the_preview_refuses_the_whole_file(user, northshire):
    child = ChildFactory(child_id="P-1")
    upload = held(
        user, northshire, csv_of(row(ref="NSP-1", person="P-1"), row(ref="NSP-2", person="P-1"))
    )
    preview = build_preview(upload, user)
    record_notification(
        "someone else",
        child=child,
        police_reference="NSP-2",
        category="MISSING",
        started_at=NOW - dt.timedelta(hours=3),
    )
    with pytest.raises(CommitRefused) as refused:
        commit(
            user,
            upload,
            choices={2: f"child:{child.pk}", 3: f"child:{child.pk}"},
            sexes={},
            mapping_version=preview.mapping.version,
            offered=offered(preview),
        )
    # The child now has an open episode the preview did not show, so the answers offered
    # have changed before the reference itself is looked at.
    assert refused.value.problems[0] == (
        "Someone changed the register while you were checking this file: check the rows again. "
        "Nothing has been saved."
    )
    assert list(Episode.objects.values_list("episode_id", flat=True)) == ["NSP-2"]


def test_a_mapping_changed_after_the_preview_refuses_the_file(user, northshire):
    upload = held(user, northshire, csv_of(row(person="P-NEW")))
    preview = build_preview(upload, user)
    save_mapping(user, northshire, version=1, **NORTHSHIRE)
    with pytest.raises(CommitRefused, match="mapping for this force was changed"):
        commit(
            user,
            upload,
            choices={2: "new"},
            sexes={},
            mapping_version=1,
            offered=offered(preview),
        )
    assert not Episode.objects.exists()


def test_held_files_are_deleted_after_24_hours(user, northshire, clock):
    old = held(user, northshire, csv_of(row()))
    clock.move_to(NOW + dt.timedelta(hours=23, minutes=59))
    assert purge_expired() == 0
    clock.move_to(NOW + dt.timedelta(hours=24, minutes=1))
    assert purge_expired() == 1
    assert not PoliceUpload.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(action="missing.police_uploads_expired").exists()


def test_the_purge_command_deletes_only_expired_files(user, northshire, clock):
    from io import StringIO

    from django.core.management import call_command

    held(user, northshire, csv_of(row()))
    clock.move_to(NOW + dt.timedelta(hours=25))
    fresh = held(user, northshire, csv_of(row()))
    out = StringIO()
    call_command("purge_police_uploads", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 held police extract(s)."
    assert list(PoliceUpload.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_rows_without_a_person_id_each_create_their_own_child_with_a_harbour_id(user, northshire):
    upload = held(
        user,
        northshire,
        csv_of(
            row(ref="NSP-1", given="Nobody", family="Known", dob="01/02/2012"),
            row(ref="NSP-2", given="Someone", family="Else", dob="03/04/2013"),
        ),
    )
    preview = build_preview(upload, user)
    assert [r.choices() for r in preview.rows] == [["new", "skip"], ["new", "skip"]]

    result = commit(
        user,
        upload,
        choices={2: "new", 3: "new"},
        sexes={},
        mapping_version=preview.mapping.version,
        offered=offered(preview),
    )

    assert result.counts()["new_children"] == 2
    nobody = Child.objects.get(given_name="Nobody")
    someone = Child.objects.get(given_name="Someone")
    assert nobody.child_id != someone.child_id
    assert nobody.child_id.startswith(HARBOUR_ID_PREFIX)
    assert list(nobody.episodes.values_list("episode_id", flat=True)) == ["NSP-1"]


def test_a_found_column_closes_each_late_notification_through_the_found_service(user):
    mapping = {**NORTHSHIRE, "columns": {**NORTHSHIRE["columns"], "found_at": "Found"}}
    force = force_with(mapping)
    header = HEADER + ",Found"
    upload = held(
        user,
        force,
        csv_of(
            row(ref="NSP-1", person="P-NEW", seen="20/10/2026 20:00") + ",21/10/2026 08:00",
            row(ref="NSP-2", person="P-OTHER", given="Bea", seen="01/11/2026 21:15") + ",",
            row(ref="NSP-3", person="P-BAD", given="Cy", seen="01/11/2026 21:15")
            + ",01/11/2026 20:00",
            header=header,
        ),
    )
    preview = build_preview(upload, user)
    late, still_missing, found_too_soon = preview.rows
    assert late.ended_at == dt.datetime(2026, 10, 21, 7, 0, tzinfo=UTC)
    assert still_missing.ended_at is None
    assert [str(problem) for problem in found_too_soon.problems] == [
        "Row 4, column 'Found': 01/11/2026 20:00 is before the child was last seen"
    ]

    commit(
        user,
        upload,
        choices={2: "new", 3: "new"},
        sexes={},
        mapping_version=preview.mapping.version,
        offered=offered(preview),
    )

    closed = Episode.objects.get(episode_id="NSP-1")
    assert closed.ended_at == dt.datetime(2026, 10, 21, 7, 0, tzinfo=UTC)
    assert Episode.objects.get(episode_id="NSP-2").ended_at is None
    assert AuditEvent.objects.filter(action="missing.episode_found").count() == 1
