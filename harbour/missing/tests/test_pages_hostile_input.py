"""Hostile text through whole pages (Hypothesis): recording a notification with any
reference and names, and filtering the audit trail by any text, answer with a page or a
refusal and never a server error, on either database (docs/security.md, "Hostile input")."""

import datetime as dt
from urllib.parse import quote_from_bytes

import pytest
from django.db import transaction
from hypothesis import event, given
from hypothesis import strategies as st

from harbour.common.tests.hostile import HOSTILE_TEXT, hostile_settings
from harbour.common.time import UTC

from .test_pages import details

NOW = dt.datetime(2024, 11, 1, 12, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
# Plausible values with hostile text mixed in: most examples get past the form's checks.
PLAUSIBLE = st.sampled_from(["NWP-100", "Alfie", "Smith", "P-1"])
TEXT = st.one_of(PLAUSIBLE, PLAUSIBLE, HOSTILE_TEXT)


def encoded(values: dict[str, str]) -> str:
    """A form's fields as a browser would send them, but with a lone surrogate written as
    its (invalid) UTF-8 bytes, as a broken or hostile client could."""
    return "&".join(
        f"{name}={quote_from_bytes(value.encode('utf-8', errors='surrogatepass'))}"
        for name, value in values.items()
    )


def post(client, path: str, values: dict[str, str]):
    return client.post(path, encoded(values), content_type="application/x-www-form-urlencoded")


@pytest.fixture
def coordinator(client_as):
    return client_as("COORDINATOR")


@pytest.fixture
def auditor(client_as):
    return client_as("AUDITOR")


@hostile_settings(max_examples=60)
@given(
    reference=TEXT,
    given_name=TEXT,
    family_name=TEXT,
    child_id=TEXT,
)
def test_a_notification_with_any_reference_and_names_is_recorded_or_refused(
    client, coordinator, reference, given_name, family_name, child_id
):
    typed = details(
        police_reference=reference,
        given_name=given_name,
        family_name=family_name,
        child_id=child_id,
    )
    with transaction.atomic():
        response = post(client, "/episodes/new/", typed)
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            response = post(client, "/episodes/new/", {**typed, "step": "choose", "choice": "new"})
            assert response.status_code in (200, 302, 400)
        event(f"answered {response.status_code}")
        transaction.set_rollback(True)


@hostile_settings(max_examples=40)
@given(person_id=TEXT, user=TEXT, action=TEXT, date_from=TEXT)
def test_the_audit_trail_filtered_by_any_text_is_a_page_not_an_error(
    client, auditor, person_id, user, action, date_from
):
    filters = {"person_id": person_id, "user": user, "action": action, "date_from": date_from}
    response = client.get(f"/audit/?{encoded(filters)}")
    assert response.status_code in (200, 400)
