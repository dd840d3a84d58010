"""The page layout and the committed front-end assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

STATIC = Path(settings.BASE_DIR) / "harbour" / "static" / "harbour"


@pytest.fixture
def home(client: Client, settings, client_as, db) -> str:
    settings.COUNCIL_NAME = "Test Borough Council"
    client_as()
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    return response.content.decode()


def test_home_page_renders_with_the_council_name(home: str) -> None:
    assert "Test Borough Council" in home
    assert "<title>Harbour \N{EN DASH} Test Borough Council</title>" in home
    assert '<h1 class="govuk-heading-xl">Harbour</h1>' in home


def test_home_page_is_the_council_s_not_gov_uk(home: str) -> None:
    assert "GOV.UK" not in home
    assert "govuk-logo" not in home and "govuk-header__logotype" not in home
    assert "Crown copyright" not in home
    assert "govuk-footer__licence-logo" not in home and "Open Government Licence" not in home


def test_home_page_has_no_inline_script_or_style(home: str) -> None:
    scripts = re.findall(r"<script\b[^>]*>", home, flags=re.IGNORECASE)
    assert scripts, "the page loads its JavaScript"
    for tag in scripts:
        assert re.search(r"\bsrc=", tag), f"inline script: {tag}"
        assert 'type="module"' in tag
    assert not re.search(r"\sstyle\s*=", home, flags=re.IGNORECASE)
    assert not re.search(r"<style\b", home, flags=re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", home, flags=re.IGNORECASE), "inline event handler"


def test_home_page_loads_the_compiled_assets(home: str) -> None:
    assert '<link rel="stylesheet" href="/static/harbour/application.css">' in home
    assert '<script type="module" src="/static/harbour/init.js"></script>' in home


def test_home_page_has_the_gov_uk_page_structure(home: str) -> None:
    assert home.startswith("<!DOCTYPE html>")
    assert '<html lang="en-GB" class="govuk-template">' in home
    assert '<body class="govuk-template__body">' in home
    assert '<a href="#main-content" class="govuk-skip-link"' in home
    assert '<main class="govuk-main-wrapper" id="main-content">' in home
    assert 'class="govuk-service-navigation' in home
    assert 'class="govuk-tag govuk-phase-banner__content__tag"' in home
    assert "Beta" in home
    assert '<footer class="govuk-footer">' in home


def test_text_in_the_layout_is_escaped(client: Client, settings) -> None:
    settings.COUNCIL_NAME = "<b>Borough</b>"
    body = client.get(reverse("sign_in")).content.decode()
    assert "<b>Borough</b>" not in body
    assert "&lt;b&gt;Borough&lt;/b&gt;" in body


@pytest.mark.django_db
def test_home_page_refuses_post(client: Client, client_as) -> None:
    client_as()
    assert client.post(reverse("home")).status_code == 405


def test_compiled_css_exists_and_uses_arial_not_gds_transport() -> None:
    css = (STATIC / "application.css").read_text("utf-8")
    assert len(css) > 100_000, "GOV.UK Frontend and MOJ Frontend are compiled in"
    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "font-family:arial,helvetica,sans-serif" in css
    assert ".govuk-button{" in css and ".moj-badge{" in css and ".harbour-header{" in css


def test_compiled_css_refers_only_to_files_we_ship() -> None:
    css = (STATIC / "application.css").read_text("utf-8")
    for ref in re.findall(r"url\(([^)]*)\)", css):
        path = ref.strip("\"'")
        assert "crest" not in path and "crown" not in path
        assert (STATIC / path).is_file(), f"application.css refers to missing {path}"


def test_javascript_bundles_are_committed_without_source_map_comments() -> None:
    for name in ("govuk-frontend.min.js", "moj-frontend.min.js", "init.js"):
        js = (STATIC / name).read_text("utf-8")
        assert "sourceMappingURL" not in js, name
    init = (STATIC / "init.js").read_text("utf-8")
    assert 'from "./govuk-frontend.min.js"' in init
    assert 'from "./moj-frontend.min.js"' in init
    assert "govuk-frontend-supported" in init


def test_no_fonts_or_crown_images_are_shipped() -> None:
    names = [p.name.lower() for p in STATIC.rglob("*") if p.is_file()]
    fonts = [n for n in names if n.endswith((".woff", ".woff2", ".ttf", ".otf", ".eot"))]
    assert not fonts
    # GOV.UK Frontend's images (govuk-*.png/svg, favicon.*) are all the crown or the crest.
    images = [n for n in names if n.endswith((".png", ".svg", ".ico", ".jpg", ".gif"))]
    assert images, "MOJ Frontend's icons are shipped"
    crown = [
        n for n in images if "crown" in n or "crest" in n or n.startswith(("govuk-", "favicon"))
    ]
    assert not crown


def test_every_page_links_the_council_neutral_icon(home: str) -> None:
    assert '<link rel="icon" href="/static/harbour/harbour-icon.svg" type="image/svg+xml">' in home
    icon = (STATIC / "harbour-icon.svg").read_text("utf-8")
    assert icon.startswith("<svg") and "crown" not in icon.lower()


def test_a_long_unbroken_word_breaks_instead_of_widening_its_table() -> None:
    css = (STATIC / "application.css").read_text("utf-8")
    rule = re.search(r"([^{}]*)\{[^}]*overflow-wrap:anywhere", css)
    assert rule is not None, "no rule lets a long word break"
    assert ".govuk-table__cell" in rule.group(1)


def test_on_a_phone_a_wide_table_scrolls_inside_itself() -> None:
    css = (STATIC / "application.css").read_text("utf-8")
    narrow = re.search(r"@media ?\(max-width: ?40\.0525em\)\{\.govuk-table\{([^}]*)\}", css)
    assert narrow is not None, "no narrow-screen rule for tables"
    assert "overflow-x:auto" in narrow.group(1) and "display:block" in narrow.group(1)
