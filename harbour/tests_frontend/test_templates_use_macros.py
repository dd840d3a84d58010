"""Pages write GOV.UK components through the macros in harbour/templates/macros/, not by hand.

A table or a date input written out in a page drifts from GOV.UK Frontend and from the other
pages (a missing scope, caption or error state); the macros are checked against GOV.UK's own
examples (test_macros.py), so every page goes through them.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import engines

TEMPLATES = Path(settings.BASE_DIR) / "harbour" / "templates"
MACROS = TEMPLATES / "macros"

# Pages that may still write a component by hand, each with why. A page that
# cannot use a macro yet goes here with its reason.
STILL_BY_HAND: dict[str, dict[str, str]] = {
    "table": {},
    "date input": {},
    "form field": {},
    "choice or text box": {
        "accounts/staff/set_password.html": "a hidden username box for password managers, "
        "not a field anyone fills in: GOV.UK has no component for it",
        "accounts/staff/detail.html": "the new set-password link, read-only and with no name "
        "(it is copied, not sent): not a form field",
    },
}


HAND_WRITTEN = {
    "table": re.compile(r"<table\b", re.IGNORECASE),
    # The row of boxes; its items (govuk-date-input__item) are not matched on their own.
    "date input": re.compile(r"""class="[^"]*\bgovuk-date-input\b(?!_)"""),
    # A select, radio, checkbox or text box: what the field macros write. Hidden inputs,
    # file uploads and buttons are not matched.
    "choice or text box": re.compile(
        r"""<select\b|<input\b[^>]*\btype=["']?(?:radio|checkbox|text)\b""", re.IGNORECASE
    ),
}


def pages() -> list[Path]:
    return sorted(path for path in TEMPLATES.rglob("*.html") if MACROS not in path.parents)


def pages_writing(component: str) -> set[str]:
    pattern = HAND_WRITTEN[component]
    return {
        path.relative_to(TEMPLATES).as_posix()
        for path in pages()
        if pattern.search(path.read_text("utf-8"))
    }


def test_there_are_pages_to_check() -> None:
    names = {path.relative_to(TEMPLATES).as_posix() for path in pages()}
    assert {"base.html", "audit/trail.html", "missing/list.html"} <= names
    assert not any(name.startswith("macros/") for name in names)


def test_no_page_writes_a_table_by_hand() -> None:
    assert pages_writing("table") - set(STILL_BY_HAND["table"]) == set(), (
        "write tables with govukTable (macros/table.html)"
    )


def test_no_page_writes_a_date_input_by_hand() -> None:
    assert pages_writing("date input") - set(STILL_BY_HAND["date input"]) == set(), (
        "write date inputs with date_input, date_parts_input or date_boxes (macros/fields.html)"
    )


def test_no_page_writes_a_select_radio_checkbox_or_text_box_by_hand() -> None:
    assert (
        pages_writing("choice or text box") - set(STILL_BY_HAND["choice or text box"]) == set()
    ), (
        "write selects, radios, checkboxes and text boxes with select, radios, checkboxes and "
        "text_input (macros/fields.html), adding a documented parameter if a field needs one"
    )


def test_every_page_left_writing_a_field_by_hand_still_does() -> None:
    # An entry whose page has moved onto the macros is removed, so the list only shrinks.
    assert set(STILL_BY_HAND["choice or text box"]) <= pages_writing("choice or text box")


def test_the_date_input_is_written_once_in_the_macros() -> None:
    fields = (MACROS / "fields.html").read_text("utf-8")
    assert len(HAND_WRITTEN["date input"].findall(fields)) == 1
    assert [
        path.name
        for path in MACROS.glob("*.html")
        if HAND_WRITTEN["date input"].search(path.read_text("utf-8"))
    ] == ["fields.html"]


def test_every_page_with_a_form_writes_its_fields_through_the_macros() -> None:
    with_forms = {
        path.relative_to(TEMPLATES).as_posix()
        for path in pages()
        if re.search(r"<form\b", path.read_text("utf-8"))
    }
    assert "accounts/sign_in.html" in with_forms
    without = {
        name
        for name in with_forms
        if '"macros/fields.html"' not in (TEMPLATES / name).read_text("utf-8")
    }
    assert without - set(STILL_BY_HAND["form field"]) == set()


def test_no_page_writes_the_csrf_field_by_hand() -> None:
    assert {
        path.relative_to(TEMPLATES).as_posix()
        for path in pages()
        if "csrfmiddlewaretoken" in path.read_text("utf-8")
    } - set(STILL_BY_HAND["form field"]) == set()


