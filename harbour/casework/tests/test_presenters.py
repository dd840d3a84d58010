"""The presenters turn rows already read into what the casework pages say, without a query:
these tests give them unsaved records and plain rows, and no database."""

import datetime as dt
from types import SimpleNamespace

from django.contrib.auth.models import User

from harbour.casework.flags import Flags
from harbour.casework.presenters import (
    HotspotRow,
    Listed,
    chronology_shown_text,
    entries_text,
    interview_rows,
    legal_status_rows,
    meeting_rows,
    meetings_overdue_text,
    missing_now_rows,
    ola_rows,
    placement_text,
    social_worker_text,
    statuses_today,
)
from harbour.children.models import Child, LegalStatus
from harbour.common.time import HOUR, UTC, epoch_seconds
from harbour.missing.models import Episode

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
TODAY = dt.date(2024, 7, 10)


def test_a_list_counted_past_its_limit_says_more_than():
    assert Listed([1, 2], 2).total_text == "2"
    assert Listed([1, 2], 1000, more=True).total_text == "more than 1,000"
    assert Listed([1, 2], 1234).cut_short and not Listed([1, 2], 2).cut_short


def test_a_listed_page_keeps_its_count_when_its_rows_are_presented():
    shown = Listed([1, 2], 7, more=True).shown_as(lambda rows: [str(n) for n in rows])

    assert shown == Listed(["1", "2"], 7, more=True)


def test_an_ungraded_episode_says_so_and_a_graded_one_gives_its_risk():
    child = Child(child_id="CH1")
    started = NOW - 30 * dt.timedelta(hours=1)
    graded = Episode(child=child, category="MISSING", started_at=started, risk_level="HIGH")
    ungraded = Episode(child=child, category="ABSENT", started_at=started, risk_level="")
    graded.elapsed_hours = ungraded.elapsed_hours = 30

    rows = missing_now_rows([graded, ungraded])

    assert [(row.category, row.risk, row.elapsed_hours) for row in rows] == [
        ("Missing", "High", 30),
        ("Absent", "Not graded", 30),
    ]


def test_an_interview_due_counts_whole_hours_left_then_whole_hours_overdue():
    def found(hours_ago: float) -> SimpleNamespace:
        ended = NOW - dt.timedelta(hours=hours_ago)
        return SimpleNamespace(
            child=None,
            episode_id="EP1",
            ended_at=ended,
            rhi_due_epoch=epoch_seconds(ended) + 72 * HOUR,
        )

    due_soon, overdue = interview_rows([found(50.5), found(80)], epoch_seconds(NOW))

    assert (due_soon.hours_left, due_soon.hours_overdue) == (21, 0)
    assert due_soon.due_at == NOW + dt.timedelta(hours=21.5)
    assert (overdue.hours_left, overdue.hours_overdue) == (0, 8)


def task(due_on: dt.date, meeting_id: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        pk=1, child=None, trigger="LONG_MISSING", due_on=due_on, meeting_id=meeting_id
    )


def test_a_meeting_is_overdue_from_the_day_after_it_was_due():
    late, today = meeting_rows([task(TODAY - dt.timedelta(days=1)), task(TODAY, 5)], TODAY)

    assert late.overdue and not today.overdue
    assert late.trigger == "Missing more than 72 hours"
    assert (late.status, today.status) == ("Meeting not requested", "Meeting requested")


def test_the_meetings_tag_says_at_least_when_every_row_shown_is_overdue_and_more_were_cut_off():
    overdue = meeting_rows([task(TODAY - dt.timedelta(days=n + 1)) for n in range(2)], TODAY)
    mixed = meeting_rows([task(TODAY - dt.timedelta(days=1)), task(TODAY)], TODAY)

    assert meetings_overdue_text(Listed(overdue, 2)) == "2 overdue"
    assert meetings_overdue_text(Listed(overdue, 9)) == "At least 2 overdue"
    assert meetings_overdue_text(Listed(mixed, 9)) == "1 overdue"
    assert meetings_overdue_text(Listed(mixed[1:], 1)) == ""


