"""The network page in the browser: an exploitation lead opens a child's network, where a
second child is joined through a shared person and a found-at place; the inline SVG diagram
draws under the Content Security Policy (no console error: the page fixture fails on one),
and axe-core finds no WCAG 2.2 A/AA violation nor any of the journeys' best-practice rules."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.exploitation.tests.network_factories import (
    GroupFactory,
    GroupMemberFactory,
    PersonChildLinkFactory,
    PersonFactory,
    PlaceChildLinkFactory,
    PlaceFactory,
)

from .conftest import check_page, sign_in
from .test_casework_journey import RULES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


def test_a_lead_sees_two_children_joined_in_the_diagram_and_the_list(page: Page, axe, live_server):
    make_staff(Role.EXPLOITATION_LEAD, username="nlead", password=PASSWORD)
    a = ChildFactory.create(child_id="CH940001", given_name="Alys", family_name="Marchbank")
    b = ChildFactory.create(child_id="CH940002", given_name="Bryn", family_name="Oakhurst")
    secret = ChildFactory.create(child_id="CH940003", restricted=True, given_name="Wren")
    person = PersonFactory.create(given_name="Perrin", family_name="Quillfeather")
    hotel = PlaceFactory.create(name="Quayside Hotel", type="HOTEL")
    group = GroupFactory.create(label="Eastgate peer group")
    PersonChildLinkFactory.create(person=person, child=a, relationship="EXPLOITER")
    PersonChildLinkFactory.create(person=person, child=b)
    PersonChildLinkFactory.create(person=person, child=secret)
    PlaceChildLinkFactory.create(place=hotel, child=a, found_at=True)
    PlaceChildLinkFactory.create(place=hotel, child=b, found_at=True)
    GroupMemberFactory.create(group=group, child=b)
    sign_in(page, live_server.url, "nlead", PASSWORD)
    response = page.goto(f"{live_server.url}{reverse('network_child', args=[a.pk])}")
    assert response is not None and response.status == 200
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Alys Marchbank (CH940001)")
    diagram = main.get_by_role("img", name="Network of Alys Marchbank (CH940001)")
    expect(diagram).to_be_visible()
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    # The root, the person, the hotel, Bryn and the restricted record: five shapes.
    expect(diagram.locator("g > title")).to_have_count(5)
    expect(main.get_by_role("link", name="Bryn Oakhurst (CH940002)", exact=True)).to_be_visible()
    expect(main).to_contain_text("Restricted record")
    expect(main).not_to_contain_text("Wren")
    expect(main).not_to_contain_text("Eastgate peer group")  # three steps away
    check_page(page, axe, "exploitation-page-network")
    results = axe.run(page, options={"runOnly": {"type": "rule", "values": RULES}})
    assert results.response["violations"] == [], [
        (v["id"], [node["html"][:120] for node in v["nodes"][:3]])
        for v in results.response["violations"]
    ]
    # Following a record's own network walks on from it.
    main.get_by_role("link", name="View its network (Bryn Oakhurst (CH940002))").click()
    expect(page.locator("main h1")).to_have_text("Bryn Oakhurst (CH940002)")
    expect(page.locator("main")).to_contain_text("Eastgate peer group")
