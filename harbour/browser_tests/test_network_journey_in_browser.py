"""Issue 13's journey in the browser: from a return interview to a panel subject.

A return interview worker opens the completed interview of a child (Nerys), allocated to
them, and submits intelligence from it (who, what, where, when). The exploitation lead
opens the submission from the intelligence log; records the adult it names as a person of
concern (the new-person page shows a possible duplicate first, sharing a street name) and
links them to Nerys; finds, on the place named in the intelligence, a second child (Idris)
already linked there, and links the person to Idris and to the place. Nerys's network then
shows Idris joined through the person, in the diagram and in the list; the dashboard's
alert names the join; and the lead adds the person as a subject at the next MACE sitting by
their register id, which the subjects table shows.

Every page reached is checked with axe-core (0 violations) and saved as
test-artifacts/casework-NN-network-*.png. Where a page does not link to the next one yet the
journey goes to its address (journey.follow).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from harbour.accounts.models import Role
from harbour.common.display import date_text
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    PanelMeetingFactory,
    ReturnInterviewFactory,
    make_staff,
)
from harbour.common.time import local_date
from harbour.exploitation.models import (
    Intelligence,
    PanelSeries,
    PanelSubject,
    Person,
    PersonChildLink,
    PersonPlaceLink,
)
from harbour.exploitation.tests.network_factories import (
    PersonAliasFactory,
    PersonFactory,
    PlaceChildLinkFactory,
    PlaceFactory,
)
from harbour.interviews.models import Allocation

from .conftest import sign_in
from .journey import NamedJourney, fill_date, follow, summary_value
from .test_casework_journey import sign_out

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"
NERYS = "Nerys Colbeck (CH950001)"
IDRIS = "Idris Pentreath (CH950002)"
EPISODE_ID = "EP9500001"
PLACE = "Harbourside Chicken"


@pytest.fixture
def world():
    """Two children, the interview allocated to the worker, a place Idris is linked to, an
    adult already recorded under the same street name, and the next MACE sitting."""
    lead = make_staff(
        Role.EXPLOITATION_LEAD,
        username="nlead",
        password=PASSWORD,
        first_name="Jordan",
        last_name="Reeve",
    )
    worker = make_staff(
        Role.RHI_WORKER,
        username="nrhi",
        password=PASSWORD,
        first_name="Robin",
        last_name="Ashdown",
    )
    nerys = ChildFactory.create(child_id="CH950001", given_name="Nerys", family_name="Colbeck")
    idris = ChildFactory.create(child_id="CH950002", given_name="Idris", family_name="Pentreath")
    now = timezone.now()
    episode = EpisodeFactory.create(
        child=nerys,
        episode_id=EPISODE_ID,
        started_at=now - dt.timedelta(days=3),
        ended_at=now - dt.timedelta(days=2, hours=12),
    )
    interview = ReturnInterviewFactory.create(
        episode=episode,
        method="FACE_TO_FACE",
        child_engaged=True,
        risks=";CSE;RISKY_ADULTS;",
    )
    Allocation.objects.create(episode=episode, worker=worker, allocated_at=now)
    place = PlaceFactory.create(name=PLACE, type="TAKEAWAY", postcode="NG7 2QP")
    PlaceChildLinkFactory.create(place=place, child=idris)
    namesake = PersonFactory.create(given_name="Dorian", family_name="Keld")
    PersonAliasFactory.create(person=namesake, name="Kash")
    today = local_date(now)
    PanelSeries.objects.update_or_create(
        panel="MACE",
        defaults={
            "cadence": 1,
            "weekday": today.weekday(),
            "week_of_month": (today.day - 1) // 7 + 1,
            "chairs": "Dee Marsh",
            "active": True,
        },
    )
    sitting = PanelMeetingFactory.create(panel="MACE", date=today + dt.timedelta(days=7))
    return lead, worker, nerys, idris, interview, place, namesake, sitting


def test_intelligence_from_a_return_interview_joins_two_childrens_networks_and_reaches_panel(
    page: Page, axe, live_server, world
):
    _lead, _worker, nerys, idris, interview, place, namesake, sitting = world
    journey = NamedJourney(page, axe, live_server.url, "network")
    url = journey.url
    today = local_date(timezone.now())
    main = page.locator("main")

    # 1. The return interview worker opens the completed interview allocated to them.
    sign_in(page, live_server.url, "nrhi", PASSWORD)
    page.get_by_role("link", name="Return interviews", exact=True).click()
    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_role("button", name="Show interviews").click()
    row = page.locator("tbody tr", has_text=EPISODE_ID)
    expect(row).to_contain_text("Completed")
    journey.check("worker-worklist")
    row.get_by_role("link", name=re.compile("Change interview")).click()
    expect(page.get_by_role("heading", name="Return interview", exact=True)).to_be_visible()
    expect(main).to_contain_text("This interview records a risk of exploitation.")
    journey.check("interview")

    # 2. Submits intelligence from it: who, what, where, when.
    main.get_by_role("link", name="Submit intelligence from this interview").click()
    expect(page.get_by_role("heading", name="Submit intelligence")).to_be_visible()
    expect(main).to_contain_text(NERYS)
    expect(main).to_contain_text(f"From the return interview about missing episode {EPISODE_ID}.")
    journey.check("intelligence-form")
    page.get_by_label("Who", exact=True).fill(
        "A man called Kash, about 30, drives a grey hatchback; phone 07700 900456."
    )
    page.get_by_label("What", exact=True).fill(
        "Gives Nerys and another young person food and lifts; asks them to carry parcels."
    )
    page.get_by_label("Where", exact=True).fill(f"{PLACE}, NG7 2QP, and the car park behind.")
    page.get_by_label("When", exact=True).fill("Most Friday evenings since the summer.")
    page.get_by_label("How", exact=True).fill("Nerys told the worker at the interview.")
    page.get_by_label("Sent to").fill("Police force intelligence bureau")
    page.get_by_label("Form used").fill("Partnership intelligence form")
    fill_date(page, "submitted_on", today)
    page.get_by_role("button", name="Record the submission").click()
    expect(page.get_by_text("The intelligence submission has been recorded.")).to_be_visible()
    intelligence = Intelligence.objects.get(child=nerys)
    assert intelligence.interview_id == interview.pk
    expect(page.get_by_text(f"Intelligence {intelligence.intelligence_id}")).to_be_visible()
    expect(summary_value(page, "Source")).to_contain_text(EPISODE_ID)
    expect(summary_value(page, "Who")).to_contain_text("A man called Kash")
    expect(summary_value(page, "Where")).to_contain_text(PLACE)
    expect(summary_value(page, "When")).to_have_text("Most Friday evenings since the summer.")
    expect(summary_value(page, "Police reference")).to_have_text("Not yet")
    journey.check("intelligence-submitted")
    sign_out(page)

    # 3. The lead signs in: no children's networks have been joined this week yet.
    sign_in(page, live_server.url, "nlead", PASSWORD)
    expect(page).to_have_url(url(reverse("exploitation_dashboard")))
    expect(page.get_by_role("heading", name="Children's networks joined this week")).to_be_visible()
    expect(main).to_contain_text("No new link has joined two children's networks")
    journey.check("dashboard-before")

    # 4. Opens the submission from the intelligence log.
    nav = page.get_by_role("navigation", name="Exploitation")
    nav.get_by_role("link", name="Intelligence", exact=True).click()
    listed = page.locator("tbody tr", has_text=intelligence.intelligence_id)
    expect(listed).to_contain_text(NERYS)
    expect(listed).to_contain_text("Return interview")
    journey.check("intelligence-log")
    listed.get_by_role("link", name=intelligence.intelligence_id).click()
    expect(page.get_by_role("heading", name=NERYS)).to_be_visible()
    expect(summary_value(page, "Recorded by")).to_have_text("Robin Ashdown")
    expect(summary_value(page, "What")).to_contain_text("asks them to carry parcels")
    journey.check("intelligence")

    # 5. From Nerys's record, records the man as a person of concern: the new-person page
    # first shows the adult already recorded under the same street name.
    main.get_by_role("link", name="View Nerys Colbeck's record").click()
    follow(page, "Exploitation record", url(reverse("child_exploitation", args=[nerys.pk])))
    expect(page.get_by_role("heading", name="Exploitation record")).to_be_visible()
    journey.check("nerys-record")
    follow(page, "Link a person of concern", url(reverse("person_link_child", args=[nerys.pk])))
    expect(page.get_by_role("heading", name="Link a person of concern")).to_be_visible()
    journey.check("link-person-search")
    main.get_by_role("link", name="Record a new person and link them").click()
    expect(page.get_by_role("heading", name="Record a person of concern")).to_be_visible()
    expect(main).to_contain_text(f"To link to {NERYS}")
    journey.check("person-new")
    page.get_by_label("Given name").fill("Kasimir")
    page.get_by_label("Family name").fill("Dunleavy")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_label("Aliases (optional)").fill("Kash")
    page.get_by_label("Phone number (optional)").fill("07700 900456")
    page.get_by_label("Vehicle registration (optional)").fill("KX19 ABC")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    duplicate = page.locator("#duplicates + ul li")
    expect(duplicate).to_have_count(1)
    expect(duplicate).to_contain_text(f"Dorian Keld ({namesake.person_id})")
    expect(duplicate).to_contain_text("Possible match")
    expect(duplicate).to_contain_text("Same name or alias as one of their aliases")
    assert not Person.objects.filter(family_name="Dunleavy").exists()
    journey.check("person-duplicates")
    page.get_by_role("button", name="This is a new person: record them").click()
    person = Person.objects.get(family_name="Dunleavy")
    expect(page.get_by_text(f"Person {person.person_id} has been recorded.")).to_be_visible()
    expect(summary_value(page, "Person")).to_have_text(f"Kasimir Dunleavy ({person.person_id})")
    journey.check("link-person-nerys")

    # 6. Links him to Nerys.
    page.get_by_role("group", name="Relationship").get_by_label("Exploiter").check()
    page.get_by_role("group", name="Where the link came from").get_by_label("Intelligence").check()
    page.get_by_role("button", name="Link the person to the child").click()
    expect(page.get_by_text(f"{person.person_id} has been linked to the child.")).to_be_visible()
    expect(page.get_by_role("heading", name="Exploitation record")).to_be_visible()
    journey.check("nerys-linked")

    # 7. The place the intelligence names: Idris is already linked to it.
    page.goto(url(reverse("exploitation_dashboard")))
    nav.get_by_role("link", name="Places", exact=True).click()
    main.get_by_role("link", name=PLACE, exact=True).click()
    expect(page.get_by_role("heading", name=PLACE)).to_be_visible()
    expect(main).to_contain_text(f"Place of concern {place.place_id}")
    expect(page.locator("#linked-children")).to_contain_text("Idris Pentreath")
    journey.check("place")

    # 8. Links the person to Idris, found on the register by his alias.
    page.locator("#linked-children").get_by_role("link", name="Idris Pentreath").click()
    follow(page, "Exploitation record", url(reverse("child_exploitation", args=[idris.pk])))
    expect(main).to_contain_text(IDRIS)
    follow(page, "Link a person of concern", url(reverse("person_link_child", args=[idris.pk])))
    page.get_by_label("Find the person").fill("Kash")
    page.get_by_label("Find the person").press("Enter")
    found = page.locator("#found")
    expect(found.get_by_role("link")).to_have_count(2)  # Kasimir, and Dorian Keld
    journey.check("link-person-found")
    found.get_by_role("link", name=f"Kasimir Dunleavy ({person.person_id})").click()
    page.get_by_role("group", name="Relationship").get_by_label("Older friend").check()
    page.get_by_role("group", name="Where the link came from").get_by_label("Intelligence").check()
    page.get_by_role("button", name="Link the person to the child").click()
    expect(page.get_by_text(f"{person.person_id} has been linked to the child.")).to_be_visible()
    assert set(PersonChildLink.objects.filter(person=person).values_list("child", flat=True)) == {
        nerys.pk,
        idris.pk,
    }
    journey.check("idris-linked")

    # 9. Links the person to the place, by its id.
    page.goto(url(reverse("exploitation_dashboard")))
    nav.get_by_role("link", name="Persons", exact=True).click()
    main.get_by_role("link", name="Kasimir Dunleavy").click()
    expect(page.get_by_role("heading", name="Kasimir Dunleavy")).to_be_visible()
    expect(summary_value(page, "Aliases")).to_have_text("Kash")
    linked = page.locator("table", has=page.locator("caption", has_text="Linked children"))
    expect(linked.locator("tbody tr")).to_have_count(2)
    expect(linked).to_contain_text(NERYS)
    expect(linked).to_contain_text(IDRIS)
    journey.check("person")
    main.get_by_role("link", name="Link to a place").click()
    expect(page.get_by_role("heading", name="Link to a place")).to_be_visible()
    journey.check("person-link-place")
    page.get_by_label("Id of the place").fill(place.place_id)
    page.get_by_role("group", name="Relationship").get_by_label("Works there or owns it").check()
    page.get_by_role("group", name="Where the link came from").get_by_label("Intelligence").check()
    page.get_by_role("button", name="Link", exact=True).click()
    expect(page.get_by_text("The person has been linked to the place.")).to_be_visible()
    places = page.locator("table", has=page.locator("caption", has_text="Places"))
    expect(places).to_contain_text(f"{PLACE} ({place.place_id})")
    expect(places).to_contain_text("Works there or owns it")
    assert PersonPlaceLink.objects.filter(person=person, place=place).exists()
    journey.check("person-place-linked")

    # 10. Nerys's network: Idris is joined through the person, in the diagram and the list.
    main.get_by_role("link", name=NERYS).click()
    expect(page.get_by_role("heading", name="Exploitation record")).to_be_visible()
    follow(page, re.compile("network", re.I), url(reverse("network_child", args=[nerys.pk])))
    expect(page).to_have_url(url(reverse("network_child", args=[nerys.pk])))
    expect(page.get_by_role("heading", name=NERYS, exact=True)).to_be_visible()
    diagram = main.get_by_role("img", name=f"Network of {NERYS}")
    expect(diagram).to_be_visible()
    # Nerys, the person, and (through him) Idris and the place: four shapes.
    expect(diagram.locator("g > title")).to_have_count(4)
    expect(diagram).to_contain_text("Idris Pentreath")
    direct = page.locator("h3", has_text="Linked directly").locator("xpath=following::table[1]")
    expect(direct).to_contain_text(f"Kasimir Dunleavy ({person.person_id})")
    expect(direct).to_contain_text("Exploiter, Intelligence, reported")
    joined = main.locator("tbody tr", has=page.get_by_role("link", name=IDRIS, exact=True))
    expect(joined).to_have_count(1)
    expect(joined).to_contain_text(
        f"Older friend, Intelligence, reported: Kasimir Dunleavy ({person.person_id})"
    )
    expect(main.locator("tbody tr", has_text=f"{PLACE}")).to_have_count(1)
    journey.check("network")

    # 11. The dashboard's alert names the join.
    page.get_by_role("navigation", name="Exploitation").get_by_role(
        "link", name="Dashboard", exact=True
    ).click()
    alert = page.locator("#new-joins + p + ul li")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(f"{IDRIS} linked to the person of concern Kasimir Dunleavy")
    expect(alert).to_contain_text("(older friend), already linked to 1 other child")
    expect(alert.get_by_role("link", name=re.compile("Kasimir Dunleavy"))).to_have_attribute(
        "href", reverse("network_person", args=[person.pk])
    )
    journey.check("dashboard-joined")

    # 12. Adds the person as a subject at the next MACE sitting, by his register id.
    nav.get_by_role("link", name="Panels", exact=True).click()
    expect(page.get_by_role("heading", name="Panels", exact=True)).to_be_visible()
    journey.check("panels")
    # The visually hidden date is read after the panel's name (Chromium puts a space
    # before its comma).
    upcoming = main.locator("table").first
    expect(upcoming.locator("tbody tr")).to_have_count(1)
    upcoming.get_by_role(
        "link", name=re.compile(rf"^Multi-agency child exploitation ?, {date_text(sitting.date)}$")
    ).click()
    expect(
        page.get_by_role(
            "heading", name=f"Multi-agency child exploitation, {date_text(sitting.date)}"
        )
    ).to_be_visible()
    expect(main).to_contain_text("No persons, places or groups recorded.")
    journey.check("sitting")
    page.get_by_role("group", name="Kind").get_by_label("Person of concern").check()
    page.get_by_label("Description", exact=True).fill(
        "Adult giving lifts and food to two children near a takeaway"
    )
    page.get_by_label("Id in the register (optional)").fill(person.person_id)
    page.get_by_role("button", name="Add the subject").click()
    expect(page.get_by_text("The subject has been added.")).to_be_visible()
    subject_row = main.locator("tbody tr", has_text="Adult giving lifts")
    expect(subject_row.locator("td")).to_have_text(
        [
            "Person of concern",
            "Adult giving lifts and food to two children near a takeaway",
            person.person_id,
            "No date",
        ]
    )
    subject = PanelSubject.objects.get(panel_meeting=sitting)
    assert subject.person_id == person.pk
    journey.check("sitting-subject")

    assert journey.problems == [], journey.problems
