"""The Jinja2 environment for Harbour's pages (harbour/templates/), and its context processor.

Django's admin keeps the Django template engine; everything else is Jinja2 with autoescaping.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from harbour.common.display import date_text, episode_when, when_text
from harbour.common.durations import hours_in_words

SERVICE_NAME = "Harbour"

# Addresses kept per process. A list page links to the same children many times over (the
# audit trail: up to thousands of links a page), and `reverse` takes tens of microseconds.
REVERSED_ADDRESSES = 8192


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """`{{ url("home") }}`, `{{ url("child", pk) }}` or `{{ url("child", pk=pk) }}`."""
    values = (*args, *kwargs.values())
    if all(type(value) in (int, str) for value in values):
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _reversed(urlconf, get_script_prefix(), viewname, args, tuple(kwargs.items()))
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


@lru_cache(maxsize=REVERSED_ADDRESSES)
def _reversed(urlconf: str, script_prefix: str, viewname: str, args: tuple, kwargs: tuple) -> str:
    # The address depends only on the URL configuration, the prefix the site is served
    # under, the view and the arguments: all of them are the key.
    return reverse(viewname, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def forget_addresses() -> None:
    """Empty the cache of reversed addresses (for tests that change the URLs)."""
    _reversed.cache_clear()


@pass_context
def page_errors(context: Context) -> list[dict[str, Any]]:
    """The error summary's items for the page being rendered (base.html shows them).

    In order of precedence: the page's own `error_summary` (a page that words its errors
    itself, or [] for filters that ignore what they do not know); a view's `errors` or
    `error_list` list; otherwise the errors of `form` and of each of `forms`, each linking to
    its field's id (the field's name: macros/fields.html gives fields their names as ids).
    A form is read unless the view said `has_errors` is false, for example for a list's
    filters that ignore a value they do not know.
    """
    for name in ("error_summary", "errors", "error_list"):
        items = context.get(name)
        # interviews/record.html's `errors` maps fields to messages: not a summary's list.
        if isinstance(items, list | tuple):
            return list(items)
    if "has_errors" in context and not context.get("has_errors"):
        return []
    forms = context.get("forms") or []
    found: list[dict[str, Any]] = []
    for form in [context.get("form"), *(forms.values() if isinstance(forms, Mapping) else forms)]:
        if isinstance(form, BaseForm):
            found.extend(_form_errors(form))
    return found


def _form_errors(form: BaseForm) -> list[dict[str, Any]]:
    own_list = getattr(form, "error_list", None)
    if callable(own_list):
        # Harbour's forms that know their fields' ids (date boxes, groups) list their errors.
        return list(own_list()) if form.is_bound else []
    first_field = next(iter(form.fields), "")
    return [
        {"text": message, "href": f"#{first_field if field == NON_FIELD_ERRORS else field}"}
        for field, messages in form.errors.items()
        for message in messages
    ]


@pass_context
def page_messages(context: Context) -> list[Any]:
    """The messages of django.contrib.messages for base.html's banners: those the view passed
    as `messages`, or else those waiting for this request (reading them marks them shown)."""
    if "messages" in context:
        return list(context.get("messages") or [])
    request = context.get("request")
    return list(get_messages(request)) if request is not None else []


@pass_context
def exploitation_navigation(context: Context) -> list[dict[str, Any]]:
    """The exploitation area's sub-navigation items for this request's user
    (harbour/exploitation/navigation.py; templates/exploitation/_nav.html)."""
    from harbour.exploitation.navigation import sub_navigation

    request = context.get("request")
    return sub_navigation(request) if request is not None else []


def _finalize(value: Any) -> Any:
    # `{{ none }}` prints nothing rather than "None" (a missing optional value, not data).
    return "" if value is None else value


def environment(**options: Any) -> Environment:
    # Autoescape is Django's default for Jinja2 too; set here so it cannot be lost by editing
    # OPTIONS. Text passed to the macros is escaped unless it is markupsafe.Markup.
    # (Passed as a literal, so that bandit and ruff can see it: no noqa needed.)
    options.pop("autoescape", None)
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    options.setdefault("finalize", _finalize)
    # {% do rows.append([...]) %}: pages build a table's rows in a loop for govukTable.
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.do"]
    env = Environment(autoescape=True, **options)
    # {{ hours|duration }}: "86 days 6 hours", the one way pages show how long something took.
    env.filters["duration"] = hours_in_words
    # {{ instant|when }} and {{ day|date_text }}: the one way pages show times and dates.
    env.filters["when"] = when_text
    env.filters["date_text"] = date_text
    # {{ instant|episode_when(episode) }}: an episode's time, its date alone when date-only.
    env.filters["episode_when"] = lambda instant, episode: episode_when(episode, instant)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "service_name": SERVICE_NAME,
            "page_errors": page_errors,
            "page_messages": page_messages,
            "exploitation_navigation": exploitation_navigation,
        }
    )
    return env


def harbour(request: HttpRequest) -> dict[str, Any]:
    from harbour.accounts.permissions import allowed

    """Context processor: what every page's layout needs from settings and the user."""
    user = getattr(request, "user", None)
    navigation: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated:
        for permission, name, text, prefix in (
            ("children.find_child", "children_list", "Children", "/children/"),
            ("children.view_caseload", "my_children", "My children", "/children/mine/"),
            ("missing.manage_episodes", "episode_list", "Episodes", "/episodes/"),
            (
                "interviews.view_worklist",
                "interviews_worklist",
                "Return interviews",
                "/interviews/",
            ),
            ("meetings.manage_meetings", "meetings_list", "Meetings", "/meetings/"),
            (
                "exploitation.view_dashboard",
                "exploitation_dashboard",
                "Exploitation",
                "/exploitation/",
            ),
            ("ola.manage_notifications", "ola_list", "Other authorities", "/authorities/ola/"),
            ("reports.view_reports", "quarterly", "Reports", "/reports/"),
            ("accounts.manage_users", "staff_list", "Staff", "/staff/"),
            (
                "authorities.manage_reference_data",
                "authority_list",
                "Local authorities",
                "/authorities/",
            ),
            ("audit.view_trail", "audit_trail", "Audit trail", "/audit/"),
        ):
            if allowed(user, permission):
                navigation.append(
                    {
                        "href": url(name),
                        "text": text,
                        "active": request.path.startswith(prefix),
                        "prefix": prefix,
                    }
                )
        # One item is the current section: the one with the longest matching prefix
        # ("/children/mine/" is My children, not also Children).
        current = max(
            (item for item in navigation if item["active"]),
            key=lambda item: len(item["prefix"]),
            default=None,
        )
        for item in navigation:
            item["active"] = item is current
        if user.is_superuser:
            navigation.append({"href": url("admin:index"), "text": "Administration"})
    may_find_child = bool(user and user.is_authenticated and allowed(user, "children.find_child"))
    return {
        "council_name": settings.COUNCIL_NAME,
        "navigation_items": navigation,
        "may_find_child": may_find_child,
    }
