import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from harbour.audit.models import AuditEvent
from harbour.children.models import Child, LegalStatus
from harbour.common.time import UTC
from harbour.conftest import FolderWriter
from harbour.missing.models import Episode
from harbour.returns.ssda903.importer import import_ssda903

from .ssda903_folders import FOLDER, XML, with_changes

pytestmark = pytest.mark.django_db


def _register() -> dict[str, list[tuple[Any, ...]]]:
    """Every stored value of the records the import writes, in a stable order."""
    return {
        "children": list(Child.objects.order_by("pk").values_list()),
        "statuses": list(LegalStatus.objects.order_by("pk").values_list()),
        "episodes": list(Episode.objects.order_by("pk").values_list()),
    }


def test_folder_creates_children_looked_after_periods_and_date_only_episodes(
    write_folder: FolderWriter,
) -> None:
    result = import_ssda903(write_folder(FOLDER))

    assert result.errors == []
    assert {name: vars(count) for name, count in result.counts.items()} == {
        "children": {"created": 3, "updated": 0, "unchanged": 0},
        "looked_after": {"created": 3, "updated": 0, "unchanged": 0},
        "episodes": {"created": 4, "updated": 0, "unchanged": 0},
    }
    child = Child.objects.get(child_id="C100")
    assert (child.date_of_birth, child.sex, child.ethnicity) == (dt.date(2009, 5, 14), "M", "WBRI")
    assert Child.objects.get(child_id="C200").sex == "F"
    statuses = LegalStatus.objects.order_by("child__child_id", "start_date")
    assert [
        (s.child.child_id, s.status, s.start_date, s.end_date, s.placement, s.responsible_la)
        for s in statuses
    ] == [
        ("C100", "LAC", dt.date(2024, 2, 10), dt.date(2024, 9, 1), "FOSTER", "343"),
        ("C100", "LAC", dt.date(2024, 9, 1), None, "RESIDENTIAL", "343"),
        ("C200", "LAC", dt.date(2024, 6, 1), dt.date(2024, 12, 15), "SUPPORTED", "343"),
    ]
    assert Episode.objects.filter(date_only=True).count() == 4


def test_away_from_placement_is_an_absent_episode(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))

    away = Episode.objects.get(child__child_id="C100", started_on=dt.date(2024, 5, 4))
    assert away.category == "ABSENT"
    assert away.episode_id == "903-C100-A-20240504"


def test_episode_starts_and_ends_at_local_midnight_across_the_clocks_going_forward(
    write_folder: FolderWriter,
) -> None:
    # Clocks went forward at 01:00 GMT on Sunday 30 March 2025: midnight that night was
    # still GMT, midnight of the 31st was BST (23:00 UTC on the 30th).
    import_ssda903(write_folder(FOLDER))

    episode = Episode.objects.get(child__child_id="C100", started_on=dt.date(2025, 3, 30))
    assert episode.started_at == dt.datetime(2025, 3, 30, 0, 0, tzinfo=UTC)
    assert episode.ended_at == dt.datetime(2025, 3, 30, 23, 0, tzinfo=UTC)
    assert episode.ended_epoch is not None
    assert episode.ended_epoch - episode.started_epoch == 23 * 3600
    assert episode.date_only is True


def test_an_episode_starting_in_summer_time_starts_at_2300_utc_the_day_before(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER))

    episode = Episode.objects.get(child__child_id="C200")
    assert episode.started_at == dt.datetime(2024, 7, 4, 23, 0, tzinfo=UTC)
    assert episode.started_on == dt.date(2024, 7, 5)


def test_open_episode_has_no_end(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))

    episode = Episode.objects.get(child__child_id="C100", started_on=dt.date(2025, 3, 20))
    assert episode.ended_at is None and episode.ended_epoch is None


def test_reimporting_the_same_folder_changes_nothing(write_folder: FolderWriter) -> None:
    folder = write_folder(FOLDER)
    import_ssda903(folder)
    before = _register()

    result = import_ssda903(folder)

    assert result.errors == []
    assert _register() == before
    assert {name: vars(count) for name, count in result.counts.items()} == {
        "children": {"created": 0, "updated": 0, "unchanged": 3},
        "looked_after": {"created": 0, "updated": 0, "unchanged": 3},
        "episodes": {"created": 0, "updated": 0, "unchanged": 4},
    }


def test_xml_imports_the_same_register_as_csv(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder({"return.xml": XML}))
    from_xml = _register()

    result = import_ssda903(write_folder(FOLDER))

    assert result.errors == []
    assert _register() == from_xml
    assert result.counts["episodes"].unchanged == 4


def test_a_later_return_gives_an_open_episode_its_end(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))
    later = with_changes(FOLDER, "missing.csv", "M,20/03/2025,", "M,20/03/2025,22/03/2025")

    result = import_ssda903(write_folder(later))

    assert result.counts["episodes"].updated == 1
    episode = Episode.objects.get(child__child_id="C100", started_on=dt.date(2025, 3, 20))
    assert episode.ended_at == dt.datetime(2025, 3, 22, 0, 0, tzinfo=UTC)
    assert episode.version == 2


