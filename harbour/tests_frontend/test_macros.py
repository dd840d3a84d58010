"""Harbour's Jinja2 macros render the same HTML as GOV.UK Frontend's own Nunjucks macros.

govuk_fixtures.json holds GOV.UK Frontend's examples for each component (the options and the
HTML its macro renders), copied from the installed package by frontend/build.sh. Each example
is rendered through our macro with the same options and compared after normalising
whitespace and attribute order, so upgrading GOV.UK Frontend tells us which macros to update.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import engines

FIXTURES = json.loads((Path(__file__).parent / "govuk_fixtures.json").read_text("utf-8"))

# Component name -> (template under harbour/templates/macros/, macro name).
MACROS = {
    "back-link": ("back_link.html", "govukBackLink"),
    "button": ("button.html", "govukButton"),
    "error-summary": ("error_summary.html", "govukErrorSummary"),
    "inset-text": ("inset_text.html", "govukInsetText"),
    "phase-banner": ("phase_banner.html", "govukPhaseBanner"),
    "service-navigation": ("service_navigation.html", "govukServiceNavigation"),
    "skip-link": ("skip_link.html", "govukSkipLink"),
    "summary-list": ("summary_list.html", "govukSummaryList"),
    "table": ("table.html", "govukTable"),
    "tag": ("tag.html", "govukTag"),
}

# Examples our macros deliberately do not reproduce: (component, example name) -> reason.
# Empty: every example of GOV.UK Frontend 5.14 matches.
NOT_SUPPORTED: dict[tuple[str, str], str] = {}


class _Normaliser(HTMLParser):
    """HTML as a list of tokens: whitespace collapsed, attributes sorted, empty text dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("start", tag, tuple(sorted((k, _squash(v or "")) for k, v in attrs))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        text = _squash(data)
        if text:
            if self.tokens and self.tokens[-1][0] == "text":
                self.tokens[-1] = ("text", f"{self.tokens[-1][1]} {text}")
            else:
                self.tokens.append(("text", text))


def _squash(text: str) -> str:
    return " ".join(text.split())


def normalise(html: str) -> list[tuple]:
    parser = _Normaliser()
    parser.feed(html)
    parser.close()
    return parser.tokens


def render_macro(component: str, options: dict) -> str:
    template_name, macro = MACROS[component]
    template = engines["jinja2"].from_string(
        f'{{% from "macros/{template_name}" import {macro} %}}{{{{ {macro}(params) }}}}'
    )
    return template.render({"params": options})


def _cases():
    for component, fixtures in FIXTURES["components"].items():
        for fixture in fixtures:
            reason = NOT_SUPPORTED.get((component, fixture["name"]))
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            yield pytest.param(
                component, fixture, id=f"{component}: {fixture['name']}", marks=marks
            )


@pytest.mark.parametrize(("component", "fixture"), list(_cases()))
def test_macro_matches_govuk_frontend(component: str, fixture: dict) -> None:
    rendered = render_macro(component, fixture["options"])
    assert normalise(rendered) == normalise(fixture["html"])


def test_the_comparison_notices_a_difference() -> None:
    assert normalise('<a class="govuk-link" href="#">Back</a>') != normalise(
        '<a class="govuk-link govuk-link--inverse" href="#">Back</a>'
    )
    assert normalise("<p>Back</p>") != normalise("<p>Back to start</p>")


def test_every_component_has_examples() -> None:
    assert set(FIXTURES["components"]) == set(MACROS)
    assert all(FIXTURES["components"][name] for name in MACROS)
    assert FIXTURES["source"].startswith("govuk-frontend 5.")


def test_text_is_escaped_and_html_is_not() -> None:
    rendered = render_macro("tag", {"text": "<script>alert(1)</script>"})
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    rendered = render_macro("tag", {"html": "<em>Missing</em>"})
    assert "<em>Missing</em>" in rendered


def test_inset_text_takes_its_content_from_a_call_block() -> None:
    template = engines["jinja2"].from_string(
        '{% from "macros/inset_text.html" import govukInsetText %}'
        "{% call govukInsetText({}) %}Kept until <b>25</b>{% endcall %}"
    )
    assert normalise(template.render({})) == normalise(
        '<div class="govuk-inset-text">Kept until <b>25</b></div>'
    )