def test_the_scan_finds_a_table_or_date_input_written_by_hand() -> None:
    assert HAND_WRITTEN["table"].search('<p>x</p>\n<TABLE class="govuk-table">')
    assert HAND_WRITTEN["date input"].search('<div class="govuk-date-input" id="dob">')
    assert not HAND_WRITTEN["date input"].search('<div class="govuk-date-input__item">')


def test_the_scan_finds_a_select_radio_checkbox_or_text_box_written_by_hand() -> None:
    field = HAND_WRITTEN["choice or text box"]
    assert field.search('<select class="govuk-select" id="role" name="role">')
    assert field.search('<input class="govuk-radios__input" id="a" name="a" type="radio">')
    assert field.search('<input id="b" name="b"\n  type="checkbox" value="yes">')
    assert field.search('<input class="govuk-input" id="c" name="c" type="text">')
    assert not field.search('<input type="hidden" name="version" value="3">')
    assert not field.search('<input class="govuk-file-upload" id="f" name="f" type="file">')
    assert not field.search('<input type="search" name="q">')


def render(source: str, **context: object) -> str:
    return engines["jinja2"].from_string(source).render(context)


TABLE = '{% from "macros/table.html" import govukTable %}{{ govukTable(params) }}'


def test_a_table_row_can_carry_an_id_for_links_and_tests() -> None:
    html = render(
        TABLE,
        params={"rows": [{"attributes": {"id": "event-7"}, "cells": [{"text": "Seven"}]}]},
    )
    assert '<tr class="govuk-table__row" id="event-7">' in html
    assert '<td class="govuk-table__cell">Seven</td>' in html


def test_a_table_can_group_its_columns_under_a_second_header_row() -> None:
    html = render(
        TABLE,
        params={
            "firstCellIsHeader": True,
            "head": [
                [{}, {"text": "2026 Q1", "colspan": 2, "scope": "colgroup"}],
                [{"text": "Figure"}, {"text": "No."}, {"text": "%"}],
            ],
            "rows": [[{"text": "Episodes"}, {"text": "3"}, {"text": "50%"}]],
        },
    )
    head = html.split("<thead", 1)[1].split("</thead>", 1)[0]
    assert head.count("<tr") == 2
    # The empty corner is not a header of anything.
    assert '<td class="govuk-table__header"></td>' in head
    assert re.search(r'<th scope="colgroup" class="govuk-table__header" colspan="2">', head)
    assert '<th scope="row" class="govuk-table__header">Episodes</th>' in html


def test_a_table_cell_s_text_is_escaped_and_its_html_is_not() -> None:
    html = render(
        '{% from "macros/table.html" import govukTable %}'
        '{% set link %}<a href="/x">{{ name }}</a>{% endset %}'
        '{{ govukTable({"rows": [[{"text": name}, {"html": link}]]}) }}',
        name="<i>",
    )
    assert '<td class="govuk-table__cell">&lt;i&gt;</td>' in html
    assert '<a href="/x">&lt;i&gt;</a>' in html


FIELDS = '{% from "macros/fields.html" import date_boxes %}'


def test_a_date_input_names_its_hint_and_error_and_marks_the_wrong_box() -> None:
    html = render(
        FIELDS + '{{ date_boxes("seen", "Last seen", items, hint="For example, 27 3 2024", '
        'error="Enter a real month", id="seen") }}',
        items=[
            {"id": "seen-day", "name": "seen_day", "label": "Day", "width": 2, "value": "4"},
            {
                "id": "seen-month",
                "name": "seen_month",
                "label": "Month",
                "width": 2,
                "value": "13",
                "error": True,
            },
            {"id": "seen-year", "name": "seen_year", "label": "Year", "width": 4, "value": "2026"},
        ],
    )
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'role="group" aria-describedby="seen-hint seen-error"' in html
    assert '<p id="seen-error" class="govuk-error-message">' in html
    assert '<div class="govuk-date-input" id="seen">' in html
    marked = re.findall(r'<input class="[^"]*govuk-input--error[^"]*" id="([^"]+)"', html)
    assert marked == ["seen-month"]
    assert 'for="seen-day">Day</label>' in html
    assert 'id="seen-day" name="seen_day" type="text" inputmode="numeric" value="4"' in html


def test_a_date_input_error_marks_every_box_when_none_is_named() -> None:
    html = render(
        FIELDS + '{{ date_boxes("dob", "Date of birth", items, error="Enter a date") }}',
        items=[
            {"id": "dob-" + part, "name": "dob-" + part, "label": part, "width": 2, "value": ""}
            for part in ("day", "month", "year")
        ],
    )
    assert html.count("govuk-input--error") == 3
    assert 'aria-describedby="dob-error"' in html


