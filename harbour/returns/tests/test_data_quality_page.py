"""The data quality worklist (/returns/data-quality/): the register checked against the
DfE's 903 missing rules on every view, each failure with a link to the page that fixes it,
for coordinators only."""

from __future__ import annotations

import datetime as dt
import html
from datetime import UTC

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from harbour.accounts.models import Role
from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, LegalStatusFactory
from harbour.missing import services as missing_services
from harbour.missing.models import Episode
from harbour.returns.data_quality import fix_for
from harbour.returns.ssda903.rules import RULES, Failure
from harbour.returns.ssda903.tables import Source

# The 2025 collection year (1 April 2025 to 31 March 2026) is the current one.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2025, 12, 6, 12, 0, tzinfo=UTC)),
]

PAGE = "/returns/data-quality/"
OVERLAP = RULES["574"].message


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def looked_after_child(child_id: str, **fields) -> Child:
    child = ChildFactory.create(child_id=child_id, date_of_birth=dt.date(2010, 3, 1), **fields)
    LegalStatusFactory.create(child=child, status="LAC", start_date=dt.date(2024, 1, 1))
    return child


def overlapping_episodes(child: Child, first: dt.date) -> tuple[Episode, Episode]:
    """Two missing episodes of the child: the second starts the day after the first did,
    while the first is still open (574 fails the second)."""
    earlier = EpisodeFactory.create(
        child=child,
        started_at=at(first, 18),
        ended_at=at(first + dt.timedelta(days=2), 9),
    )
    later = EpisodeFactory.create(
        child=child,
        started_at=at(first + dt.timedelta(days=1), 20),
        ended_at=at(first + dt.timedelta(days=3), 9),
    )
    return earlier, later


def failure_rows(content: str) -> str:
    """The page's failures table (empty when it has none)."""
    start = content.find('id="failures"')
    return "" if start < 0 else content[start : content.index("</table>", start)]


def test_a_coordinator_sees_a_failing_episode_with_the_dfe_message_and_a_link_to_fix_it(
    client, client_as
):
    child = looked_after_child("DQ-1", given_name="Nell", family_name="Overlap")
    _, later = overlapping_episodes(child, dt.date(2025, 5, 1))
    client_as(Role.COORDINATOR)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    rows = failure_rows(page)
    assert "Nell Overlap" in rows
    assert f'href="{reverse("child", args=[child.pk])}"' in rows
    assert OVERLAP in rows
    assert f'href="{reverse("episode_amend", args=[later.pk])}"' in rows
    assert "Missing, 2 May 2025 to 4 May 2025" in rows
    # The summary counts the failures per rule.
    assert rows.count("<tr") == 2  # the head and one failure
    assert "Collection year 1 April 2025 to 31 March 2026" in page


def test_after_amending_the_episode_so_it_no_longer_overlaps_the_next_view_does_not_list_it(
    client, client_as
):
    child = looked_after_child("DQ-2")
    _, later = overlapping_episodes(child, dt.date(2025, 5, 1))
    coordinator = client_as(Role.COORDINATOR)
    assert OVERLAP in html.unescape(client.get(PAGE).content.decode())

    missing_services.amend_episode(
        coordinator,
        later,
        changes={
            "started_at": at(dt.date(2025, 5, 4), 10),
            "ended_at": at(dt.date(2025, 5, 4), 15),
        },
        reason="The police corrected the date last seen.",
        version=later.version,
    )

    page = html.unescape(client.get(PAGE).content.decode())
    assert OVERLAP not in page
    assert failure_rows(page) == ""
    assert "No record fails the DfE's missing rules for this collection year." in page


