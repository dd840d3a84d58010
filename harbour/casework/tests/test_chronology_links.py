"""Every chronology entry links to the page of the record it comes from, when the viewer
may open that page; the printed chronology links nowhere; links cost no query per entry."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from harbour.authorities import services as ola
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
    make_staff,
)
from harbour.common.time import UTC
from harbour.interviews.models import Allocation
from harbour.meetings.models import MeetingTask
from harbour.missing.models import NotificationReference

NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def episode_with_everything(child, worker, started, coordinator):
    """An episode with a police notification, an allocation to `worker`, a return
    interview, a notification to the placing authority and a meeting task."""
    episode = EpisodeFactory(child=child, started_at=started, ended_at=started + 5 * HOUR)
    NotificationReference.objects.create(
        episode=episode, reference=episode.episode_id, received_at=started + HOUR
    )
    Allocation.objects.create(
        episode=episode, worker=worker, organisation="", allocated_at=episode.ended_at + HOUR
    )
    ReturnInterviewFactory(episode=episode)
    ola.notify_placing_authority(
        coordinator,
        episode,
        kind="INTERVIEW_REQUESTED",
        sent_at=episode.ended_at + 2 * HOUR,
        method="LETTER",
        version=0,
    )
    return episode


@pytest.fixture
def story():
    """A child placed here by another authority, with one record of every kind."""
    coordinator = make_staff("COORDINATOR")
    worker = make_staff("RHI_WORKER")
    child = ChildFactory()
    LegalStatusFactory(child=child, responsible_la="344")
    episode = episode_with_everything(child, worker, NOW - 30 * DAY, coordinator)
    meeting = MeetingFactory(child=child, requested_on=(NOW - 20 * DAY).date())
    task = MeetingTask.objects.create(
        child=child,
        trigger="LONG_MISSING",
        triggered_at=NOW - 25 * DAY,
        raised_at=NOW - 25 * DAY,
        due_on=(NOW - 18 * DAY).date(),
    )
    day = (NOW - 10 * DAY).date()
    ReferralFactory(child=child, received_on=day)
    RiskAssessmentFactory(child=child, completed_on=day, risk="HIGH")
    PanelListingFactory(child=child, panel_date=day)
    return {
        "child": child,
        "episode": episode,
        "meeting": meeting,
        "task": task,
        "coordinator": coordinator,
        "worker": worker,
    }


def links_by_kind(page: str) -> dict[str, set[str]]:
    """The addresses each kind of timeline entry links to (an empty set: no link)."""
    timeline = page.split('class="moj-timeline"', 1)[1]
    found: dict[str, set[str]] = {}
    for item in timeline.split('class="moj-timeline__item"')[1:]:
        kind = re.search(r'data-kind="([a-z_]+)"', item)
        assert kind, item
        found.setdefault(kind.group(1), set()).update(re.findall(r'href="([^"]+)"', item))
    return found


def child_page(client, user: User, child, path: str = "") -> str:
    client.force_login(user)
    response = client.get(f"/children/{child.pk}/{path}")
    assert response.status_code == 200
    return response.content.decode()


def test_each_kind_of_entry_links_to_the_page_of_its_record(client, story):
    episode, meeting, task = story["episode"], story["meeting"], story["task"]

    links = links_by_kind(child_page(client, story["coordinator"], story["child"]))

    assert links == {
        "episodes": {f"/episodes/{episode.pk}/"},
        # A police notification has no page of its own: its episode's page lists it.
        "police_notifications": {f"/episodes/{episode.pk}/"},
        "allocations": {f"/interviews/{episode.pk}/allocate/"},
        "interviews": {f"/interviews/{episode.pk}/record/"},
        "ola": {f"/authorities/ola/{episode.pk}/"},
        "meeting_tasks": {f"/meetings/tasks/{task.pk}/"},
        "meetings": {f"/meetings/{meeting.pk}/"},
        # A referral links to its page (exploitation.record_referral).
        "referrals": {f"/exploitation/referrals/{referral_of(story['child']).pk}/"},
        # A screening or assessment links to its page (exploitation.screen).
        "assessments": {f"/exploitation/assessments/{assessment_of(story['child']).pk}/"},
        # A MACE listing's page is for those who run MACE, not coordinators.
        "panels": set(),
    }


def test_the_link_names_the_entry_for_screen_readers(client, story):
    page = child_page(client, story["coordinator"], story["child"])

    assert re.search(
        rf'href="/meetings/{story["meeting"].pk}/">View'
        r'<span class="govuk-visually-hidden"> multi-agency missing meeting requested</span>',
        page,
    )


def test_an_exploitation_lead_gets_links_to_meetings_only(client, story):
    lead = make_staff("EXPLOITATION_LEAD")

    links = links_by_kind(child_page(client, lead, story["child"]))

    assert links["meetings"] == {f"/meetings/{story['meeting'].pk}/"}
    assert links["meeting_tasks"] == {f"/meetings/tasks/{story['task'].pk}/"}
    for kind in ("episodes", "police_notifications", "allocations", "interviews", "ola"):
        assert links[kind] == set(), kind


def assessment_of(child):
    from harbour.exploitation.models import RiskAssessment

    return RiskAssessment.objects.get(child=child)


def test_a_social_worker_who_opens_no_missing_page_gets_only_the_exploitation_links(client, story):
    social_worker = make_staff("SOCIAL_WORKER")

    links = links_by_kind(child_page(client, social_worker, story["child"]))

    assessment = assessment_of(story["child"])
    referral = referral_of(story["child"])
    assert set().union(*links.values()) == {
        f"/exploitation/assessments/{assessment.pk}/",
        f"/exploitation/referrals/{referral.pk}/",
    }


def referral_of(child):
    from harbour.exploitation.models import Referral

    return Referral.objects.get(child=child)


def test_a_worker_gets_links_to_the_interviews_allocated_to_them_and_no_others(client, story):
    child, worker = story["child"], story["worker"]
    someone_else = make_staff("RHI_WORKER", username="someone-else")
    not_theirs = episode_with_everything(child, someone_else, NOW - 60 * DAY, story["coordinator"])

    links = links_by_kind(child_page(client, worker, child))

    assert links["interviews"] == {f"/interviews/{story['episode'].pk}/record/"}
    assert f"/interviews/{not_theirs.pk}/record/" not in set().union(*links.values())
    for kind in ("episodes", "police_notifications", "allocations", "ola", "meetings"):
        assert links[kind] == set(), kind


@pytest.mark.parametrize("role", ["COORDINATOR", "EXPLOITATION_LEAD", "RHI_WORKER"])
def test_every_link_opens_for_the_viewer(client, story, role):
    viewer = (
        story["worker"] if role == "RHI_WORKER" else make_staff(role, username=f"viewer-{role}")
    )
    other_worker = make_staff("RHI_WORKER", username="other-worker")
    episode_with_everything(
        story["child"],
        other_worker,
        NOW - 60 * DAY,
        story["coordinator"],
    )

    links = set().union(*links_by_kind(child_page(client, viewer, story["child"])).values())

    assert links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_the_printed_chronology_links_nowhere(client, story):
    page = child_page(client, story["coordinator"], story["child"], "print/")

    assert set().union(*links_by_kind(page).values()) == set()


@pytest.mark.parametrize("role", ["COORDINATOR", "RHI_WORKER"])
def test_the_links_take_the_same_queries_for_2_episodes_as_for_20(client, role):
    coordinator = make_staff("COORDINATOR")
    worker = make_staff("RHI_WORKER")
    viewer = coordinator if role == "COORDINATOR" else worker
    child = ChildFactory()
    LegalStatusFactory(child=child, responsible_la="344")

    def more(count: int, start: int) -> None:
        for n in range(start, start + count):
            started = NOW - (n + 1) * 7 * DAY
            episode_with_everything(child, worker, started, coordinator)
            MeetingFactory(child=child, requested_on=started.date())
            MeetingTask.objects.create(
                child=child,
                trigger="LONG_MISSING",
                triggered_at=started,
                raised_at=started,
                due_on=started.date() + 7 * DAY,
            )

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"/children/{child.pk}/").content.decode()
        return len(captured), page.count(">View<span")

    client.force_login(viewer)
    more(2, 0)
    client.get(f"/children/{child.pk}/")  # the session and the user, loaded once
    few, few_links = queries()
    more(18, 2)
    many, many_links = queries()

    assert many_links > few_links > 0
    assert many == few
