import datetime as dt
import re

import pytest

from harbour.audit.models import AuditEvent
from harbour.casework.chronology import chronology
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    ReturnInterviewFactory,
    RiskAssessmentFactory,
)
from harbour.common.time import LONDON, UTC

# A summer day: London is UTC+1.
NOW = dt.datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
TODAY = dt.date(2024, 7, 10)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def field(page: str, name: str) -> str:
    match = re.search(rf'data-field="{name}">(.*?)</dd>', page)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# Identity bar


def test_the_identity_bar_shows_the_age_reached_on_the_birthday_itself(client, client_as):
    child = ChildFactory(given_name="Ada", family_name="Brook", date_of_birth=dt.date(2010, 7, 10))
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{child.pk}/"))

    assert 'class="moj-identity-bar"' in page
    assert "Ada Brook" in page
    assert field(page, "date-of-birth") == "10 July 2010"
    assert field(page, "age") == "14"


def test_the_age_is_one_less_the_day_before_the_birthday(client, client_as):
    child = ChildFactory(date_of_birth=dt.date(2010, 7, 11))
    client_as("COORDINATOR")

    assert field(text(client.get(f"/children/{child.pk}/")), "age") == "13"


def test_the_legal_status_today_is_the_one_in_force_on_todays_london_date(
    client, client_as, settings
):
    child = ChildFactory()
    LegalStatusFactory(
        child=child, status="LAC", start_date=dt.date(2020, 1, 1), end_date=TODAY, placement=""
    )
    LegalStatusFactory(
        child=child,
        status="CP",
        start_date=dt.date(2018, 1, 1),
        end_date=TODAY - dt.timedelta(days=1),
    )
    LegalStatusFactory(child=child, status="CIN", start_date=TODAY + dt.timedelta(days=1))
    client_as("COORDINATOR")

    status = field(text(client.get(f"/children/{child.pk}/")), "legal-status")

    assert "Looked after since 1 January 2020: responsible authority this authority (343)" in status
    assert "Child protection" not in status
    assert "Child in need" not in status


def test_the_responsible_authority_of_a_child_placed_here_by_another_authority(client, client_as):
    child = ChildFactory()
    LegalStatusFactory(child=child, status="LAC", responsible_la="316", placement="FOSTER")
    client_as("COORDINATOR")

    status = field(text(client.get(f"/children/{child.pk}/")), "legal-status")

    assert "responsible authority another authority (316); foster care" in status


def test_a_child_with_no_status_today_says_so(client, client_as):
    child = ChildFactory()
    client_as("COORDINATOR")

    status = field(text(client.get(f"/children/{child.pk}/")), "legal-status")

    assert status == "Not looked after and not on a plan"


def test_a_restricted_child_carries_the_restricted_tag_for_those_on_the_list(client, client_as):
    child = ChildFactory(restricted=True)
    user = client_as("COORDINATOR")
    child.access_list.add(user)

    page = text(client.get(f"/children/{child.pk}/"))

    assert re.search(r'class="govuk-tag govuk-tag--red[^"]*"> Restricted </strong>', page)


def test_an_open_child_has_no_restricted_tag(client, client_as):
    child = ChildFactory()
    client_as("COORDINATOR")

    assert "Restricted" not in text(client.get(f"/children/{child.pk}/"))


# Flags


def missing_on(child, day: dt.date, category: str = "MISSING"):
    return EpisodeFactory(child=child, started_at=at(day), category=category)


def test_three_missing_episodes_in_the_last_90_days_flag_frequently_missing(client, client_as):
    child = ChildFactory()
    for days in (0, 30, 90):  # 90 days ago is the first day of the window
        missing_on(child, TODAY - dt.timedelta(days=days))
    client_as("COORDINATOR")

    assert "Frequently missing" in text(client.get(f"/children/{child.pk}/"))


def test_an_episode_91_days_ago_or_an_absence_does_not_count(client, client_as):
    child = ChildFactory()
    missing_on(child, TODAY)
    missing_on(child, TODAY - dt.timedelta(days=30))
    missing_on(child, TODAY - dt.timedelta(days=91))
    missing_on(child, TODAY - dt.timedelta(days=5), category="ABSENT")
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{child.pk}/"))

    assert "Frequently missing" not in page
    assert "No flags" in page


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda child, day: ReferralFactory(child=child, received_on=day), "referral"),
        (
            lambda child, day: RiskAssessmentFactory(child=child, completed_on=day, risk="HIGH"),
            "risk assessment at medium or high",
        ),
        (lambda child, day: PanelListingFactory(child=child, panel_date=day), "panel listing"),
    ],
)
def test_an_exploitation_concern_counts_for_one_year_to_the_day(client, client_as, make, reason):
    client_as("COORDINATOR")
    inside = ChildFactory()
    make(inside, dt.date(2023, 7, 10))
    outside = ChildFactory()
    make(outside, dt.date(2023, 7, 9))

    page = text(client.get(f"/children/{inside.pk}/"))
    assert "Exploitation concern" in page
    assert f"In the last year: {reason}" in page
    assert "Exploitation concern" not in text(client.get(f"/children/{outside.pk}/"))


