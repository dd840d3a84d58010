"""base.html shows the error summary and the messages of django.contrib.messages itself.

Pages used to render their own "There is a problem" box and include the messages banner one
by one; now the layout does both, once, at the top of <main>.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "harbour" / "templates"

SUMMARY = 'class="govuk-error-summary"'


class PlaceForm(forms.Form):
    town = forms.CharField()
    postcode = forms.CharField()


def render_page(content: str, waiting_messages: tuple[str, ...] = (), **context: object) -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    for text in waiting_messages:
        messages.success(request, text)
    template = engines["jinja2"].from_string(
        '{% extends "base.html" %}{% block content %}' + content + "{% endblock %}"
    )
    return template.render(context, request=request)


def summary_links(html: str) -> list[str]:
    summary = html.split(SUMMARY, 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="(#[^"]+)"', summary)


def test_an_invalid_form_gives_one_summary_linking_to_its_fields_in_page_order() -> None:
    form = PlaceForm({"town": "", "postcode": ""})
    html = render_page(
        '<input id="postcode" name="postcode"><input id="town" name="town">', form=form
    )
    assert html.count(SUMMARY) == 1
    assert summary_links(html) == ["#postcode", "#town"]
    assert "<title>Error: " in html
    # At the top of <main>, before the page's own content.
    assert html.index(SUMMARY) < html.index('id="postcode"')
    assert html.index('id="main-content"') < html.index(SUMMARY)


def test_a_valid_or_unsubmitted_form_gives_no_summary() -> None:
    for form in (PlaceForm(), PlaceForm({"town": "Bootle", "postcode": "L20 1AA"})):
        html = render_page('<input id="town">', form=form)
        assert SUMMARY not in html
        assert "<title>Error: " not in html


def test_a_view_s_error_list_wins_over_the_form_and_a_page_can_word_its_own() -> None:
    form = PlaceForm({"town": "", "postcode": ""})
    html = render_page("", form=form, errors=[{"text": "Choose a town", "href": "#town-2"}])
    assert summary_links(html) == ["#town-2"]
    assert "Choose a town" in html
    html = render_page("", form=form, error_summary=[])
    assert SUMMARY not in html


def test_filters_that_ignore_unknown_values_give_no_summary() -> None:
    html = render_page("", form=PlaceForm({"town": ""}), has_errors=False)
    assert SUMMARY not in html


def test_messages_waiting_for_the_request_are_shown_once_as_a_banner() -> None:
    html = render_page("<h1>Staff</h1>", waiting_messages=("Role added",))
    assert html.count("govuk-notification-banner--success") == 1
    assert '<h3 class="govuk-notification-banner__heading">Role added</h3>' in html
    assert html.index("Role added") < html.index("<h1>Staff</h1>")


@pytest.mark.django_db
def test_the_sign_in_page_shows_one_summary_in_its_own_words() -> None:
    response = Client().post(reverse("sign_in"), {"username": "", "password": ""})
    page = response.content.decode()
    assert page.count(SUMMARY) == 1
    assert summary_links(page) == ["#id_username", "#id_password"]
    assert "Enter your username" in page and "Enter your password" in page


@pytest.mark.django_db
def test_a_signed_out_message_is_shown_once(client: Client, django_user_model) -> None:
    client.force_login(django_user_model.objects.create_user("reader"))
    response = client.post(reverse("sign_out"), follow=True)
    page = response.content.decode()
    assert page.count("You have signed out") == 1


def test_no_page_renders_its_own_summary_or_messages() -> None:
    own = set()
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith("macros/") or name == "base.html":
            continue
        text = path.read_text("utf-8")
        if re.search(r"govukErrorSummary\w*\(|_messages\.html|accounts/_errors\.html", text):
            own.add(name)
        if "There is a problem" in text:
            own.add(name)
    assert own == set()