def test_a_restricted_childs_failures_are_counted_not_named(client, client_as):
    open_child = looked_after_child("DQ-OPEN", given_name="Ola", family_name="Open")
    overlapping_episodes(open_child, dt.date(2025, 5, 1))
    hidden = looked_after_child(
        "DQ-HIDDEN", given_name="Rhea", family_name="Hidden", restricted=True
    )
    overlapping_episodes(hidden, dt.date(2025, 6, 1))
    overlapping_episodes(hidden, dt.date(2025, 7, 1))
    client_as(Role.COORDINATOR)

    page = html.unescape(client.get(PAGE).content.decode())

    assert "Ola Open" in page
    assert "Rhea" not in page and "DQ-HIDDEN" not in page
    assert f'href="{reverse("child", args=[hidden.pk])}"' not in page
    assert "2 failures are on 1 restricted record you cannot open" in page
    event = AuditEvent.objects.get(action="returns.data_quality_viewed")
    assert event.child_pks == [open_child.pk]
    assert event.details == {"year": 2025, "rule": "", "failures": 3, "listed": 1, "page": 1}


def test_a_coordinator_on_the_access_list_sees_the_restricted_childs_failures(client, client_as):
    hidden = looked_after_child(
        "DQ-LISTED", given_name="Rhea", family_name="Listed", restricted=True
    )
    overlapping_episodes(hidden, dt.date(2025, 6, 1))
    coordinator = client_as(Role.COORDINATOR)
    hidden.access_list.add(coordinator)

    page = html.unescape(client.get(PAGE).content.decode())

    assert "Rhea Listed" in failure_rows(page)
    assert "restricted record" not in page


@pytest.mark.parametrize(
    "role",
    [
        Role.ANALYST,
        Role.RHI_WORKER,
        Role.SOCIAL_WORKER,
        Role.EXPLOITATION_LEAD,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    ],
)
def test_everyone_but_coordinators_is_refused(client, client_as, role):
    overlapping_episodes(looked_after_child("DQ-R"), dt.date(2025, 5, 1))
    client_as(role)

    response = client.get(PAGE)

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="returns.data_quality_viewed").exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "sign-in" in response["Location"]


def test_the_year_chooser_checks_the_year_asked_for(client, client_as):
    # An overlap in May 2024: the 2024 collection year's, not this year's.
    overlapping_episodes(looked_after_child("DQ-Y", given_name="Yara"), dt.date(2024, 5, 1))
    client_as(Role.COORDINATOR)

    this_year = html.unescape(client.get(PAGE).content.decode())
    last_year = html.unescape(client.get(PAGE, {"year": "2024"}).content.decode())

    assert "Yara" not in failure_rows(this_year)
    assert "Yara" in failure_rows(last_year)
    assert "Collection year 1 April 2024 to 31 March 2025" in last_year
    assert '<option value="2024" selected>' in last_year
    years = AuditEvent.objects.filter(action="returns.data_quality_viewed").order_by("pk")
    assert [event.details["year"] for event in years] == [2025, 2024]


@pytest.mark.parametrize("year", ["2026", "1990", "last", "2024.5"])
def test_a_year_not_offered_is_a_clear_error_and_nothing_is_checked(client, client_as, year):
    overlapping_episodes(looked_after_child("DQ-E", given_name="Edda"), dt.date(2025, 5, 1))
    client_as(Role.COORDINATOR)

    response = client.get(PAGE, {"year": year})

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#year"' in page
    assert "Select a collection year from the list" in page
    assert "<title>Error: " in page
    assert "Edda" not in page
    assert not AuditEvent.objects.filter(action="returns.data_quality_viewed").exists()


def test_each_view_is_audited_with_the_year_the_count_and_the_children_shown(client, client_as):
    first = looked_after_child("DQ-A1")
    second = looked_after_child("DQ-A2")
    overlapping_episodes(first, dt.date(2025, 5, 1))
    overlapping_episodes(second, dt.date(2025, 6, 1))
    coordinator = client_as(Role.COORDINATOR)

    client.get(PAGE)

    event = AuditEvent.objects.get(action="returns.data_quality_viewed")
    assert event.actor == coordinator
    assert event.details == {"year": 2025, "rule": "", "failures": 2, "listed": 2, "page": 1}
    assert event.child_pks == sorted([first.pk, second.pk])