def test_a_low_risk_assessment_is_not_an_exploitation_concern(client, client_as):
    child = ChildFactory()
    RiskAssessmentFactory(child=child, completed_on=TODAY, risk="LOW")
    client_as("COORDINATOR")

    assert "Exploitation concern" not in text(client.get(f"/children/{child.pk}/"))


# Chronology


@pytest.fixture
def history():
    child = ChildFactory()
    episode = EpisodeFactory(
        child=child,
        episode_id="POL-1",
        started_at=at(dt.date(2024, 1, 5), 18),
        ended_at=at(dt.date(2024, 1, 6), 9),
        found_location="Bus station",
    )
    ReturnInterviewFactory(
        episode=episode,
        offered_at=at(dt.date(2024, 1, 7), 10),
        completed_at=at(dt.date(2024, 1, 9), 15),
        method="FACE_TO_FACE",
    )
    MeetingFactory(child=child, requested_on=dt.date(2024, 2, 1), held_on=dt.date(2024, 2, 8))
    ReferralFactory(child=child, received_on=dt.date(2024, 3, 1), source="POLICE")
    RiskAssessmentFactory(child=child, completed_on=dt.date(2024, 3, 10), risk="HIGH")
    PanelListingFactory(child=child, panel_date=dt.date(2024, 4, 2), risk="MEDIUM")
    EpisodeFactory(child=ChildFactory(), started_at=at(dt.date(2024, 1, 5)))  # someone else
    return child


def test_the_chronology_holds_everything_newest_first(history):
    entries = chronology(history)

    assert [(entry.day, entry.title) for entry in entries] == [
        (dt.date(2024, 4, 2), "Listed at panel"),
        (dt.date(2024, 3, 10), "Risk assessment completed"),
        (dt.date(2024, 3, 1), "Exploitation referral received"),
        (dt.date(2024, 2, 8), "Multi-agency missing meeting held"),
        (dt.date(2024, 2, 1), "Multi-agency missing meeting requested"),
        (dt.date(2024, 1, 9), "Return interview completed"),
        (dt.date(2024, 1, 7), "Return interview offered"),
        (dt.date(2024, 1, 6), "Found or returned"),
        (dt.date(2024, 1, 5), "Went missing"),
    ]
    found = entries[7]
    assert found.detail == "After 15 hours missing. Found at Bus station"
    assert entries[0].detail == "Multi-agency child exploitation. Risk: medium"


def test_the_chronology_runs_one_query_per_kind(history, django_assert_num_queries):
    from harbour.casework.chronology import KINDS

    with django_assert_num_queries(len(KINDS)):
        chronology(history)


def test_the_chronology_filters_by_kind_and_by_london_date(history):
    only = chronology(history, kinds=["episodes", "panels"])
    assert {entry.kind for entry in only} == {"episodes", "panels"}

    # The return was at 9am London on 6 January; the start on 5 January.
    window = chronology(history, first=dt.date(2024, 1, 6), last=dt.date(2024, 2, 1))
    assert [entry.title for entry in window] == [
        "Multi-agency missing meeting requested",
        "Return interview completed",
        "Return interview offered",
        "Found or returned",
    ]


def test_an_instant_late_in_the_evening_falls_on_its_london_date():
    child = ChildFactory()
    # 22:30 UTC on 30 June is 11:30pm London on 30 June; found 5 hours later, on 1 July.
    EpisodeFactory(child=child, started_at=dt.datetime(2024, 6, 30, 22, 30, tzinfo=UTC))
    # 23:30 UTC on 30 June is 12:30am London on 1 July.
    EpisodeFactory(child=child, started_at=dt.datetime(2024, 6, 30, 23, 30, tzinfo=UTC))

    entries = chronology(child, kinds=["episodes"], first=dt.date(2024, 7, 1))

    assert [entry.date_text for entry in entries] == [
        "1 July 2024 at 5:30am",
        "1 July 2024 at 4:30am",
        "1 July 2024 at 12:30am",
    ]
    assert [entry.title for entry in entries][-1] == "Went missing"
    before = chronology(child, kinds=["episodes"], last=dt.date(2024, 6, 30))
    assert [entry.date_text for entry in before] == ["30 June 2024 at 11:30pm"]


def test_the_page_shows_the_timeline_and_filters_without_javascript(client, client_as, history):
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{history.pk}/"))
    assert 'class="moj-timeline"' in page
    assert page.count('class="moj-timeline__item"') == 9
    # Everything shown is the filter left empty: no box is ticked.
    assert 'type="checkbox"' in page and " checked" not in page

    filtered = text(
        client.get(
            f"/children/{history.pk}/",
            {"kind": "episodes", "from-day": "6", "from-month": "1", "from-year": "2024"},
        )
    )
    assert filtered.count('class="moj-timeline__item"') == 1
    assert "Found or returned" in filtered
    assert 'value="episodes" checked' in filtered
    assert filtered.count(" checked") == 1
    assert 'name="from-day" type="text" inputmode="numeric" value="6"' in filtered