def test_an_earlier_return_with_the_episode_still_open_does_not_reopen_it(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER))
    earlier = with_changes(FOLDER, "missing.csv", "05/07/2024,08/07/2024", "05/07/2024,")

    result = import_ssda903(write_folder(earlier))

    episode = Episode.objects.get(child__child_id="C200")
    assert episode.ended_at == dt.datetime(2024, 7, 7, 23, 0, tzinfo=UTC)
    assert result.counts["episodes"].unchanged == 4


def test_an_earlier_return_with_the_child_still_in_care_does_not_reopen_the_period(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER))
    earlier = with_changes(FOLDER, "episodes.csv", "15/12/2024,E13", ",")

    result = import_ssda903(write_folder(earlier))

    status = LegalStatus.objects.get(child__child_id="C200")
    assert status.end_date == dt.date(2024, 12, 15)
    assert result.counts["looked_after"].unchanged == 3


def test_an_episode_recorded_with_real_times_is_left_as_it_is(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(FOLDER))
    episode = Episode.objects.get(child__child_id="C200")
    real_start = dt.datetime(2024, 7, 5, 16, 30, tzinfo=UTC)
    real_end = dt.datetime(2024, 7, 8, 9, 15, tzinfo=UTC)
    episode.started_at, episode.ended_at, episode.date_only = real_start, real_end, False
    episode.refresh_derived()
    episode.save()

    result = import_ssda903(write_folder(FOLDER))

    episode.refresh_from_db()
    assert (episode.started_at, episode.ended_at, episode.date_only) == (
        real_start,
        real_end,
        False,
    )
    assert result.counts["episodes"].unchanged == 4


def test_impossible_date_refuses_the_import_with_file_line_and_column(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "missing.csv", "M,20/03/2025,", "M,31/02/2025,")

    result = import_ssda903(write_folder(folder))

    assert result.errors == ["missing.csv:4:MIS_START: is not a real date in the form dd/mm/YYYY"]
    assert _register() == {"children": [], "statuses": [], "episodes": []}


def test_unknown_missing_code_refuses_the_import(write_folder: FolderWriter) -> None:
    folder = with_changes(FOLDER, "missing.csv", "C200,02/11/2008,M,", "C200,02/11/2008,X,")

    result = import_ssda903(write_folder(folder))

    assert result.errors == ["missing.csv:5:MISSING: is not a 903 code the register knows (A, M)"]
    assert not Child.objects.exists()


def test_unknown_place_code_refuses_the_import(write_folder: FolderWriter) -> None:
    folder = with_changes(FOLDER, "episodes.csv", ",H5,", ",Q9,")

    result = import_ssda903(write_folder(folder))

    assert len(result.errors) == 1
    assert result.errors[0].startswith("episodes.csv:4:PLACE: is not a 903 code")


def test_renamed_header_column_is_one_error_and_nothing_is_stored(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "header.csv", "ETHNIC", "ETHNICITY")

    result = import_ssda903(write_folder(folder))

    assert result.errors == [
        "header.csv:1:ETHNIC: the header has no ETHNIC column; it has 'ETHNICITY' instead"
    ]
    assert not Child.objects.exists()


def test_child_in_no_header_and_not_in_the_register_is_refused(write_folder: FolderWriter) -> None:
    folder = with_changes(FOLDER, "missing.csv", "C200,", "C999,")

    result = import_ssda903(write_folder(folder))

    assert result.errors == [
        "missing.csv:5:CHILD: child C999 is neither in header.csv nor in the register"
    ]


def test_missing_rows_of_a_child_already_in_the_register_need_no_header_row(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER))
    only_missing = {
        "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n",
        "missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END\nC300,23/01/2012,M,01/08/2024,\n",
    }

    result = import_ssda903(write_folder(only_missing))

    assert result.errors == []
    assert Episode.objects.filter(child__child_id="C300").count() == 1


def test_every_problem_is_listed_in_reading_order_and_a_refused_child_only_once(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "missing.csv", "C100,14/05/2009,A,", "C100,14/05/2009,B,")
    folder = with_changes(folder, "header.csv", "C200,2,", "C200,7,")

    result = import_ssda903(write_folder(folder))

    # C200's rows in episodes.csv and missing.csv are not reported again.
    assert result.errors == [
        "header.csv:3:SEX: is not a 903 code the register knows (1, 2)",
        "missing.csv:3:MISSING: is not a 903 code the register knows (A, M)",
    ]


def test_child_id_with_a_control_character_is_refused_without_echoing_it(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "header.csv", "C300,", "C3\x1b[2J00,")

    result = import_ssda903(write_folder(folder))

    assert result.errors == [
        "header.csv:4:CHILD: contains a control character (U+001B) at character 3"
    ]


