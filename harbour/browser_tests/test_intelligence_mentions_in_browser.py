"""Naming the persons and places intelligence mentions, in the browser: the exploitation
lead searches the registers from the submission page (a GET form, no JavaScript needed),
copies the ids the search shows into the boxes, is told plainly when an id is not one they
may link, and records the submission with its mentions. Each page is checked with axe-core
(0 violations) and saved as test-artifacts/casework-NN-mentions-*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.exploitation.models import Intelligence, IntelligenceMention
from harbour.exploitation.tests.network_factories import PersonFactory, PlaceFactory

from .conftest import sign_in
from .journey import NamedJourney, summary_value

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"


def test_the_lead_finds_ids_by_search_and_names_the_mentions_by_id(page: Page, axe, live_server):
    make_staff(Role.EXPLOITATION_LEAD, username="mlead", password=PASSWORD)
    child = ChildFactory.create(child_id="CH960001", given_name="Mabli", family_name="Trevose")
    person = PersonFactory.create(given_name="Dorian", family_name="Harbourside")
    hidden = PersonFactory.create(
        given_name="Cai",
        family_name="Harbourside",
        restricted=True,
        access_list=[make_staff(Role.EXPLOITATION_LEAD)],
    )
    place = PlaceFactory.create(name="Harbourside Chicken", postcode="NG7 2QP")
    journey = NamedJourney(page, axe, live_server.url, "mentions")
    main = page.locator("main")

    sign_in(page, live_server.url, "mlead", PASSWORD)
    page.goto(journey.url(reverse("intelligence_new_for_child", args=[child.pk])))
    expect(page.get_by_role("heading", name="Submit intelligence")).to_be_visible()
    expect(main).not_to_contain_text(place.place_id)  # no list of the whole register
    journey.check("form")

    # The search, by part of a name: persons and places the lead may name, with their ids.
    page.get_by_label("Search by name or id").fill("harbourside")
    page.get_by_role("search", name="Find persons and places").get_by_role("button").click()
    found = page.locator("#found")
    expect(found).to_contain_text(person.person_id)
    expect(found).to_contain_text(place.place_id)
    expect(found).not_to_contain_text(hidden.person_id)
    journey.check("search")

    # An id the lead may not name is refused as if it did not exist.
    page.get_by_label("Parent or carer").check()
    page.get_by_label("What", exact=True).fill("Mother saw messages arranging lifts.")
    page.get_by_label("Persons of concern mentioned").fill(
        f"{person.person_id}, {hidden.person_id}"
    )
    page.get_by_label("Places mentioned").fill(place.place_id.lower())
    page.get_by_role("button", name="Record the submission").click()
    message = f"No person with id {hidden.person_id} that you may link"
    expect(page.locator(".govuk-error-summary")).to_contain_text(message)
    expect(page.get_by_label("Places mentioned")).to_have_value(place.place_id.lower())
    journey.check("unknown-id")

    page.get_by_label("Persons of concern mentioned").fill(person.person_id)
    page.get_by_role("button", name="Record the submission").click()
    expect(page.get_by_text("The intelligence submission has been recorded.")).to_be_visible()
    expect(summary_value(page, "Persons of concern")).to_contain_text(person.person_id)
    expect(summary_value(page, "Places")).to_contain_text("Harbourside Chicken")
    journey.check("submitted")
    made = Intelligence.objects.get(child=child)
    assert {
        (m.person_id, m.place_id) for m in IntelligenceMention.objects.filter(intelligence=made)
    } == {
        (person.pk, None),
        (None, place.pk),
    }
    assert journey.problems == []
