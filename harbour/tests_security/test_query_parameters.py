"""A control character in any query parameter of any page is never a server error, on
SQLite or PostgreSQL (PostgreSQL refuses a NUL in any string it is sent: issue 9,
finding 5).

Every page reached with GET, as a user holding every role, is asked for once per field of
its own search and filter forms (the forms the page shows with method GET, so a new filter
is included without anyone listing it), with that field alone holding a NUL, and once with
a NUL in every parameter pages read directly."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from harbour.accounts.models import Role
from harbour.common.tests.factories import (
    ChildFactory,
    EpisodeFactory,
    MeetingFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db

# Read by pages straight from the query string, not through a form they show.
PAGE_PARAMETERS = ("q", "page", "sort", "show", "kind", "recorded", "changed", "reason", "next")
ALL_PAGE_PARAMETERS = "&".join(f"{name}=a%00b" for name in PAGE_PARAMETERS)

GET_FORM = re.compile(r"<form\b(?![^>]*method=\"post\")[^>]*>(.*?)</form>", re.S | re.I)
FIELD_NAME = re.compile(r"\bname=\"([^\"]+)\"")


def get_form_fields(html: str) -> set[str]:
    return {name for form in GET_FORM.findall(html) for name in FIELD_NAME.findall(form)}


def pages(arguments: dict[str, object]) -> list[str]:
    """Every page outside the Django admin whose address parameters `arguments` fills."""

    def walk(patterns: list) -> list[str]:
        found = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    found += walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                wanted = set(pattern.pattern.regex.groupindex)
                if wanted <= set(arguments):
                    kwargs = {name: arguments[name] for name in wanted}
                    found.append(reverse(pattern.name, kwargs=kwargs))
        return found

    return sorted(set(walk(get_resolver().url_patterns)))


def test_a_nul_in_any_query_parameter_of_any_page_is_never_a_server_error(settings):
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False
    everyone = make_staff(*Role, username="everyone")
    child = ChildFactory()
    episode = EpisodeFactory(child=child)
    meeting = MeetingFactory(child=child)
    client = Client(raise_request_exception=False)
    client.force_login(everyone)
    addresses = [
        *pages({"pk": child.pk, "child_pk": child.pk, "user_pk": everyone.pk}),
        reverse("episode_detail", args=[episode.pk]),
        reverse("meetings_meeting", args=[meeting.pk]),
        reverse("report_download", kwargs={"kind": "quarterly", "extension": "csv"}),
    ]
    failures = []
    asked = 0
    for address in addresses:
        page = client.get(address)
        if page.status_code != 200:
            continue  # refused (405, 403) before anything is read
        # The parameters pages read directly are independent of each other: all at once.
        asked += 1
        response = client.get(address, dict.fromkeys(PAGE_PARAMETERS, "a\x00b"))
        if response.status_code >= 500:
            failures.append(f"{address}?{ALL_PAGE_PARAMETERS}")
        # A form's fields one at a time: a field refused could stop the others being read.
        names = set()
        if "html" in page.get("Content-Type", ""):
            names = get_form_fields(page.content.decode()) - {"csrfmiddlewaretoken"}
        for name in sorted(names - set(PAGE_PARAMETERS)):
            asked += 1
            response = client.get(address, {name: "a\x00b"})
            if response.status_code >= 500:
                failures.append(f"{address}?{name}=a%00b")
    assert asked > 80
    assert failures == []