def test_a_hotspot_says_where_the_child_was_found_and_why_there_is_a_concern():
    flags = Flags(recent_missing=4, referral=True, assessment=False, panel=True)

    found = HotspotRow(Child(), flags, ["Bus station", "Park"])
    nowhere = HotspotRow(Child(), flags, [])

    assert found.found_at_text == "Bus station; Park"
    assert nowhere.found_at_text == "Not recorded"
    assert found.exploitation_text == "Referral, panel listing"
    assert found.recent_missing == 4


def test_the_responsible_authority_is_said_from_this_authoritys_point_of_view():
    since = dt.date(2024, 1, 1)
    statuses = [
        LegalStatus(status="LAC", responsible_la="", start_date=since),
        LegalStatus(status="LAC", responsible_la="343", start_date=since, placement="FOSTER"),
        LegalStatus(status="LAC", responsible_la="316", start_date=since),
        LegalStatus(status="CP", responsible_la="", start_date=since),
    ]

    shown = statuses_today(statuses, "343")

    assert [(status.authority, status.placement) for status in shown] == [
        ("this authority (343)", ""),
        ("this authority (343)", "Foster care"),
        ("another authority (316)", ""),
        ("", ""),
    ]
    assert statuses_today(statuses[:1], None)[0].authority == "this authority"


def test_every_legal_status_row_says_in_force_until_it_ends():
    open_status = LegalStatus(pk=1, status="LAC", responsible_la="", start_date=dt.date(2024, 3, 1))
    ended = LegalStatus(
        pk=2,
        status="CIN",
        start_date=dt.date(2023, 1, 5),
        end_date=dt.date(2023, 6, 30),
    )

    rows = legal_status_rows([open_status, ended])

    assert [(row.from_text, row.to_text, row.authority) for row in rows] == [
        ("1 March 2024", "In force", "This authority"),
        ("5 January 2023", "30 June 2023", ""),
    ]


def test_the_placement_address_joins_what_is_recorded():
    assert placement_text(Child(placement_address="1 Quay", placement_postcode="L1 1AA")) == (
        "1 Quay, L1 1AA"
    )
    assert placement_text(Child(placement_postcode="L1 1AA")) == "L1 1AA"
    assert placement_text(Child()) == "Not recorded"


def test_the_social_worker_is_named_by_full_name_or_username():
    named = User(username="sw1", first_name="Ana", last_name="Vale")

    assert social_worker_text(Child(allocated_social_worker=named)) == "Ana Vale"
    assert social_worker_text(Child(allocated_social_worker=User(username="sw2"))) == "sw2"
    assert social_worker_text(Child()) == "Not allocated"


LABELS = {"episodes": "Missing and absent episodes", "meetings": "Meetings", "panels": "Panels"}


def test_the_printed_chronology_says_which_kinds_and_which_period_it_holds():
    everything = chronology_shown_text(list(LABELS), LABELS, None, None)
    some = chronology_shown_text(["episodes", "panels"], LABELS, dt.date(2024, 5, 1), None)
    until = chronology_shown_text(["meetings"], LABELS, None, dt.date(2024, 6, 30))

    assert everything == "everything"
    assert some == "missing and absent episodes, panels from 1 May 2024"
    assert until == "meetings to 30 June 2024"


def test_one_entry_is_an_entry_and_more_are_entries():
    assert [entries_text(n) for n in (0, 1, 2, 1200)] == [
        "0 entries",
        "1 entry",
        "2 entries",
        "1,200 entries",
    ]


def test_a_response_awaited_names_the_placing_authority_as_best_it_can():
    def awaited(name: str, code: str) -> SimpleNamespace:
        return SimpleNamespace(
            pk=7,
            child=None,
            episode_id="EP7",
            authority_name=name,
            placing_authority=code,
            ola_log=SimpleNamespace(request_epoch=epoch_seconds(NOW)),
            ola_status="CHASER_DUE",
        )

    named, coded, unknown = ola_rows(
        [awaited("Wirral", "344"), awaited("", "344"), awaited("", "")]
    )

    assert [row.authority for row in (named, coded, unknown)] == ["Wirral", "344", "Not recorded"]
    assert named.requested_at == NOW
    assert named.status_tag == {"text": "Chaser due", "classes": "govuk-tag--orange"}
