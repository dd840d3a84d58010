"""A text area whose form field has a limit shows the GOV.UK character count; one without a
limit is a plain text area (issue 10, bug 8)."""

from django import forms
from django.template import engines


class _Note(forms.Form):
    limited = forms.CharField(max_length=2000, widget=forms.Textarea)
    unlimited = forms.CharField(widget=forms.Textarea)


def _textarea(name: str) -> str:
    template = engines["jinja2"].from_string(
        '{% from "macros/fields.html" import textarea %}{{ textarea(form, name, "Note") }}'
    )
    return template.render({"form": _Note(), "name": name})


def test_a_text_area_with_a_limit_shows_the_character_count():
    html = _textarea("limited")
    assert 'data-module="govuk-character-count"' in html
    assert 'data-maxlength="2000"' in html
    assert "You can enter up to 2,000 characters" in html


def test_a_text_area_without_a_limit_has_no_count():
    html = _textarea("unlimited")
    assert "govuk-character-count" not in html
    assert '<textarea class="govuk-textarea"' in html