def test_a_date_that_is_not_real_is_explained_and_the_entry_kept(client, client_as, history):
    client_as("COORDINATOR")

    page = text(
        client.get(
            f"/children/{history.pk}/", {"from-day": "31", "from-month": "2", "from-year": "2024"}
        )
    )

    assert "<title>Error: " in page
    assert page.count('class="govuk-error-summary"') == 1
    assert 'href="#from-day">Date from must be a real date' in page
    assert 'value="31"' in page
    assert page.count('class="moj-timeline__item"') == 9


def test_the_printable_version_shows_no_error_summary_for_a_date_that_is_not_real(
    client, client_as, history
):
    client_as("COORDINATOR")
    query = {"from-day": "31", "from-month": "2", "from-year": "2024"}

    page = text(client.get(f"/children/{history.pk}/print/", query))

    assert "govuk-error-summary" not in page
    assert page.count('class="moj-timeline__item"') == 9


def test_a_period_ending_before_it_starts_is_refused(client, client_as, history):
    client_as("COORDINATOR")
    query = {"from-day": "2", "from-month": "2", "from-year": "2024"}
    query |= {"to-day": "1", "to-month": "2", "to-year": "2024"}

    page = text(client.get(f"/children/{history.pk}/", query))

    assert "Date to must be the same as or after date from" in page


def test_the_printable_version_has_the_same_entries_without_navigation(client, client_as, history):
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{history.pk}/print/", {"kind": "meetings"}))

    assert page.count('class="moj-timeline__item"') == 2
    assert "Showing meetings: 2 entries, newest first." in page
    assert "govuk-service-navigation" not in page
    assert 'method="get"' not in page
    assert AuditEvent.objects.filter(action="children.child_printed").count() == 1


def test_the_print_link_keeps_the_filter(client, client_as, history):
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{history.pk}/", {"kind": "meetings"}))

    assert f'href="/children/{history.pk}/print/?kind=meetings"' in page


# Links


def test_a_coordinator_sees_the_subject_access_link_but_not_the_access_list(
    client, client_as, history
):
    client_as("COORDINATOR")

    page = text(client.get(f"/children/{history.pk}/"))

    assert "Subject access export" in page
    assert "Who may see this record" not in page


def test_a_social_worker_sees_neither_link(client, client_as, history):
    client_as("SOCIAL_WORKER")

    page = text(client.get(f"/children/{history.pk}/"))

    assert "Subject access export" not in page
    assert "Who may see this record" not in page


# Access and audit


def test_viewing_the_page_is_audited_once_naming_the_child(client, client_as, history):
    user = client_as("COORDINATOR")

    client.get(f"/children/{history.pk}/")

    event = AuditEvent.objects.get(action="children.child_viewed")
    assert event.actor == user
    assert event.object_id == str(history.pk)
    assert list(event.subjects.values_list("child_pk", flat=True)) == [history.pk]


@pytest.mark.parametrize(
    "roles", [("ANALYST",), ("AUDITOR",), ("ADMINISTRATOR",), ("RHI_WORKER",), ()]
)
def test_roles_without_the_child_are_refused(client, client_as, history, roles):
    client_as(*roles)

    assert client.get(f"/children/{history.pk}/").status_code == 403
    assert client.get(f"/children/{history.pk}/print/").status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="children.child_").exists()


def test_a_restricted_child_is_refused_to_those_not_on_the_list_and_audited(
    client, client_as, history
):
    history.restricted = True
    history.save()
    user = client_as("COORDINATOR", is_superuser=True)

    response = client.get(f"/children/{history.pk}/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "This record is restricted" in page
    assert history.child_id not in page and history.given_name not in page
    refused = AuditEvent.objects.get(action="children.restricted_refused")
    assert refused.actor == user
    assert not AuditEvent.objects.filter(action="children.child_viewed").exists()


def test_an_unknown_child_is_not_found_after_the_permission_check(client, client_as):
    client_as("ANALYST")
    assert client.get("/children/999999/").status_code == 403
    client.logout()
    client_as("SOCIAL_WORKER")
    assert client.get("/children/999999/").status_code == 404


def test_the_page_runs_a_bounded_number_of_queries(
    client, client_as, django_assert_max_num_queries
):
    child = ChildFactory()
    for n in range(30):
        episode = EpisodeFactory(child=child, started_at=at(TODAY - dt.timedelta(days=n + 1), 8))
        ReturnInterviewFactory(episode=episode)
        ReferralFactory(child=child, received_on=TODAY - dt.timedelta(days=n))
        PanelListingFactory(child=child, panel_date=TODAY - dt.timedelta(days=n))
    client_as("COORDINATOR")

    # 28: one query a chronology kind (concern periods and screening tasks among them);
    # the open period in the identity bar is a subquery of the child's own query.
    with django_assert_max_num_queries(28):
        response = client.get(f"/children/{child.pk}/")

    assert text(response).count('class="moj-timeline__item"') == 180
