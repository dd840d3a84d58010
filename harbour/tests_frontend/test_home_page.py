"""The home page (for the roles without a dashboard) promises only what the person can do:
each thing it lists links to the page where they do it, and nothing that Harbour does not
have (exploitation referrals, assessments and panels have no pages yet)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from harbour.accounts.models import RoleAssignment

pytestmark = pytest.mark.django_db

HOME_ROLES = ["ANALYST", "AUDITOR", "ADMINISTRATOR", "RHI_WORKER"]


def home_of(client: Client, django_user_model, role: str | None) -> str:
    user = django_user_model.objects.create_user(f"as-{role or 'nobody'}".lower())
    if role:
        RoleAssignment.objects.create(user=user, role=role)
    client.force_login(user)
    page = client.get("/").content.decode()
    return page.split('id="main-content"', 1)[1]


def promises(main: str) -> list[tuple[str, str]]:
    """(link text, address) of each item of "What you can do"."""
    listed = main.split("What you can do", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', listed)


@pytest.mark.parametrize("role", [*HOME_ROLES, None])
def test_no_home_page_promises_exploitation_pages(client, django_user_model, role):
    main = home_of(client, django_user_model, role)
    assert "exploitation" not in main.lower()


@pytest.mark.parametrize(
    ("role", "address"),
    [
        ("ANALYST", "/reports/quarterly/"),
        ("AUDITOR", "/audit/"),
        ("ADMINISTRATOR", "/staff/"),
        ("RHI_WORKER", "/interviews/"),
    ],
)
def test_each_role_is_offered_what_it_can_do_with_a_link(client, django_user_model, role, address):
    main = home_of(client, django_user_model, role)
    listed = promises(main)
    assert address in [href for href, _ in listed]
    for href, _ in listed:
        assert client.get(href).status_code == 200, href


def test_an_analyst_is_not_promised_casework(client, django_user_model):
    main = home_of(client, django_user_model, "ANALYST")
    addresses = [href for href, _ in promises(main)]
    assert addresses == ["/reports/quarterly/"]
    assert "police notifications" not in main


def test_someone_without_a_role_is_told_to_ask_for_one(client, django_user_model):
    main = home_of(client, django_user_model, None)
    assert "You have no role in Harbour yet" in main
