"""The persons of concern pages in the browser, checked with axe-core (no WCAG 2.2 A/AA
violation, the journeys' best-practice rules): every GET page as an exploitation lead, the
person's page as a social worker, and the new-person page showing a possible duplicate
before the lead confirms that this is a new person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.exploitation.models import Person
from harbour.exploitation.tests.network_factories import (
    PersonAliasFactory,
    PersonChildLinkFactory,
    PersonFactory,
    PersonIdentifierFactory,
    PersonPersonLinkFactory,
    PersonPlaceLinkFactory,
)

from .conftest import check_page, sign_in
from .test_casework_journey import RULES

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


@dataclass
class Network:
    child: Any
    person: Any


def make_network() -> Network:
    make_staff(Role.EXPLOITATION_LEAD, username="plead", password=PASSWORD, first_name="Jo")
    worker = make_staff(Role.SOCIAL_WORKER, username="psw", password=PASSWORD)
    child = ChildFactory.create(allocated_social_worker=worker)
    person = PersonFactory.create(given_name="Tarrin", family_name="Vossley")
    PersonAliasFactory.create(person=person, name="Big T")
    PersonIdentifierFactory.create(person=person, kind="PHONE", value="07700 900123")
    PersonChildLinkFactory.create(person=person, child=child, relationship="EXPLOITER")
    PersonPersonLinkFactory.create(person=person, other=PersonFactory.create())
    PersonPlaceLinkFactory.create(person=person)
    PersonFactory.create(restricted=True)
    return Network(child, person)


PAGES = {
    "person_list": (lambda n: reverse("person_list") + "?q=vossley", "plead"),
    "person_new": (lambda n: reverse("person_new"), "plead"),
    "person_detail": (lambda n: reverse("person_detail", args=[n.person.pk]), "plead"),
    "person_detail_social_worker": (
        lambda n: reverse("person_detail", args=[n.person.pk]),
        "psw",
    ),
    "person_change": (lambda n: reverse("person_change", args=[n.person.pk]), "plead"),
    "person_link_person": (lambda n: reverse("person_link_person", args=[n.person.pk]), "plead"),
    "person_link_place": (lambda n: reverse("person_link_place", args=[n.person.pk]), "plead"),
    "person_link_child": (
        lambda n: reverse("person_link_child", args=[n.child.pk]) + "?q=vossley",
        "plead",
    ),
    "person_link_child_chosen": (
        lambda n: reverse("person_link_child", args=[n.child.pk]) + f"?person={n.person.pk}",
        "psw",
    ),
}


def check_rules(page: Page, axe) -> None:
    rules = axe.run(page, options={"runOnly": {"type": "rule", "values": RULES}})
    assert rules.response["violations"] == [], [
        (v["id"], [node["html"][:120] for node in v["nodes"][:3]])
        for v in rules.response["violations"]
    ]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_persons_page_has_no_accessibility_violation(page: Page, axe, live_server, name):
    network = make_network()
    address, who = PAGES[name]
    sign_in(page, live_server.url, who, PASSWORD)
    response = page.goto(f"{live_server.url}{address(network)}")
    assert response is not None and response.status == 200, f"{name} answered {response}"
    expect(page.locator("main h1")).to_have_count(1)
    shown = page.locator("main").inner_text()
    assert not re.search(r"</?(a|span|strong|br|p)\b", shown), f"{name} shows markup"
    check_page(page, axe, f"persons-page-{name}")
    check_rules(page, axe)


def test_a_possible_duplicate_is_shown_before_the_lead_confirms_a_new_person(
    page: Page, axe, live_server
):
    make_network()
    sign_in(page, live_server.url, "plead", PASSWORD)
    page.goto(f"{live_server.url}{reverse('person_new')}")
    page.get_by_label("Given name").fill("Tarrin")
    page.get_by_label("Family name").fill("Vossley")
    page.get_by_label("Phone number (optional)").fill("+44 7700 900123")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#duplicates")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Strong match")
    check_page(page, axe, "persons-page-duplicates")
    check_rules(page, axe)
    assert Person.objects.filter(family_name="Vossley").count() == 1
    page.get_by_role("button", name="This is a new person: record them").click()
    expect(page.locator("main h1")).to_have_text("Tarrin Vossley")
    assert Person.objects.filter(family_name="Vossley").count() == 2
