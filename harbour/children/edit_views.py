"""Keeping the child's record: the child's details (coordinators) and legal statuses
(coordinators, and social workers for the children allocated to them). Thin: the rules
are in services.update_child and services.record_legal_status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from harbour.accounts.permissions import allowed, refusal
from harbour.audit import services as auditor
from harbour.common.services import Conflict

from . import services
from .forms import ChildForm, LegalStatusForm
from .models import Child, LegalStatus


def _date_initial(name: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {}
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _child_or_refusal(request: HttpRequest, pk: int, permission: str) -> Child | HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    child = get_object_or_404(Child, pk=pk)
    if refused := refusal(request, child):
        return refused
    if not allowed(request.user, permission, child):
        raise PermissionDenied
    return child


@require_http_methods(["GET", "POST"])
def edit_child_view(request: HttpRequest, pk: int) -> HttpResponse:
    child = _child_or_refusal(request, pk, "children.edit_child")
    if isinstance(child, HttpResponse):
        return child
    conflict = ""
    if request.method == "POST":
        form = ChildForm(request.POST)
        if form.is_valid():
            try:
                services.update_child(
                    request.user,
                    child,
                    changes=form.changes(),
                    version=form.cleaned_data["version"],
                )
                messages.success(request, "The child's details have been saved.")
                return redirect("child", pk=child.pk)
            except Conflict as problem:
                conflict = str(problem)
                child.refresh_from_db()
            except ValidationError as problem:
                form.refuse(problem)
    else:
        form = ChildForm(
            initial={
                "child_id": child.child_id,
                "given_name": child.given_name,
                "family_name": child.family_name,
                "sex": child.sex,
                "ethnicity": child.ethnicity,
                "allocated_social_worker": child.allocated_social_worker_id or "",
                "placement_address": child.placement_address,
                "placement_postcode": child.placement_postcode,
                "version": child.version,
                **_date_initial("date_of_birth", child.date_of_birth),
            }
        )
    auditor.record(request.user, "children.child_edit_viewed", obj=child)
    return _render(
        request,
        "children/edit.html",
        {"form": form, "child": child, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def legal_status_view(request: HttpRequest, pk: int, status_pk: int | None = None) -> HttpResponse:
    child = _child_or_refusal(request, pk, "children.record_legal_status")
    if isinstance(child, HttpResponse):
        return child
    status = (
        None if status_pk is None else get_object_or_404(LegalStatus, pk=status_pk, child=child)
    )
    conflict = ""
    if request.method == "POST":
        form = LegalStatusForm(request.POST)
        if form.is_valid():
            try:
                services.record_legal_status(
                    request.user,
                    child,
                    values=form.values(),
                    legal_status=status,
                    version=form.cleaned_data["version"],
                )
                messages.success(request, "The legal status has been saved.")
                return redirect("child", pk=child.pk)
            except Conflict as problem:
                conflict = str(problem)
                if status is not None:
                    status.refresh_from_db()
            except ValidationError as problem:
                form.refuse(problem)
    elif status is None:
        form = LegalStatusForm(initial={"version": ""})
    else:
        form = LegalStatusForm(
            initial={
                "status": status.status,
                "responsible_la": status.responsible_la,
                "placement": status.placement,
                "version": status.version,
                **_date_initial("start_date", status.start_date),
                **_date_initial("end_date", status.end_date),
            }
        )
    auditor.record(request.user, "children.legal_status_form_viewed", obj=child)
    return _render(
        request,
        "children/legal_status.html",
        {"form": form, "child": child, "status": status, "conflict": conflict},
    )


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context["form"]
    context["has_errors"] = bool(form.errors or form.date_errors or context["conflict"])
    # After a conflict the form is sent again with the version now stored, so that saving
    # it again (having seen the other change) is a choice, not an accident.
    record = context.get("status") or (None if "status" in context else context["child"])
    loaded = form["version"].value()
    context["version"] = record.version if context["conflict"] and record else loaded
    return render(request, template, context, status=400 if context["has_errors"] else 200)
