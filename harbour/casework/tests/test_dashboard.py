import datetime as dt
import re

import pytest

from harbour.audit.models import AuditEvent
from harbour.casework.dashboard import build
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
    make_staff,
)
from harbour.common.time import UTC

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)  # 1pm in London
TODAY = dt.date(2024, 7, 10)
HOUR = dt.timedelta(hours=1)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def table(page: str, id: str) -> str:
    match = re.search(rf'<table class="govuk-table" id="{id}">(.*?)</table>', page, re.S)
    assert match, id
    return re.sub(r"\s+", " ", match.group(1))


def rows(page: str, id: str) -> list[list[str]]:
    body = table(page, id).split("<tbody")[1].split(">", 1)[1]
    return [re.sub(r"<[^>]+>", " ", row).split() for row in body.split("</tr>")[:-1]]


def ended(hours_ago: float, child=None, **fields):
    end = NOW - dt.timedelta(hours=hours_ago)
    return EpisodeFactory(
        child=child or ChildFactory(),
        started_at=end - 5 * HOUR,
        ended_at=end,
        **fields,
    )


# Who sees it


@pytest.mark.parametrize("role", ["COORDINATOR", "SOCIAL_WORKER"])
def test_caseworkers_arrive_on_the_dashboard(client, client_as, role):
    client_as(role)

    page = client.get("/").content.decode()

    assert '<h1 class="govuk-heading-xl">Dashboard</h1>' in page


def test_an_exploitation_lead_arrives_on_the_exploitation_dashboard(client, client_as):
    client_as("EXPLOITATION_LEAD")

    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == "/exploitation/"


@pytest.mark.parametrize("role", ["ANALYST", "AUDITOR", "ADMINISTRATOR", "RHI_WORKER"])
def test_other_roles_keep_the_home_page_and_see_no_child(client, client_as, role):
    child = ChildFactory(given_name="Zebedee")
    EpisodeFactory(child=child, started_at=NOW - HOUR, ended_at=None)
    client_as(role)

    page = client.get("/").content.decode()

    assert "Dashboard" not in page and "Zebedee" not in page
    assert not AuditEvent.objects.filter(action="casework.dashboard_viewed").exists()


# Children missing now


def test_children_missing_now_with_the_hours_elapsed(client, client_as):
    missing = ChildFactory(given_name="Ada", family_name="Missing")
    EpisodeFactory(
        child=missing,
        started_at=NOW - 30 * HOUR - dt.timedelta(minutes=59),
        ended_at=None,
        risk_level="HIGH",
    )
    absent = ChildFactory(given_name="Bea", family_name="Absent")
    EpisodeFactory(
        child=absent, category="ABSENT", started_at=NOW - 2 * HOUR, ended_at=None, risk_level="LOW"
    )
    ended(1, child=ChildFactory(given_name="Cal", family_name="Returned"))
    client_as("COORDINATOR")

    found = rows(client.get("/").content.decode(), "missing-now")

    # Time missing in days and hours (harbour/common/durations.py), then the risk.
    assert [(row[0], row[1]) for row in found] == [("Ada", "Missing"), ("Bea", "Absent")]
    assert " ".join(found[0]).endswith(" 1 day 6 hours High")
    assert " ".join(found[1]).endswith(" 2 hours Low")


def test_a_restricted_child_is_listed_only_for_those_on_its_list(client, client_as):
    child = ChildFactory(given_name="Hidden", restricted=True)
    EpisodeFactory(child=child, started_at=NOW - HOUR, ended_at=None)
    user = client_as("COORDINATOR")

    assert "Hidden" not in client.get("/").content.decode()
    child.access_list.add(user)
    assert "Hidden" in client.get("/").content.decode()


# Return interviews


def test_interviews_due_in_the_next_24_hours_and_overdue(client, client_as):
    due_soon = ended(50, episode_id="DUE-SOON")  # due in 22 hours
    ended(47, episode_id="NOT-YET")  # due in 25 hours
    overdue = ended(80, episode_id="OVERDUE")  # 8 hours overdue
    just_due = ended(72, episode_id="DUE-NOW")  # due this instant: in the next 24 hours
    ReturnInterviewFactory(episode=ended(100, episode_id="DONE"))
    ReturnInterviewFactory(
        episode=ended(100, episode_id="DECLINED"), outcome="DECLINED", completed_at=None
    )
    ReturnInterviewFactory(
        episode=ended(100, episode_id="NOT-REQUIRED"),
        outcome="NOT_REQUIRED",
        offered_at=None,
        completed_at=None,
    )
    ReturnInterviewFactory(
        episode=ended(100, episode_id="NO-RESPONSE"), outcome="NO_RESPONSE", completed_at=None
    )
    placed_here = ended(90, episode_id="OLA-CHILD")
    LegalStatusFactory(child=placed_here.child, responsible_la="316")
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    due = table(page, "interviews-due")
    assert "DUE-NOW" in due and "DUE-SOON" in due
    assert due.index("DUE-NOW") < due.index("DUE-SOON")
    assert "NOT-YET" not in due
    assert [row[3] for row in rows(page, "interviews-overdue")] == ["NO-RESPONSE", "OVERDUE"]
    assert rows(page, "interviews-overdue")[1][-2:] == ["8", "hours"]
    for settled in ("DONE", "DECLINED", "NOT-REQUIRED", "OLA-CHILD"):
        assert settled not in page
    assert overdue and due_soon and just_due


