"""The Django admin works under the same strict Content Security Policy as Harbour's pages.

Django 5.2's admin has no inline script (its data travels in `<script type="application/json">`
or data- attributes) and no style attribute. One template has an inline <style>:
admin/change_list.html, when a ModelAdmin sets both actions_on_top and actions_on_bottom to
False. This crawl fails if any admin page Harbour serves needs 'unsafe-inline'.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
FORBIDDEN_ATTRIBUTE = re.compile(r"\s(style|on[a-z]+)\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """What a strict script-src/style-src would block in `html`."""
    found = [tag for tag in TAG.findall(html) if FORBIDDEN_ATTRIBUTE.search(tag)]
    found += re.findall(r"<style\b[^>]*>", html, flags=re.IGNORECASE)
    for attributes in SCRIPT.findall(html):
        if "src=" not in attributes and 'type="application/json"' not in attributes:
            found.append(f"<script{attributes}>")
    found += re.findall(r"""(?:href|action|src)\s*=\s*["']\s*javascript:""", html, re.I)
    return found


def admin_urls() -> list[str]:
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:app_list", args=[info[0]]))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        if not (model_admin.actions_on_top or model_admin.actions_on_bottom):
            pytest.fail(f"{model_admin}: change_list.html adds an inline <style> for it")
    return sorted(set(urls))


def test_every_admin_page_works_without_inline_script_or_style(
    client: Client, django_user_model, settings
) -> None:
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False
    root = django_user_model.objects.create_superuser("root", password=None)
    client.force_login(root)
    # (Accounts and devices have no admin pages: they are kept on the staff pages.)
    change_pages = [reverse("admin:password_change_done")]
    checked = 0
    for url in admin_urls() + change_pages:
        response = client.get(url)
        if response.status_code == 403:  # e.g. adding audit events is never allowed
            continue
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"].startswith("default-src 'self'; script-src")
        assert inline_code(response.content.decode()) == [], url
        checked += 1
    assert checked > 25


def test_the_check_finds_what_the_policy_would_block() -> None:
    assert inline_code('<p style="color: red">') == ['<p style="color: red">']
    assert inline_code('<a href="#" onclick="go()">') == ['<a href="#" onclick="go()">']
    assert inline_code("<style>p {}</style>") == ["<style>"]
    assert inline_code("<script>go()</script>") == ["<script>"]
    assert inline_code('<a href="javascript:go()">') != []
    assert inline_code('<script src="/static/a.js"></script>') == []
    assert inline_code('<script id="c" type="application/json">{}</script>') == []
