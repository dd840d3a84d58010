"""The home page (for the roles without a dashboard) promises only what the person can do:
each thing it lists links to the page where they do it, and nothing that Harbour does not
have (exploitation referrals, assessments and panels have no pages yet)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HOME_ROLES = ["ANALYST", "AUDITOR", "ADMINISTRATOR", "RHI_WORKER"]


def home_of(client: Client, client_as: Callable[..., Any], role: str | None) -> str:
    client_as(*([role] if role else []))
    page = client.get("/").content.decode()
    return page.split('id="main-content"', 1)[1]


def promises(main: str) -> list[tuple[str, str]]:
    """(link text, address) of each item of "What you can do"."""
    listed = main.split("What you can do", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="govuk-link" href="([^"]+)">([^<]+)</a>', listed)


@pytest.mark.parametrize("role", [*HOME_ROLES, None])
def test_no_home_page_promises_exploitation_pages(client, client_as, role):
    main = home_of(client, client_as, role)
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
def test_each_role_is_offered_what_it_can_do_with_a_link(client, client_as, role, address):
    main = home_of(client, client_as, role)
    listed = promises(main)
    assert address in [href for href, _ in listed]
    for href, _ in listed:
        assert client.get(href).status_code == 200, href


def test_an_analyst_is_not_promised_casework(client, client_as):
    main = home_of(client, client_as, "ANALYST")
    addresses = [href for href, _ in promises(main)]
    assert addresses == ["/reports/quarterly/", "/reports/areas/"]
    assert "police notifications" not in main


def test_someone_without_a_role_is_told_to_ask_for_one(client, client_as):
    main = home_of(client, client_as, None)
    assert "You have no role in Harbour yet" in main
