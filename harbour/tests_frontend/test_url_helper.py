"""The templates' `url()` helper: the same addresses as Django's `reverse`, worked out once.

A page such as the audit trail links to the same children hundreds of times; `reverse` costs
tens of microseconds each time (docs/performance.md, "Load")."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import get_script_prefix, reverse, set_script_prefix

from harbour import jinja2 as harbour_jinja2


@pytest.fixture(autouse=True)
def forget_addresses() -> None:
    harbour_jinja2.forget_addresses()


def test_url_gives_the_same_address_as_reverse() -> None:
    assert harbour_jinja2.url("child", 5) == reverse("child", args=[5])
    assert harbour_jinja2.url("child", pk=5) == reverse("child", kwargs={"pk": 5})
    assert harbour_jinja2.url("home") == reverse("home")


def test_url_reverses_an_address_once_however_often_a_page_links_to_it() -> None:
    with mock.patch.object(harbour_jinja2, "reverse", wraps=reverse) as counted:
        for _ in range(3):
            harbour_jinja2.url("audit_child", 7)
    assert counted.call_count == 1


def test_url_follows_the_script_prefix_the_site_is_served_under() -> None:
    assert harbour_jinja2.url("home") == "/"
    before = get_script_prefix()
    set_script_prefix("/harbour/")
    try:
        assert harbour_jinja2.url("home") == "/harbour/"
    finally:
        set_script_prefix(before)


def test_url_reverses_other_arguments_each_time() -> None:
    class PrimaryKey:
        def __str__(self) -> str:
            return "9"

    assert harbour_jinja2.url("child", PrimaryKey()) == "/children/9/"
