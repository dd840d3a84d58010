"""Other local authorities: the OLA episodes and their notification logs (coordinators,
ola.manage_notifications), and the authorities' contact details (administrators,
authorities.manage_reference_data).

Thin: access through harbour.accounts.permissions, reads through queries.py, writes through
services.py. Every page that shows children writes one audit event naming them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from harbour.accounts.permissions import (
    allowed,
    permission_required,
    refusal,
    visible_to,
)
from harbour.audit import services as auditor
from harbour.common.display import episode_when, when_text
from harbour.common.paging import CappedPaginator, CountedWithPagePaginator, page_href
from harbour.common.services import Conflict
from harbour.common.time import epoch_seconds, instant_of
from harbour.jinja2 import url
from harbour.missing.models import Episode

from . import queries, services
from .forms import AuthorityForm, EntryForm, OlaFilterForm
from .models import Kind, LocalAuthority, Method, OlaLog, Response


class _OlaAnnotations(TypedDict):
    placing_authority: str | None
    authority_name: str | None
    ola_status: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # An episode as queries.with_status reads it.
    OlaEpisode = WithAnnotations[Episode, _OlaAnnotations]

PERMISSION = "ola.manage_notifications"
REFERENCE = "authorities.manage_reference_data"
PAGE_SIZE = 50


def _messages(request: HttpRequest) -> list[Any]:
    return list(messages.get_messages(request))


def _authority_choices() -> list[tuple[str, str]]:
    return [
        (code, f"{name} ({code})")
        for code, name in LocalAuthority.objects.order_by("name").values_list("code", "name")
    ]


def _instant(epoch: int | None) -> str:
    return when_text(instant_of(epoch)) if epoch is not None else ""


def ola_row(episode: OlaEpisode) -> dict[str, Any]:
    log = getattr(episode, "ola_log", None)
    return {
        "episode": episode,
        "child": episode.child,
        "last_seen": episode_when(episode, episode.started_at),
        "returned": episode_when(episode, episode.ended_at) or "Still missing",
        "authority": episode.placing_authority or "",
        "authority_name": episode.authority_name or "",
        "requested": _instant(log.request_epoch if log else None),
        "status": queries.status_tag(episode.ola_status),
    }


@require_GET
@permission_required(PERMISSION)
def ola_list(request: HttpRequest) -> HttpResponse:
    authorities = _authority_choices()
    form = OlaFilterForm(request.GET, authorities=authorities)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    status = filters.get("status") or ""
    rows = queries.filtered(
        queries.ola_episodes(visible_to(request.user), now),
        status=status,
        authority=filters.get("authority") or "",
        now=now,
    )
    # Every view but "any status" and "not yet notified" starts from a short list of
    # candidates (logs; recent or open episodes) and sorts them all: its count comes with
    # the page. The other two read the start-date index and stop after a page.
    paginate = (
        CountedWithPagePaginator
        if status not in ("ALL", queries.OlaStatus.NOT_NOTIFIED)
        else CappedPaginator
    )
    page = paginate(rows, PAGE_SIZE, page=filters.get("page")).get_page(filters.get("page"))
    shown = [ola_row(episode) for episode in page.object_list]
    auditor.record(
        request.user,
        "authorities.ola_list_viewed",
        children={row["child"].pk for row in shown},
        details={
            "filters": {
                "status": filters.get("status") or "",
                "authority": filters.get("authority") or "",
            },
            "page_number": page.number,
            "rows_shown": len(shown),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()
    status_field = form.fields["status"]
    assert isinstance(status_field, forms.ChoiceField)  # OlaFilterForm.status
    context = {
        "form": form,
        "rows": shown,
        "page": page,
        "previous_href": page_href(base, page.number - 1) if page.has_previous() else "",
        "next_href": page_href(base, page.number + 1) if page.has_next() else "",
        "status_choices": status_field.choices,
        "authority_choices": form.authority_choices,
        "chase_days": queries.chase_seconds() // 86400,
        "escalate_days": queries.escalate_seconds() // 86400,
        "recent_days": queries.recent_days(),
        "messages": _messages(request),
    }
    return render(request, "authorities/ola_list.html", context)


SERVICES = {
    Kind.MISSING: "notify",
    Kind.FOUND: "notify",
    Kind.INTERVIEW_REQUESTED: "notify",
    Kind.RESPONSE: "response",
    Kind.CHASER: "chaser",
    Kind.ESCALATED: "escalate",
}


def _record(request: HttpRequest, episode: Episode, data: dict[str, Any]) -> None:
    kind = data["kind"]
    common = {
        "method": data["method"],
        "note": data["note"],
        "version": data["version"],
    }
    which = SERVICES[kind]
    if which == "notify":
        services.notify_placing_authority(
            request.user, episode, kind=kind, sent_at=data["occurred_at"], **common
        )
    elif which == "response":
        services.record_response(
            request.user,
            episode,
            received_at=data["occurred_at"],
            response=data["response"],
            **common,
        )
    elif which == "chaser":
        services.send_chaser(request.user, episode, sent_at=data["occurred_at"], **common)
    else:
        services.escalate(request.user, episode, escalated_at=data["occurred_at"], **common)


def _log_of(episode: Episode) -> OlaLog | None:
    return OlaLog.objects.filter(episode=episode).first()


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def ola_log(request: HttpRequest, pk: int) -> HttpResponse:
    episode = get_object_or_404(Episode.objects.select_related("child"), pk=pk)
    if (refused := refusal(request, episode.child)) is not None:
        return refused
    conflict = False
    form = None
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                _record(request, episode, form.cleaned_data)
            except Conflict as error:
                conflict = True
                form.add_error(None, error.messages)
            except ValidationError as error:
                form.refuse(error)
            else:
                messages.success(request, "Added to the log.")
                return redirect("ola_log", pk=episode.pk)
        if conflict or "version" in form.errors:
            # What was entered is kept; the form now carries the stored version, so that
            # saving again after checking the log is possible.
            data = request.POST.copy()  # what the form was given
            log = _log_of(episode)
            data["version"] = str(log.version if log else 0)
            kept_errors = form.errors.copy()
            form = EntryForm(data)
            form.is_valid()
            # django-stubs does not declare BaseForm._errors, where Django keeps them.
            form._errors = kept_errors  # type: ignore[attr-defined]
    now = timezone.now()
    row = (
        queries.with_status(Episode.objects.filter(pk=episode.pk).with_group(), now)
        .values("ola_status", "placing_authority", "group")
        .get()
    )
    log = _log_of(episode)
    if form is None:
        form = EntryForm(initial={"version": log.version if log else 0})
    entries = list(log.entries.all()) if log else []
    authority = (
        LocalAuthority.objects.filter(code=row["placing_authority"]).first()
        if row["placing_authority"]
        else None
    )
    due = queries.due_epochs(log)
    auditor.record(
        request.user, "authorities.ola_log_viewed", obj=episode, children=[episode.child]
    )
    errors = form.error_list() if form.is_bound else []
    context = {
        "episode": episode,
        "child": episode.child,
        "is_ola": row["group"] == "OLA",
        "code": row["placing_authority"] or "",
        "authority": authority,
        "status": queries.status_tag(row["ola_status"]),
        "last_seen": episode_when(episode, episode.started_at),
        "returned": episode_when(episode, episode.ended_at),
        "chaser_due": _instant(due["chaser"]),
        "escalation_due": _instant(due["escalation"]),
        "responded": row["ola_status"] == queries.OlaStatus.RESPONDED,
        "entries": [
            {
                "entry": entry,
                "when": when_text(entry.occurred_at),
                "kind": entry.get_kind_display(),
                "method": entry.get_method_display(),
                "response": entry.get_response_display() if entry.response else "",
            }
            for entry in entries
        ],
        "form": form,
        "conflict": conflict,
        "errors": errors,
        "kinds": Kind.choices,
        "methods": Method.choices,
        "responses": Response.choices,
        "messages": _messages(request),
        "now_epoch": epoch_seconds(now),
    }
    return render(request, "authorities/ola_log.html", context, status=400 if errors else 200)


# ---------------------------------------------------------------------- reference data

# The exploitation part's reference data (its pages are under /exploitation/): linked from
# here, the administrators' page, by URL name and the permission each page asks.
OTHER_REFERENCE_DATA = (
    ("closure_day_list", "exploitation.manage_closure_days", "Closure days"),
    ("panel_series_list", "authorities.manage_reference_data", "Panels and how often they meet"),
)


@require_GET
@permission_required(REFERENCE)
def authority_list(request: HttpRequest) -> HttpResponse:
    context = {
        "authorities": list(LocalAuthority.objects.order_by("name", "code")),
        "messages": _messages(request),
        # The other reference data administrators keep, each for those it opens to.
        "reference_links": [
            (url(name), text)
            for name, permission, text in OTHER_REFERENCE_DATA
            if allowed(request.user, permission)
        ],
    }
    return render(request, "authorities/list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(REFERENCE)
def authority_add(request: HttpRequest) -> HttpResponse:
    return _authority_form(request, LocalAuthority())


@require_http_methods(["GET", "POST"])
@permission_required(REFERENCE)
def authority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _authority_form(request, get_object_or_404(LocalAuthority, pk=pk))


def _authority_form(request: HttpRequest, authority: LocalAuthority) -> HttpResponse:
    adding = authority.pk is None
    conflict = False
    if request.method == "POST":
        form = AuthorityForm(request.POST, instance=authority)
        if form.is_valid():
            try:
                services.save_authority(
                    request.user, form.instance, version=form.cleaned_data.get("version")
                )
            except Conflict as error:
                conflict = True
                form.add_error(None, error.messages)
                data = request.POST.copy()  # what the form was given
                data["version"] = str(LocalAuthority.objects.get(pk=authority.pk).version)
                kept_errors = form.errors.copy()
                form = AuthorityForm(data, instance=LocalAuthority.objects.get(pk=authority.pk))
                form.is_valid()
                # django-stubs does not declare BaseForm._errors, where Django keeps them.
                form._errors = kept_errors  # type: ignore[attr-defined]
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"{form.instance.name} saved.")
                return redirect("authority_list")
    else:
        form = AuthorityForm(instance=authority, initial={"version": authority.version})
    errors = form.error_list() if form.is_bound else []
    context = {
        "form": form,
        "authority": authority,
        "adding": adding,
        "conflict": conflict,
        "errors": errors,
    }
    return render(request, "authorities/edit.html", context, status=400 if errors else 200)
