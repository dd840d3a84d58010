"""The police upload pages: coordinators only, and a held file only for whoever uploaded
it; the mapping page lists the file's headers; the preview names every problem and takes
one answer per row without JavaScript; confirming records everything or nothing; the
preview's queries are bounded; views are audited with counts only."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from harbour.audit.models import AuditEvent
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.common.time import UTC
from harbour.missing.models import Episode, PoliceForce, PoliceUpload
from harbour.missing.services import record_notification
from harbour.missing.upload.files import receive
from harbour.missing.upload.mappings import save_mapping
from harbour.missing.upload.preview import build_preview

from .test_police_upload import HEADER, NORTHSHIRE, csv_of, offered, row

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data"

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


@pytest.fixture
def force():
    return PoliceForce.objects.create(name="Northshire Police", code="NSP")


@pytest.fixture
def mapped(force):
    save_mapping("test", force, version=None, **NORTHSHIRE)
    return force


def upload_file(client, force, text, name="extract.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        "/episodes/upload/",
        {"force": force.pk, "file": SimpleUploadedFile(name, content, "text/csv")},
    )


def held_for(user, force, text):
    return receive(user, force, text.encode())


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/upload/",
        "/episodes/upload/recorded/",
        "/episodes/upload/{pk}/",
        "/episodes/upload/{pk}/mapping/",
    ],
)
@pytest.mark.parametrize("role", ["SOCIAL_WORKER", "RHI_WORKER", "ANALYST", "ADMINISTRATOR"])
def test_only_coordinators_reach_the_upload_pages(client, mapped, path, role, client_as):
    owner = make_staff(username="owner")
    upload = held_for(owner, mapped, csv_of(row()))
    client_as(role)
    assert client.get(path.format(pk=upload.pk)).status_code == 403
    assert client.post(f"/episodes/upload/{upload.pk}/discard/").status_code == 403


def test_another_coordinators_upload_is_not_found(client, mapped, client_as):
    owner = make_staff("COORDINATOR", username="owner")
    upload = held_for(owner, mapped, csv_of(row()))
    client_as("COORDINATOR", username="someone-else")
    assert client.get(f"/episodes/upload/{upload.pk}/").status_code == 404
    assert client.get(f"/episodes/upload/{upload.pk}/mapping/").status_code == 404
    assert client.post(f"/episodes/upload/{upload.pk}/discard/").status_code == 404
    assert PoliceUpload.objects.filter(pk=upload.pk).exists()


def test_the_episodes_list_and_the_notification_form_link_to_the_upload(client, coordinator):
    assert 'href="/episodes/upload/"' in client.get("/episodes/").content.decode()
    assert 'href="/episodes/upload/"' in client.get("/episodes/new/").content.decode()


def test_the_upload_form_names_what_is_missing(client, coordinator, force):
    response = client.post("/episodes/upload/", {})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Select the police force that sent the extract" in body
    assert "Select the CSV file to upload" in body
    assert 'href="#force"' in body and 'href="#file"' in body


def test_a_workbook_is_refused_with_what_to_do(client, coordinator, force):
    response = upload_file(client, force, b"PK\x03\x04zip", name="extract.xlsx")
    body = response.content.decode()
    assert response.status_code == 400
    assert "Excel workbook, not a CSV file" in body
    assert "CSV UTF-8 (Comma delimited)" in body
    assert not PoliceUpload.objects.exists()


def test_a_force_without_a_mapping_is_asked_for_one_listing_the_files_headers(
    client, coordinator, force
):
    response = upload_file(client, force, (DATA / "northshire-extract.csv").read_text())
    upload = PoliceUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/episodes/upload/{upload.pk}/"
    response = client.get(response["Location"])
    assert response["Location"] == f"/episodes/upload/{upload.pk}/mapping/?reason=mismatch"
    body = client.get(response["Location"]).content.decode()
    assert "There is no column mapping for this force yet" in body
    for header in HEADER.split(","):
        assert f'<option value="{header}"' in body
    # Saving with a column missing says which.
    data = {
        **{key: header for key, header in NORTHSHIRE["columns"].items() if key != "category"},
        "category_MISSING": "Missing",
        "category_ABSENT": "Absent",
        "risk_LOW": "Low, Standard",
        "risk_MEDIUM": "Medium",
        "risk_HIGH": "High",
        "risk_NO_APPARENT_RISK": "No apparent risk",
        "datetime_format": "%d/%m/%Y %H:%M",
        "date_format": "%d/%m/%Y",
        "time_format": "",
        "version": "",
    }
    response = client.post(f"/episodes/upload/{upload.pk}/mapping/", data)
    assert response.status_code == 400
    assert "Select the column that holds the missing or absent" in response.content.decode()
    assert '<option value="Forename" selected>' in response.content.decode()
    response = client.post(f"/episodes/upload/{upload.pk}/mapping/", {**data, "category": "Type"})
    assert response["Location"] == f"/episodes/upload/{upload.pk}/"
    assert force.mapping.risk_values["LOW"] == ["Low", "Standard"]
    assert AuditEvent.objects.filter(action="missing.column_mapping_saved").count() == 1


def test_the_preview_names_every_problem_and_records_the_chosen_rows(client, coordinator, mapped):
    alfred = ChildFactory(
        child_id="P-3", given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2010, 9, 3)
    )
    upload_file(client, mapped, (DATA / "northshire-extract.csv").read_text())
    upload = PoliceUpload.objects.get()
    response = client.get(f"/episodes/upload/{upload.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Row 4, column &#39;Last Seen&#39;: 31/02/2026 10:00 is not a real date" in body
    assert "clocks went forward an hour that night" in body
    assert "happened twice in the UK" in body
    assert "NSP-26-0101 is also on row 2" in body
    # The likely match is offered with its reasons, nothing chosen for the coordinator.
    assert f'value="child:{alfred.pk}"' in body
    assert "Known nickname: Alfie for Alfred" in body
    assert f'value="child:{alfred.pk}" aria-describedby="row-2-hint">' in body
    # A row with a person id and date of birth but no match: a new child is offered, not
    # chosen for the coordinator.
    assert 'name="row-3" type="radio" value="new">' in body
    assert 'value="new" checked' not in body
    digests = {
        f"offered-{n}": digest for n, digest in offered(build_preview(upload, coordinator)).items()
    }
    assert f'name="offered-2" value="{digests["offered-2"]}"' in body
    event = AuditEvent.objects.get(action="missing.police_upload_previewed")
    assert event.details == {
        "force": "NSP",
        "rows": 7,
        "problem": 4,
        "recorded": 0,
        "ready": 3,
        "exact": 0,
        "likely": 1,
        "none": 2,
    }
    assert event.child_pks == [alfred.pk]

    # Without an answer for the likely row, the page asks for one and keeps the others.
    response = client.post(
        f"/episodes/upload/{upload.pk}/",
        {
            "mapping_version": "1",
            **digests,
            "row-3": "skip",
            "sex-3": "F",
            "row-8": "new",
            "sex-8": "M",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 2: select the child this notification is about" in body
    assert 'href="#row-2"' in body
    assert 'name="row-3" type="radio" value="skip" checked' in body
    assert '<option value="M" selected>' in body
    assert not Episode.objects.exists()

    response = client.post(
        f"/episodes/upload/{upload.pk}/",
        {
            "mapping_version": "1",
            **digests,
            "row-2": f"child:{alfred.pk}",
            "row-3": "skip",
            "row-8": "new",
            "sex-8": "M",
        },
    )
    assert response["Location"] == "/episodes/upload/recorded/"
    assert set(Episode.objects.values_list("episode_id", flat=True)) == {
        "NSP-26-0101",
        "NSP-26-0107",
    }
    assert Episode.objects.get(episode_id="NSP-26-0101").child == alfred
    assert Child.objects.get(child_id="P-2007").sex == "M"
    assert not Child.objects.filter(child_id="P-2002").exists()
    assert not PoliceUpload.objects.exists()
    body = client.get("/episodes/upload/recorded/").content.decode()
    assert "Police extract recorded" in body
    # The summary is shown once.
    assert client.get("/episodes/upload/recorded/")["Location"] == "/episodes/upload/"


def test_a_reference_recorded_meanwhile_refuses_the_file_and_says_why(client, coordinator, mapped):
    child = ChildFactory(child_id="P-1")
    upload = held_for(coordinator, mapped, csv_of(row(ref="NSP-1", person="P-1")))
    assert client.get(f"/episodes/upload/{upload.pk}/").status_code == 200
    digests = offered(build_preview(upload, coordinator))
    record_notification(
        "someone else",
        child=child,
        police_reference="NSP-1",
        category="MISSING",
        started_at=NOW - dt.timedelta(hours=2),
    )
    response = client.post(
        f"/episodes/upload/{upload.pk}/",
        {"mapping_version": "1", "offered-2": digests[2], "row-2": f"child:{child.pk}"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 2: police reference NSP-1 was recorded by someone else" in body
    assert "Already recorded: this row is not recorded again" in body
    assert Episode.objects.count() == 1
    assert PoliceUpload.objects.filter(pk=upload.pk).exists()
    assert AuditEvent.objects.filter(action="missing.police_upload_refused").exists()


def test_cancelling_deletes_the_file(client, coordinator, mapped):
    upload = held_for(coordinator, mapped, csv_of(row()))
    response = client.post(f"/episodes/upload/{upload.pk}/discard/")
    assert response["Location"] == "/episodes/upload/?discarded=1"
    assert not PoliceUpload.objects.exists()
    assert "The file has been deleted" in client.get(response["Location"]).content.decode()


def test_the_preview_page_takes_a_bounded_number_of_queries(
    client, coordinator, mapped, django_assert_max_num_queries
):
    for n in range(50):
        ChildFactory(child_id=f"P-{n}", given_name="Ada", family_name=f"Family{n}")
    lines = [row(ref=f"NSP-{n}", person=f"P-{n}", family=f"Family{n}") for n in range(50)]
    lines += [row(ref=f"NSP-X{n}", family=f"Famliy{n}", dob="15/06/2005") for n in range(50)]
    small = held_for(coordinator, mapped, csv_of(*lines[:2]))
    big = held_for(coordinator, mapped, csv_of(*lines))
    with django_assert_max_num_queries(30) as small_queries:
        assert client.get(f"/episodes/upload/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(len(small_queries) + 2):
        assert client.get(f"/episodes/upload/{big.pk}/").status_code == 200


def test_the_preview_says_a_row_will_be_merged_into_an_open_episode_and_moves_last_seen(
    client, coordinator, mapped
):
    child = ChildFactory(child_id="P-OPEN", given_name="Ada", family_name="Amberley")
    record_notification(
        coordinator,
        child=child,
        police_reference="NSP-OLD",
        category="MISSING",
        started_at=dt.datetime(2026, 11, 1, 23, 0, tzinfo=UTC),
    )
    upload = held_for(
        coordinator,
        mapped,
        csv_of(
            row(ref="NSP-EARLIER", person="P-OPEN", seen="01/11/2026 21:15"),
            row(ref="NSP-LATER", person="P-OPEN", seen="02/11/2026 08:00"),
        ),
    )

    page = " ".join(client.get(f"/episodes/upload/{upload.pk}/").content.decode().split())

    assert (
        "Ada Amberley has an open episode, NSP-OLD: this notification will be added to it. "
        "Its last seen time moves from 1 November 2026 at 11pm to "
        "1 November 2026 at 9:15pm." in page
    )
    assert (
        "Ada Amberley has an open episode, NSP-OLD: this notification will be added to it. "
        "Its last seen time stays 1 November 2026 at 11pm." in page
    )
    # The rows' risk grade (High) replaces the episode's (not graded).
    assert "Its risk grade changes from Not graded to High." in page


def test_the_mapping_offers_date_formats_as_examples_not_codes(client, coordinator, mapped):
    upload = held_for(coordinator, mapped, (DATA / "northshire-extract.csv").read_text())

    page = client.get(f"/episodes/upload/{upload.pk}/mapping/").content.decode()

    assert '<select class="govuk-select" id="datetime_format" name="datetime_format"' in page
    assert '<option value="%d/%m/%Y %H:%M" selected>23/11/2026 14:35</option>' in page
    assert '<option value="%Y-%m-%d">2026-11-23</option>' in page
    assert "%H the hour" not in page
    # The live example: what this file has in the column each format reads (the columns
    # chosen so far: here the saved mapping's).
    assert "This file has 31/10/2026 21:15 in its column &#39;Last Seen&#39;" in page
    assert "This file has 03/09/2010 in its column &#39;DOB&#39;" in page


def test_a_format_a_force_saved_before_stays_offered(client, coordinator, force):
    odd = {
        **NORTHSHIRE,
        "formats": {"datetime_format": "%d/%m/%Y %H.%M", "date_format": "%d/%m/%Y"},
    }
    save_mapping("test", force, version=None, **odd)
    upload = held_for(coordinator, force, (DATA / "northshire-extract.csv").read_text())

    page = client.get(f"/episodes/upload/{upload.pk}/mapping/").content.decode()

    assert '<option value="%d/%m/%Y %H.%M" selected>23/11/2026 14.35</option>' in page
