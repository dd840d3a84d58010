"""The trail's "Children" column: every child an event names, each a link to who looked at
them, built in Python for speed (an event can name hundreds of children), escaped."""

from __future__ import annotations

import pytest

from harbour.audit import services as auditor
from harbour.children.erasure import erase_child
from harbour.common.tests.factories import ChildFactory, make_staff

pytestmark = pytest.mark.django_db


def children_cell(page: str, sequence: int) -> str:
    row = page.split(f'id="event-{sequence}"', 1)[1].split("</tr>", 1)[0]
    return row.split('<td class="govuk-table__cell">')[4].split("</td>", 1)[0]


def test_every_child_an_event_names_is_a_link_in_order(auditor_client):
    children = [ChildFactory(child_id=f"P-{n:03}") for n in range(120)]
    worker = make_staff("COORDINATOR", username="worker")
    event = auditor.record(worker, "casework.dashboard_viewed", children=children)

    cell = children_cell(auditor_client.get("/audit/").content.decode(), event.sequence)

    expected = ", ".join(
        f'<a class="govuk-link" href="/audit/child/{child.pk}/">{child.child_id}</a>'
        for child in sorted(children, key=lambda child: child.pk)
    )
    assert cell == expected


def test_person_ids_are_escaped_in_the_links(auditor_client):
    child = ChildFactory(child_id='P<b>"&')
    event = auditor.record("system", "children.child.view", children=[child])

    cell = children_cell(auditor_client.get("/audit/").content.decode(), event.sequence)

    assert "P&lt;b&gt;&#34;&amp;" in cell
    assert "<b>" not in cell


def test_an_erased_child_is_named_by_its_internal_number(auditor_client):
    child = ChildFactory(child_id="P-GONE")
    event = auditor.record("system", "children.child.view", children=[child])
    erase_child("retention", child)

    cell = children_cell(auditor_client.get("/audit/").content.decode(), event.sequence)

    assert (
        cell
        == f'<a class="govuk-link" href="/audit/child/{child.pk}/">erased child #{child.pk}</a>'
    )
