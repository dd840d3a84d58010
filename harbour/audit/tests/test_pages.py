"""The auditors' pages: only auditors; filters; who looked at a child; what a user looked
at; CSV with formulas escaped; and every view of them audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import time_machine

from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent
from harbour.children.erasure import erase_child
from harbour.children.services import save_child
from harbour.common.tests.factories import ChildFactory, make_staff

pytestmark = pytest.mark.django_db

PAGES = ["/audit/", "/audit/child/{child}/", "/audit/user/{user}/", "/audit/export.csv"]


@pytest.fixture
def child():
    return ChildFactory(child_id="P-100", given_name="Ada")


@pytest.fixture
def worker():
    return make_staff("SOCIAL_WORKER", username="worker")


def shown_events(response) -> list[AuditEvent]:
    """The events listed on a page, in order (rows are marked id="event-<sequence>")."""
    assert response.status_code == 200
    sequences = [int(n) for n in re.findall(r'id="event-(\d+)"', response.content.decode())]
    events = AuditEvent.objects.in_bulk(sequences, field_name="sequence")
    return [events[n] for n in sequences]


FROM_1_MARCH = "from_day=1&from_month=3&from_year=2026"
FROM_2_MARCH = "from_day=2&from_month=3&from_year=2026"
TO_1_MARCH = "to_day=1&to_month=3&to_year=2026"


def before_and_after(page: str) -> list[tuple[str, ...]]:
    """The rows of the first "before and after" table on the page: (what, before, after)."""
    table = page.split("harbour-audit-changes", 1)[1].split("</table>")[0]
    body = table.split("<tbody", 1)[1]
    return [
        tuple(
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        )
        for row in body.split("</tr>")[:-1]
    ]


def paths(child, user) -> list[str]:
    return [page.format(child=child.pk, user=user.pk) for page in PAGES]


def test_anonymous_visitors_are_sent_to_sign_in(client, child, worker):
    for path in paths(child, worker):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/"), path


@pytest.mark.parametrize(
    "role", ["COORDINATOR", "RHI_WORKER", "SOCIAL_WORKER", "ANALYST", "ADMINISTRATOR"]
)
def test_only_auditors_may_see_the_trail(client, client_as, child, worker, role):
    client_as(role)
    for path in paths(child, worker):
        assert client.get(path).status_code == 403, path


def test_auditors_see_every_page(auditor_client, child, worker):
    for path in paths(child, worker):
        assert auditor_client.get(path).status_code == 200, path


def test_the_trail_shows_who_did_what_to_which_child_with_the_values(auditor_client, child):
    child.given_name = "Adah"
    save_child("worker", child)

    page = auditor_client.get("/audit/").content.decode()

    assert "Changed a child&#39;s record" in page
    assert "P-100" in page
    assert f'href="/audit/child/{child.pk}/"' in page
    assert before_and_after(page) == [("Given name", "Ada", "Adah")]


def test_filters_select_events(auditor_client, child, worker):
    other = ChildFactory(child_id="P-200")
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        auditor.record(worker, "children.child.view", children=[child])
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)):
        auditor.record(worker, "children.child.view", children=[other])
        auditor.record("sign-in protection", "accounts.lockout", details={"kind": "ACCOUNT"})

    def shown(query: str) -> set[int]:
        return {event.sequence for event in shown_events(auditor_client.get(f"/audit/?{query}"))}

    views = AuditEvent.objects.filter(action="children.child.view").order_by("sequence")
    first, second = [event.sequence for event in views]
    lockout = AuditEvent.objects.get(action="accounts.lockout").sequence
    assert shown("person_id=P-100") == {first}
    assert shown("person_id=P-100&action=accounts.") == set()
    assert shown("user=worker") == {first, second}
    assert shown("user=sign-in+protection") == {lockout}
    assert shown("action=children.") == {first, second}
    assert shown(f"action=children.child.view&{FROM_2_MARCH}") == {second}
    assert shown(f"action=children.child.view&{TO_1_MARCH}") == {first}
    assert shown(f"{FROM_1_MARCH}&{TO_1_MARCH}") == {first}
    assert shown("person_id=NOBODY") == set()


def test_a_bad_date_is_explained(auditor_client):
    response = auditor_client.get(
        "/audit/?from_day=31&from_month=2&from_year=2026&to_day=1&to_month=1&to_year=2020"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#from_day"' in page
    assert "The start date must be a real date" in page
    assert page.count("govuk-error-message") == 1
    assert "No events match these filters." in page


def test_who_looked_at_this_child(auditor_client, child, worker):
    auditor.record(worker, "children.child.view", children=[child])
    auditor.record(worker, "children.child.view", children=[ChildFactory()])

    response = auditor_client.get(f"/audit/child/{child.pk}/")

    page = response.content.decode()
    assert "Who looked at this child" in page
    assert "Person id P-100" in page
    assert [event.actor_name for event in shown_events(response)] == ["worker"]


def test_what_this_user_looked_at(auditor_client, child, worker):
    auditor.record(worker, "children.child.view", children=[child])
    auditor.record("someone else", "children.child.view", children=[child])

    response = auditor_client.get(f"/audit/user/{worker.pk}/")

    assert "What this user looked at" in response.content.decode()
    assert [event.actor_name for event in shown_events(response)] == ["worker"]


def test_an_erased_child_is_shown_by_internal_id_with_values_unreadable(auditor_client, child):
    child.given_name = "Adah"
    save_child("worker", child)
    erase_child("retention", child)

    response = auditor_client.get(f"/audit/child/{child.pk}/")

    page = response.content.decode()
    assert f"Erased child #{child.pk}" in page
    assert f"erased child #{child.pk}" in page
    assert "Unreadable: child erased" in page
    assert "Adah" not in page


def test_a_restricted_childs_values_are_withheld_from_auditors_not_on_its_list(
    auditor_client, auditor_user
):
    restricted = ChildFactory(child_id="P-R", restricted=True, given_name="Ada")
    restricted.given_name = "Adah"
    save_child("worker", restricted)

    page = auditor_client.get("/audit/").content.decode()
    assert "Withheld: restricted record" in page
    assert "Adah" not in page

    restricted.access_list.add(auditor_user)
    page = auditor_client.get("/audit/").content.decode()
    assert before_and_after(page) == [("Given name", "Ada", "Adah")]


def test_the_trail_is_paginated_fifty_to_a_page(auditor_client):
    for n in range(120):
        auditor.record("tester", "test.event", details={"n": n})

    first = auditor_client.get("/audit/?action=test.")
    third = auditor_client.get("/audit/?action=test.&page=3")

    assert len(shown_events(first)) == 50
    assert shown_events(first)[0].details == {"n": 119}  # newest first
    assert len(shown_events(third)) == 20
    page = first.content.decode()
    assert "120 events, page 1 of 3" in page
    assert 'href="?action=test.&amp;page=2"' in page
    assert 'rel="next"' in page


def test_each_view_of_the_trail_is_audited_with_the_children_it_showed(
    auditor_client, auditor_user, child
):
    auditor.record("worker", "children.child.view", children=[child])

    auditor_client.get("/audit/?person_id=P-100&action=children.")

    event = AuditEvent.objects.get(action="audit.view")
    assert event.actor == auditor_user
    assert event.child_pks == [child.pk]
    assert event.details["page"] == "trail"
    # The person id typed in is personal data: the child it found is the subject instead.
    assert event.details["filters"] == {"action": "children.", "person_id_given": True}
    assert "P-100" not in str(event.details)


def test_the_csv_export_has_the_filtered_events_with_formulas_escaped(auditor_client, child):
    auditor.record('=HYPERLINK("http://evil")', "children.child.view", children=[child])
    auditor.record("@SUM(A1)", "-2+3", details={"note": "+1"})
    auditor.record("tester", "other.thing")

    response = auditor_client.get("/audit/export.csv?action=children.")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="harbour-audit-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0][:4] == ["sequence", "when (UK time)", "user", "action"]
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert rows[1][5] == "P-100"

    everything = auditor_client.get("/audit/export.csv")
    rows = list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))
    escaped = next(row for row in rows if row[2] == "'@SUM(A1)")
    assert escaped[3] == "'-2+3"
    export = AuditEvent.objects.filter(action="audit.export").first()
    assert export.child_pks == [child.pk]
    assert export.details["events"] == 1


def test_the_csv_export_of_a_childs_page_keeps_its_child(auditor_client, child):
    auditor.record("worker", "children.child.view", children=[child])
    auditor.record("worker", "children.child.view", children=[ChildFactory()])

    page = auditor_client.get(f"/audit/child/{child.pk}/").content.decode()
    assert f'href="/audit/export.csv?child={child.pk}"' in page
    response = auditor_client.get(f"/audit/export.csv?child={child.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[5] for row in rows[1:] if row[3] == "children.child.view"] == ["P-100"]


def test_actions_read_in_plain_english_with_their_code_beside(auditor_client, child, worker):
    auditor.record(worker, "children.child.view", children=[child])
    auditor.record(worker, "report.download", details={"report": "annual", "format": "pdf"})

    page = auditor_client.get("/audit/").content.decode()

    assert "Viewed a child&#39;s record" in page
    assert "Downloaded a report" in page
    assert "children.child.view" in page  # the code, to filter or search by


def recorded_actions() -> set[str]:
    """Every action code written literally where Harbour records an event."""
    from pathlib import Path

    found = set()
    for path in Path("harbour").rglob("*.py"):
        if "tests" in path.parts or "browser_tests" in path.parts:
            continue
        text = path.read_text("utf-8")
        # Codes may hold digits (returns.ssda903_checked); `action="..."` is also a keyword.
        found |= set(re.findall(r'record\(\s*[^,()]+,\s*"([a-z0-9_]+\.[a-z0-9_.]+)"', text))
        found |= set(re.findall(r'\baction\s*=\s*"([a-z0-9_]+\.[a-z0-9_.]+)"', text))
    return found


def test_every_action_harbour_records_has_a_plain_english_name():
    from harbour.audit.actions import ACTION_NAMES

    actions = recorded_actions()
    assert "children.child.view" in actions and "meetings.task_withdrawn" in actions
    assert actions - set(ACTION_NAMES) == set()


def test_a_record_change_is_named_from_its_model():
    from harbour.audit.actions import action_name

    assert action_name("missing.episode.create") == "Created an episode"
    assert action_name("interviews.returninterview.change") == "Changed a return interview"
    assert action_name("somewhere.unknown_thing") == "Somewhere: unknown thing"


def test_details_read_as_labelled_values_not_json(auditor_client):
    auditor.record(
        "analyst",
        "report.download",
        details={
            "report": "annual",
            "for_publication": True,
            "periods": [["2019-04-01", "2020-03-31"]],
        },
    )

    page = auditor_client.get("/audit/").content.decode()

    assert "For publication: Yes" in page
    assert "Periods: 2019-04-01 to 2020-03-31" in page
    assert '{"' not in page and "&#34;" not in page


def test_the_action_filter_offers_plain_english_names(auditor_client):
    page = auditor_client.get("/audit/").content.decode()

    assert '<select class="govuk-select' in page
    assert '<option value="children.child.view">Viewed a child&#39;s record</option>' in page
    assert re.search(r'<option value=""( selected)?>Any action</option>', page)


def test_the_date_filters_are_gov_uk_date_inputs(auditor_client):
    page = auditor_client.get(f"/audit/?{FROM_1_MARCH}").content.decode()

    for name in ("from_day", "from_month", "from_year", "to_day", "to_month", "to_year"):
        assert f'name="{name}"' in page
    assert 'id="from_day" name="from_day" type="text" inputmode="numeric" value="1"' in page
    event = AuditEvent.objects.filter(action="audit.view").latest("sequence")
    assert event.details["filters"] == {"date_from": "2026-03-01"}
