"""The police extract upload and the other-authority (OLA) log in the browser: a
coordinator uploads a force's extract, reads the problems named in the preview, confirms
a likely match and records the rows; then logs a request to a placing authority and
sees the chaser clock. Every page reached is checked with axe-core and screenshotted
(test-artifacts/upload-NN-*.png, ola-NN-*.png)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from harbour.authorities.models import LocalAuthority, OlaNotification
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    LegalStatusFactory,
    make_staff,
)
from harbour.common.time import LONDON
from harbour.missing.models import Episode, PoliceForce
from harbour.missing.tests.test_police_upload import NORTHSHIRE
from harbour.missing.upload.mappings import save_mapping

from .conftest import check_page, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "a-long-enough-password"
EXTRACT = (
    Path(__file__).resolve().parents[1] / "missing" / "tests" / "data" / "northshire-extract.csv"
)


class Steps:
    def __init__(self, page: Page, axe, prefix: str) -> None:
        self.page, self.axe, self.prefix, self.step = page, axe, prefix, 0
        page.set_default_timeout(10_000)

    def check(self, name: str) -> None:
        self.step += 1
        check_page(self.page, self.axe, f"{self.prefix}-{self.step:02d}-{name}")


def test_a_coordinator_uploads_a_police_extract_and_records_its_good_rows(
    page: Page, axe, live_server
):
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    force = PoliceForce.objects.create(name="Testshire Police", code="TST")
    save_mapping("test", force, version=None, **NORTHSHIRE)
    # The extract's "Alfie Smtih" is this child, with two letters transposed.
    alfie = ChildFactory.create(
        child_id="P-1001", given_name="Alfie", family_name="Smith",
        date_of_birth=dt.date(2010, 9, 3),
    )  # fmt: skip
    steps = Steps(page, axe, "upload")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/episodes/")
    page.get_by_role("link", name="Upload a police extract").click()
    expect(page.get_by_role("heading", name="Upload a police extract")).to_be_visible()
    steps.check("upload-form")

    page.get_by_label("Police force").select_option(label="Testshire Police")
    page.get_by_label("CSV file").set_input_files(str(EXTRACT))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Check the police extract")).to_be_visible()
    expect(page.locator("main")).to_contain_text("is not a real date")
    steps.check("preview")

    page.get_by_label("Use this child: Alfie Smith (P-1001)").check()
    # Nothing is chosen for rows with no match: the coordinator decides.
    page.get_by_label("Create a new child: Zoe Brook").check()
    page.get_by_label("Create a new child: Ned Quarry").check()
    page.get_by_role("button", name="Record the rows as chosen").click()
    steps.check("recorded")

    assert Episode.objects.filter(episode_id="NSP-26-0101", child=alfie).exists()


def test_a_coordinator_logs_a_request_to_the_placing_authority(page: Page, axe, live_server):
    make_staff("COORDINATOR", username="coordinator", password=PASSWORD)
    LocalAuthority.objects.create(
        code="344", name="Example Shire Council", team="Missing children team",
        email="missing@example.org",
    )  # fmt: skip
    child = ChildFactory.create(given_name="Robin", family_name="Example")
    LegalStatusFactory(child=child, responsible_la="344", start_date=dt.date(2023, 1, 1))
    found = dt.datetime.now(tz=dt.UTC).replace(microsecond=0) - dt.timedelta(days=2)
    episode = EpisodeFactory.create(
        child=child, started_at=found - dt.timedelta(hours=20), ended_at=found
    )
    steps = Steps(page, axe, "ola")
    sign_in(page, live_server.url, "coordinator", PASSWORD)

    page.goto(f"{live_server.url}/authorities/ola/")
    expect(page.locator("main")).to_contain_text("Example Shire Council")
    steps.check("list")

    page.goto(f"{live_server.url}/authorities/ola/{episode.pk}/")
    steps.check("log")
    page.get_by_label("Asked to arrange the return interview").check()
    sent = (found + dt.timedelta(hours=3)).astimezone(LONDON)
    for part, value in {
        "day": sent.day, "month": sent.month, "year": sent.year,
        "hour": sent.hour, "minute": f"{sent.minute:02d}",
    }.items():  # fmt: skip
        page.locator(f"#occurred_{part}").fill(str(value))
    page.get_by_label("Secure email").check()
    page.get_by_role("button", name="Add to the log").click()

    expect(page.locator("main")).to_contain_text("Added to the log.")
    expect(page.locator("main")).to_contain_text("Awaiting response")
    steps.check("logged")
    assert OlaNotification.objects.filter(kind="INTERVIEW_REQUESTED").count() == 1