# Meetings required


def task_for(child, due_on: dt.date, trigger: str = "LONG_MISSING", **fields):
    from harbour.meetings.models import MeetingTask

    return MeetingTask.objects.create(
        child=child,
        trigger=trigger,
        triggered_at=NOW - 100 * HOUR,
        raised_at=NOW - 99 * HOUR,
        due_on=due_on,
        **fields,
    )


def test_overdue_interviews_are_those_found_within_the_window(client, client_as, settings):
    settings.HARBOUR_INTERVIEW_WINDOW_DAYS = 90
    ended(90 * 24, episode_id="FOUND-90-DAYS-AGO")
    ended(90 * 24 + 1, episode_id="FOUND-EARLIER")
    client_as("COORDINATOR")

    overdue = table(client.get("/").content.decode(), "interviews-overdue")

    assert "FOUND-90-DAYS-AGO" in overdue and "FOUND-EARLIER" not in overdue


def test_meetings_required_lists_open_tasks_with_trigger_due_date_and_overdue_marker(
    client, client_as
):
    late = task_for(ChildFactory(given_name="Late"), dt.date(2024, 7, 9))
    task_for(ChildFactory(given_name="Today"), TODAY, trigger="REPEAT_MISSING")
    task_for(ChildFactory(given_name="Closed"), TODAY, closed_at=NOW - HOUR, closed_because="HELD")
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    found = rows(page, "meetings-required")
    assert [row[0] for row in found] == ["Late", "Today"]
    text = table(page, "meetings-required")
    assert "Missing more than 72 hours" in text and "Third missing episode within 90 days" in text
    assert "9 July 2024 Overdue" in " ".join(re.sub(r"<[^>]+>", " ", text).split())
    assert text.count("Overdue") == 1
    assert f'href="/meetings/tasks/{late.pk}/"' in text
    assert "Closed" not in page


def test_a_social_worker_sees_meetings_required_without_links_to_pages_they_cannot_open(
    client, client_as
):
    task_for(ChildFactory(given_name="Ada"), TODAY)
    client_as("SOCIAL_WORKER")

    text = table(client.get("/").content.decode(), "meetings-required")

    assert "Ada" in text and "/meetings/tasks/" not in text


# Responses awaited from other authorities


def requested(episode, at: dt.datetime, **log):
    from harbour.authorities.models import OlaLog

    return OlaLog.objects.create(
        episode=episode, version=1, notified_epoch=int(at.timestamp()),
        request_epoch=int(at.timestamp()), **log,
    )  # fmt: skip


def test_ola_responses_awaited_with_their_status(client, client_as, settings):
    from harbour.authorities.models import LocalAuthority

    settings.HARBOUR_OLA_CHASE_DAYS = 3
    settings.HARBOUR_OLA_ESCALATE_DAYS = 7
    LocalAuthority.objects.create(code="344", name="Example Shire Council")
    placed = []
    for name in ("Escalate", "Chase", "Wait", "Answered"):
        child = ChildFactory(given_name=name)
        LegalStatusFactory(child=child, responsible_la="344")
        placed.append(ended(200, child=child, episode_id=f"OLA-{name.upper()}"))
    requested(placed[0], NOW - dt.timedelta(days=7))
    requested(placed[1], NOW - dt.timedelta(days=3))
    requested(placed[2], NOW - dt.timedelta(days=3) + dt.timedelta(seconds=1))
    requested(placed[3], NOW - dt.timedelta(days=9), response_epoch=int(NOW.timestamp()))
    client_as("COORDINATOR")

    page = client.get("/").content.decode()

    found = [" ".join(row) for row in rows(page, "ola-responses")]
    assert len(found) == 3
    assert found[0].startswith("Escalate") and found[0].endswith("Escalation due")
    assert found[1].startswith("Chase") and found[1].endswith("Chaser due")
    assert found[2].startswith("Wait") and found[2].endswith("Awaiting response")
    assert "Example Shire Council" in found[0]
    assert f'href="/authorities/ola/{placed[0].pk}/"' in page
    assert "OLA-ANSWERED" not in page


# Missing and hotspots