def test_failures_are_listed_by_child_then_rule(client, client_as):
    # Bryn came into care on 1 June 2025: an episode from 30 May that ran into care starts
    # outside it (578 and 581), and two later episodes overlap (574). Aled has an overlap.
    bryn = ChildFactory.create(
        child_id="DQ-B", given_name="Bryn", date_of_birth=dt.date(2010, 3, 1)
    )
    LegalStatusFactory.create(child=bryn, status="LAC", start_date=dt.date(2025, 6, 1))
    EpisodeFactory.create(
        child=bryn, started_at=at(dt.date(2025, 5, 30), 9), ended_at=at(dt.date(2025, 6, 2), 9)
    )
    overlapping_episodes(bryn, dt.date(2025, 7, 1))
    overlapping_episodes(looked_after_child("DQ-A", given_name="Aled"), dt.date(2025, 8, 1))
    client_as(Role.COORDINATOR)

    rows = failure_rows(html.unescape(client.get(PAGE).content.decode()))

    listed = [
        (name, code)
        for line in rows.split("<tr")[2:]
        for name in ("Aled", "Bryn")
        if name in line
        for code in RULES
        if f">{code}</td>" in line
    ]
    assert listed == [("Aled", "574"), ("Bryn", "574"), ("Bryn", "578"), ("Bryn", "581")]


def queries_for_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_failures(client, client_as):
    client_as(Role.COORDINATOR)
    overlapping_episodes(looked_after_child("DQ-Q0"), dt.date(2025, 5, 1))
    queries_for_page(client)  # the first request of a session reads what later ones keep
    one = queries_for_page(client)
    for number in range(1, 8):
        child = looked_after_child(f"DQ-Q{number}", restricted=number % 2 == 0)
        overlapping_episodes(child, dt.date(2025, 5, 1))
        overlapping_episodes(child, dt.date(2025, 8, 1))

    assert queries_for_page(client) == one


def test_the_fix_link_is_the_page_of_the_record_the_row_was_built_from():
    child = looked_after_child("DQ-F")
    status = child.legal_statuses.get()
    episode = EpisodeFactory.create(child=child, started_at=at(dt.date(2025, 5, 1), 9))

    def fix(table: str, model: str, pk: int) -> str:
        return fix_for(Failure("000", "", table, Source(model=model, pk=pk), "DQ-F"), child).href

    assert fix("missing", "missing.episode", episode.pk) == reverse(
        "episode_amend", args=[episode.pk]
    )
    assert fix("episodes", "children.legalstatus", status.pk) == reverse(
        "legal_status_edit", args=[child.pk, status.pk]
    )
    assert fix("header", "children.child", child.pk) == reverse("child_edit", args=[child.pk])


def test_an_imported_episode_ending_before_it_starts_is_listed_until_amended(client, client_as):
    child = looked_after_child("DQ-567")
    backwards = EpisodeFactory.create(
        child=child,
        date_only=True,
        started_at=dt.datetime(2025, 7, 4, 23, 0, tzinfo=UTC),
        ended_at=dt.datetime(2025, 6, 30, 23, 0, tzinfo=UTC),
    )
    coordinator = client_as(Role.COORDINATOR)
    rows = failure_rows(html.unescape(client.get(PAGE).content.decode()))
    assert RULES["567"].message in rows
    assert f'href="{reverse("episode_amend", args=[backwards.pk])}"' in rows

    missing_services.amend_episode(
        coordinator,
        backwards,
        changes={"ended_at": dt.datetime(2025, 7, 7, 23, 0, tzinfo=UTC)},
        reason="The home's log gives the date she came back.",
        version=backwards.version,
    )

    assert failure_rows(html.unescape(client.get(PAGE).content.decode())) == ""


