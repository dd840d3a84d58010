"""Staff pages of the API: administrators issue and revoke tokens (`api.manage_tokens`);
coordinators see the notifications held for them to match (`missing.manage_episodes`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor
from harbour.children.models import Child
from harbour.common.dates import datetime_parts

from . import services, tokens
from .forms import IssueTokenForm
from .models import ApiToken, HeldNotification, Scope

MANAGE = "api.manage_tokens"


def _error_list(form: IssueTokenForm) -> list[dict[str, str]]:
    items = [{"text": str(error)} for error in form.non_field_errors()]
    for name in form.fields:
        if name in form.errors:
            items.append({"text": str(form.errors[name][0]), "href": f"#{name}"})
    return items


def _rows(now: Any) -> list[dict[str, Any]]:
    ids = dict(Child.objects.values_list("pk", "child_id"))
    rows = []
    for token in ApiToken.objects.select_related("created_by"):
        if token.revoked_at is not None:
            state = "Revoked"
        elif token.expires_at <= now:
            state = "Expired"
        else:
            state = "Active"
        rows.append(
            {
                "token": token,
                "state": state,
                "scopes": [Scope(code).label for code in token.scope_codes],
                "children": [ids.get(pk, "?") for pk in token.children],
            }
        )
    return rows


@permission_required(MANAGE)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """Every token (active, expired, revoked) and the form to issue one. The new secret is
    shown once, on the page that answers the form, and never again."""
    form = IssueTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issued = tokens.issue(
                request.user,
                organisation=data["organisation"],
                purpose=data["purpose"],
                scopes=data["scopes"],
                children=form.person_ids(),
                days=data["days"],
            )
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
    status = 400 if issued is None and request.method == "POST" else 200
    if issued is not None:
        form = IssueTokenForm()
    context = {
        "form": form,
        "errors": _error_list(form) if form.is_bound else [],
        "rows": _rows(timezone.now()),
        "issued": issued,
        "scope_choices": Scope.choices,
    }
    return render(request, "api/tokens.html", context, status=status)


@permission_required(MANAGE)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        tokens.revoke(request.user, token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The token {token.prefix} for {token.organisation} is revoked")
    return redirect("api_tokens")


def _form_fields(held: HeldNotification) -> dict[str, str]:
    """The notification form's fields (harbour/missing/forms.py), filled from a held
    notification, for its "choose the child" step."""
    fields = {
        "police_reference": held.police_reference,
        "category": held.category,
        "risk_level": held.risk_level,
        "given_name": held.given_name,
        "family_name": held.family_name,
        "child_id": held.child_id,
        "sex": "",
        "found_location": held.found_location,
    }
    for prefix, instant in (
        ("started", held.started_at),
        ("reported", held.reported_at),
        ("notified", held.received_at),
        ("found", held.ended_at),
    ):
        for part, value in datetime_parts(instant).items():
            fields[f"{prefix}_{part}"] = value
    if held.date_of_birth is not None:
        fields["birth_day"] = str(held.date_of_birth.day)
        fields["birth_month"] = str(held.date_of_birth.month)
        fields["birth_year"] = str(held.date_of_birth.year)
    return fields


@permission_required("missing.manage_episodes")
@require_safe
def held_list(request: HttpRequest) -> HttpResponse:
    """Notifications from the API waiting for a coordinator: each opens the notification
    form's own "choose the child" step, which records it (and then it leaves this list)."""
    services.purge_recorded(request.user)
    held = list(services.held_to_review()[:200])
    auditor.record(request.user, "api.held_viewed", details={"count": len(held)})
    rows = [{"held": item, "fields": _form_fields(item)} for item in held]
    return render(request, "api/held.html", {"rows": rows})