def test_a_field_can_keep_an_id_other_than_its_name_and_word_its_own_error() -> None:
    html = render(
        '{% from "macros/fields.html" import text_input %}'
        '{{ text_input(none, "username", "Username", id="id_username", '
        'error="Enter your username", value="ada") }}'
    )
    assert '<label class="govuk-label" for="id_username">Username</label>' in html
    assert '<p id="id_username-error" class="govuk-error-message">' in html
    assert 'id="id_username" name="username" type="text" value="ada"' in html
    assert 'aria-describedby="id_username-error"' in html


def test_a_select_with_no_form_behind_it_shows_the_value_chosen_and_its_error() -> None:
    html = render(
        '{% from "macros/fields.html" import select %}'
        '{{ select(none, "sex-3", "Sex", [("F", "Female"), ("M", "Male")], value="M", '
        'error="Select a sex", label_classes="", classes="govuk-!-width-full") }}'
    )
    assert '<label class="govuk-label" for="sex-3">Sex</label>' in html
    assert (
        '<select class="govuk-select govuk-!-width-full govuk-select--error" id="sex-3" '
        'name="sex-3" aria-describedby="sex-3-error">'
    ) in html
    assert '<option value="M" selected>Male</option>' in html
    assert '<option value="F">Female</option>' in html


def test_a_box_repeated_per_row_keeps_its_own_id_and_describes_its_error_itself() -> None:
    html = render(
        '{% from "macros/fields.html" import checkboxes %}'
        '{{ checkboxes(none, "confirm", "", [("yes", "I have checked")], [], id="confirm-7", '
        'error="Confirm that you have checked") }}'
    )
    assert "<fieldset" not in html
    assert '<p id="confirm-7-error" class="govuk-error-message">' in html
    assert (
        'id="confirm-7" name="confirm" type="checkbox" value="yes" '
        'aria-describedby="confirm-7-error">'
    ) in html
    assert 'for="confirm-7">I have checked</label>' in html


def test_boxes_that_are_fields_of_their_own_keep_their_names_and_hints() -> None:
    html = render(
        '{% from "macros/fields.html" import checkboxes %}'
        '{{ checkboxes(none, "options", "Options", ['
        '{"value": "on", "text": "A", "name": "a", "id": "a", "checked": true},'
        '{"value": "on", "text": "B", "name": "b", "id": "b", "checked": false, "hint": "Why"}'
        "], []) }}"
    )
    assert 'id="a" name="a" type="checkbox" value="on" checked>' in html
    assert 'id="b" name="b" type="checkbox" value="on" aria-describedby="b-hint">' in html
    assert '<div id="b-hint" class="govuk-hint govuk-checkboxes__hint">Why</div>' in html


def test_radios_as_items_number_their_ids_past_the_divider_and_keep_the_choice_made() -> None:
    html = render(
        '{% from "macros/fields.html" import radios %}'
        '{{ radios(none, "row-2", "Row 2", ['
        '{"value": "child:1", "text": "Use this child", "hint": "Score 90"},'
        '{"divider": "or"}, {"value": "skip", "text": "Do not record this row"}'
        '], hint="Details", hint_id="row-2-details", value="skip", error="Choose one") }}'
    )
    assert 'aria-describedby="row-2-details row-2-error"' in html
    assert '<div id="row-2-details" class="govuk-hint">Details</div>' in html
    assert (
        'id="row-2" name="row-2" type="radio" value="child:1" aria-describedby="row-2-hint">'
        in html
    )
    assert '<div class="govuk-radios__divider">or</div>' in html
    assert 'id="row-2-2" name="row-2" type="radio" value="skip" checked>' in html


def test_radios_reveal_a_conditional_field_and_take_an_id_prefix() -> None:
    html = render(
        '{% from "macros/fields.html" import radios %}'
        '{{ radios(none, "when_offset", "Which one?", ['
        '{"value": "a", "text": "A", "conditional": {"html": "More about A"}},'
        '{"value": "b", "text": "B"}], value="b", error="Choose one", id="when-offset") }}'
    )
    assert 'aria-describedby="when-offset-error"' in html
    assert '<p id="when-offset-error" class="govuk-error-message">' in html
    assert 'id="when-offset" name="when_offset" type="radio" value="a" data-aria-controls=' in html
    assert (
        '<div class="govuk-radios__conditional govuk-radios__conditional--hidden" '
        'id="conditional-when-offset">'
    ) in html
    assert "More about A" in html
    assert 'id="when-offset-2" name="when_offset" type="radio" value="b" checked>' in html