def test_a_change_to_an_episode_ending_before_it_starts_must_put_the_end_right(client_as):
    child = looked_after_child("DQ-567b")
    backwards = EpisodeFactory.create(
        child=child,
        date_only=True,
        started_at=dt.datetime(2025, 7, 4, 23, 0, tzinfo=UTC),
        ended_at=dt.datetime(2025, 6, 30, 23, 0, tzinfo=UTC),
    )

    with pytest.raises(ValidationError) as refused:
        missing_services.amend_episode(
            client_as(Role.COORDINATOR),
            backwards,
            changes={"risk_level": "HIGH"},
            reason="Risk reassessed.",
            version=backwards.version,
        )

    assert refused.value.message_dict == {
        "ended_at": ["Must not be before the child was last seen."]
    }


def test_only_a_date_only_episode_may_be_stored_ending_before_it_starts():
    child = looked_after_child("DQ-567c")

    with pytest.raises(IntegrityError), transaction.atomic():
        EpisodeFactory.create(
            child=child,
            started_at=dt.datetime(2025, 7, 4, 23, 0, tzinfo=UTC),
            ended_at=dt.datetime(2025, 6, 30, 23, 0, tzinfo=UTC),
        )


def test_a_long_list_is_paged_and_each_page_audits_only_the_children_it_shows(
    client, client_as, monkeypatch
):
    monkeypatch.setattr("harbour.returns.views.PAGE_SIZE", 2)
    children = [looked_after_child(f"DQ-P{number}") for number in range(3)]
    for child in children:
        overlapping_episodes(child, dt.date(2025, 5, 1))
    client_as(Role.COORDINATOR)

    first = html.unescape(client.get(PAGE).content.decode())
    second = html.unescape(client.get(PAGE, {"year": 2025, "page": 2}).content.decode())

    assert [child.child_id in failure_rows(first) for child in children] == [True, True, False]
    assert [child.child_id in failure_rows(second) for child in children] == [False, False, True]
    assert 'href="?year=2025&page=2"' in first and "Page 1 of 2" in first
    # The counts are of every failure, whatever the page.
    assert "Failures by rule (3 listed)" in second
    events = AuditEvent.objects.filter(action="returns.data_quality_viewed").order_by("pk")
    assert [event.child_pks for event in events] == [
        sorted([children[0].pk, children[1].pk]),
        [children[2].pk],
    ]
    assert [event.details["page"] for event in events] == [1, 2]


def test_a_rule_can_be_chosen_to_list_only_its_failures(client, client_as):
    # Cerys came into care on 1 June 2025: an episode from 30 May that ran into care fails
    # 578 and 581; an overlap fails 574.
    cerys = ChildFactory.create(child_id="DQ-R", date_of_birth=dt.date(2010, 3, 1))
    LegalStatusFactory.create(child=cerys, status="LAC", start_date=dt.date(2025, 6, 1))
    EpisodeFactory.create(
        child=cerys, started_at=at(dt.date(2025, 5, 30), 9), ended_at=at(dt.date(2025, 6, 2), 9)
    )
    overlapping_episodes(cerys, dt.date(2025, 7, 1))
    client_as(Role.COORDINATOR)

    everything = html.unescape(client.get(PAGE).content.decode())
    only_574 = html.unescape(client.get(PAGE, {"year": 2025, "rule": "574"}).content.decode())

    assert 'href="?year=2025&rule=574"' in everything
    rows = failure_rows(only_574)
    assert [code for code in RULES if f">{code}</td>" in rows] == ["574"]
    assert "Listing the failures of rule 574 only." in only_574
    event = AuditEvent.objects.filter(action="returns.data_quality_viewed").latest("pk")
    assert event.details["rule"] == "574" and event.details["listed"] == 1


def test_a_rule_not_among_the_checks_is_a_clear_error_and_nothing_is_checked(client, client_as):
    client_as(Role.COORDINATOR)

    page = html.unescape(client.get(PAGE, {"rule": "999"}).content.decode())

    assert "Select a rule from the list" in page
    assert not AuditEvent.objects.filter(action="returns.data_quality_viewed").exists()