def missing_on(child, day: dt.date, **fields):
    started = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
    return EpisodeFactory(child=child, started_at=started, ended_at=started + HOUR, **fields)


def test_the_hotspots_list_ranks_children_by_missing_episodes_in_the_last_90_days(
    client, client_as
):
    often = ChildFactory(given_name="Often", family_name="A")
    for days, place in ((1, "Bus Station"), (20, "bus  station"), (89, "Park")):
        missing_on(often, TODAY - dt.timedelta(days=days), found_location=place)
    ReferralFactory(child=often, received_on=TODAY - dt.timedelta(days=300))
    twice = ChildFactory(given_name="Twice", family_name="B")
    missing_on(twice, TODAY - dt.timedelta(days=90))
    missing_on(twice, TODAY - dt.timedelta(days=91))  # outside the window
    missing_on(twice, TODAY, category="ABSENT")  # absences do not count
    missing_on(twice, TODAY - dt.timedelta(days=2))
    RiskAssessmentFactory(child=twice, completed_on=dt.date(2023, 7, 9), risk="HIGH")
    old = ChildFactory(given_name="Old")
    missing_on(old, TODAY - dt.timedelta(days=200))
    client_as("COORDINATOR")

    found = rows(client.get("/").content.decode(), "hotspots")

    assert [row[0] for row in found] == ["Often", "Twice"]
    assert found[0][3:7] == ["Frequently", "missing", "3", "Exploitation"]
    assert "Referral" in found[0]
    assert " ".join(found[0]).endswith("Bus Station; Park")
    assert found[1][3:] == ["2", "None", "Not", "recorded"]


def test_the_hotspots_list_is_the_top_20():
    for n in range(25):
        child = ChildFactory()
        for days in range(1 + n % 4):
            missing_on(child, TODAY - dt.timedelta(days=days))
    user = make_staff("COORDINATOR")

    hotspots = build(user)["hotspots"]

    assert len(hotspots) == 20
    counts = [child.recent_missing for child in hotspots]
    assert counts == sorted(counts, reverse=True) and counts[0] == 4


# Places children are found


def test_found_locations_are_one_place_whatever_their_case_and_spaces(client, client_as):
    for place in ("Bus Station", "bus  station", "BUS STATION", " Bus station "):
        missing_on(ChildFactory(), TODAY - dt.timedelta(days=3), found_location=place)
    missing_on(ChildFactory(), TODAY - dt.timedelta(days=3), found_location="Park")
    missing_on(ChildFactory(), TODAY - dt.timedelta(days=100), found_location="Park")
    client_as("COORDINATOR")

    found = rows(client.get("/").content.decode(), "places")

    assert len(found) == 2
    assert found[0][-2:] == ["4", "4"]
    assert found[0][0].lower() == "bus"
    assert found[1] == ["Park", "1", "1"]


# Audit and queries


def test_the_dashboard_is_audited_once_naming_every_child_shown(client, client_as):
    missing = ChildFactory()
    EpisodeFactory(child=missing, started_at=NOW - HOUR, ended_at=None)
    overdue = ended(80).child
    frequent = ChildFactory()
    missing_on(frequent, TODAY - dt.timedelta(days=5))
    ChildFactory()  # not shown
    user = client_as("COORDINATOR")

    client.get("/")

    event = AuditEvent.objects.get(action="casework.dashboard_viewed")
    assert event.actor == user
    shown = set(event.subjects.values_list("child_pk", flat=True))
    assert shown == {missing.pk, overdue.pk, frequent.pk}


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, client_as, django_assert_max_num_queries
):
    for n in range(60):
        child = ChildFactory()
        EpisodeFactory(child=child, started_at=NOW - (n + 1) * HOUR, ended_at=None)
        for days in range(1, 4):
            missing_on(child, TODAY - dt.timedelta(days=days), found_location=f"Place {n % 7}")
        ended(60 + n, child=child)
        ended(10 + n % 5, child=child)
        ReferralFactory(child=child, received_on=TODAY)
        task_for(child, due_on=TODAY + dt.timedelta(days=n % 9 - 4))
    for n in range(25):
        placed = ChildFactory()
        LegalStatusFactory(child=placed, responsible_la="344")
        requested(ended(30 + n, child=placed), NOW - dt.timedelta(hours=20 + n))
    client_as("COORDINATOR")

    with django_assert_max_num_queries(28):
        page = client.get("/").content.decode()

    assert len(rows(page, "missing-now")) == 50
    assert "Showing the 50 missing longest of 60." in page
    assert len(rows(page, "hotspots")) == 20
    assert len(rows(page, "meetings-required")) == 20
    assert len(rows(page, "ola-responses")) == 20
    assert re.search(r"Showing the first 50 of \d+", page)
    assert "Showing the first 20 of 60" in page
    assert "Showing the first 20 of 25" in page