def test_end_before_start_is_imported_as_given_with_a_warning_naming_the_row(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(FOLDER, "missing.csv", "05/07/2024,08/07/2024", "05/07/2024,01/07/2024")

    result = import_ssda903(write_folder(folder))

    assert result.errors == []
    assert result.warnings == [
        "missing.csv:5:MIS_END: is before MIS_START; imported as it is and listed on the "
        "data quality worklist (rule 567)"
    ]
    episode = Episode.objects.get(child__child_id="C200")
    assert episode.date_only
    assert (episode.started_at, episode.ended_at) == (
        dt.datetime(2024, 7, 4, 23, 0, tzinfo=UTC),
        dt.datetime(2024, 6, 30, 23, 0, tzinfo=UTC),
    )


def test_an_episode_before_the_childs_birth_is_imported_with_a_warning(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(
        FOLDER, "missing.csv", "C200,02/11/2008,M,05/07/2024", "C200,02/11/2008,M,05/07/2007"
    )

    result = import_ssda903(write_folder(folder))

    assert result.errors == []
    assert result.warnings == [
        "missing.csv:5:MIS_START: is before the child's date of birth (02/11/2008); "
        "imported as it is (rule 586): amend the episode or the child's date of birth"
    ]
    assert Episode.objects.get(child__child_id="C200").started_on == dt.date(2007, 7, 5)


def test_the_same_row_twice_is_two_episodes_and_reimporting_matches_each_once(
    write_folder: FolderWriter,
) -> None:
    twice = "C200,02/11/2008,M,05/07/2024,08/07/2024\n"
    folder = write_folder(with_changes(FOLDER, "missing.csv", twice, twice + twice))

    first = import_ssda903(folder)
    before = _register()
    again = import_ssda903(folder)

    assert first.warnings == [
        "missing.csv:6:MIS_START: repeats line 5 (the same child, MISSING code and start "
        "date); imported as it is and listed on the data quality worklist (rule 574)"
    ]
    assert Episode.objects.filter(child__child_id="C200").count() == 2
    assert again.counts["episodes"].unchanged == 5
    assert _register() == before


def test_a_missing_date_in_the_future_is_refused(write_folder: FolderWriter) -> None:
    folder = with_changes(FOLDER, "missing.csv", "05/07/2024,08/07/2024", "05/07/2024,08/07/2099")

    result = import_ssda903(write_folder(folder))

    assert result.errors == ["missing.csv:5:MIS_END: is in the future"]
    assert not Episode.objects.exists()


def test_a_looked_after_period_ending_before_it_starts_is_refused(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(
        FOLDER,
        "episodes.csv",
        "01/06/2024,S,V2,N4,H5,PR2,15/12/2024",
        "01/06/2024,S,V2,N4,H5,PR2,15/12/2023",
    )

    result = import_ssda903(write_folder(folder))

    assert result.errors == [
        "episodes.csv:4:DEC: is before DECOM; the register cannot hold such a period"
    ]
    assert not Child.objects.exists()


def test_a_missing_episode_outside_care_is_imported_for_the_rules_to_list(
    write_folder: FolderWriter,
) -> None:
    # C300 is never looked after: 903 rules object, the import does not.
    folder = with_changes(
        FOLDER,
        "missing.csv",
        "C200,02/11/2008,M,05/07/2024,08/07/2024\n",
        "C200,02/11/2008,M,05/07/2024,08/07/2024\nC300,23/01/2012,M,01/08/2024,02/08/2024\n",
    )

    result = import_ssda903(write_folder(folder))

    assert result.errors == []
    assert Episode.objects.filter(child__child_id="C300").count() == 1


def test_overlapping_missing_episodes_are_imported_for_the_rules_to_list(
    write_folder: FolderWriter,
) -> None:
    folder = with_changes(
        FOLDER,
        "missing.csv",
        "C200,02/11/2008,M,05/07/2024,08/07/2024\n",
        "C200,02/11/2008,M,05/07/2024,08/07/2024\nC200,02/11/2008,M,06/07/2024,07/07/2024\n",
    )

    result = import_ssda903(write_folder(folder))

    assert result.errors == []
    assert Episode.objects.filter(child__child_id="C200").count() == 2


def test_an_import_is_one_audit_event_with_counts_and_checksums(
    write_folder: FolderWriter,
) -> None:
    import_ssda903(write_folder(FOLDER), actor="tester")

    event = AuditEvent.objects.get(action="returns.ssda903_import")
    assert event.actor_name == "tester"
    assert event.details["format"] == "csv"
    assert event.details["counts"]["episodes"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert len(event.details["sha256"]["missing.csv"]) == 64


def test_refused_import_is_not_audited(write_folder: FolderWriter) -> None:
    import_ssda903(write_folder(with_changes(FOLDER, "header.csv", "C100,1,", "C100,7,")))

    assert not AuditEvent.objects.filter(action="returns.ssda903_import").exists()


def test_command_reports_problems_and_refuses(
    write_folder: FolderWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = with_changes(FOLDER, "missing.csv", "M,20/03/2025,", "M,31/02/2025,")

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_ssda903", str(write_folder(folder)))

    assert "missing.csv:4:MIS_START: is not a real date" in capsys.readouterr().err


def test_command_prints_counts(
    write_folder: FolderWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_ssda903", str(write_folder(FOLDER)))

    assert "episodes: 4 new, 0 updated, 0 unchanged" in capsys.readouterr().out
