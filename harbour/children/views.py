from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from harbour.accounts.permissions import (
    allowed,
    on_access_list,
    permission_required,
    refuse_restricted,
)
from harbour.accounts.services import pending_grants
from harbour.audit import services as auditor

from . import services, subject_access
from .models import Child


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_view(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(Child, pk=pk)
    if child.restricted and not on_access_list(child, request.user):
        return refuse_restricted(request, child)
    if not allowed(request.user, "children.export_subject_access", child):
        raise PermissionDenied
    if request.method == "GET":
        return render(request, "children/subject_access_start.html", {"child": child})
    archive = subject_access.export(child)
    auditor.record(
        request.user, "children.subject_access_export", obj=child, details={"bytes": len(archive)}
    )
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{child.pk}.zip"'
    return response


class _StaffUsernameForm(forms.Form):
    # Through a form field, so that text no database can store (a NUL) is refused like
    # any other unknown username instead of reaching the query.
    username = forms.CharField(max_length=150)


@permission_required("children.manage_access_list")
@require_http_methods(["GET", "POST"])
def access_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator restricts a record and keeps its access list, without seeing the
    record itself: the page shows only the person id."""
    child = get_object_or_404(Child, pk=pk)
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("restrict", "open"):
                services.set_restricted(request.user, child, action == "restrict")
            elif action in ("grant", "revoke"):
                named = _StaffUsernameForm(request.POST)
                user = (
                    get_user_model()
                    .objects.filter(username__iexact=named.cleaned_data["username"])
                    .first()
                    if named.is_valid()
                    else None
                )
                if user is None:
                    raise ValidationError("Enter the username of a member of staff.")
                if action == "revoke":
                    services.revoke_access(request.user, child, user)
                else:
                    services.grant_access(request.user, child, user)
                    messages.info(
                        request,
                        f"A place on the access list for {user.get_username()} needs a second "
                        "administrator: another administrator must approve it on the staff pages",
                    )
            else:
                raise ValidationError("Choose what to do.")
            return redirect("child_access_list", pk=child.pk)
        except ValidationError as problem:
            error = problem.messages[0]
    context = {
        "child": child,
        "people": child.access_list.order_by("username"),
        "waiting": [grant for grant in pending_grants() if grant.child_id == child.pk],
        "error": error,
        "has_errors": bool(error),
        "messages": list(messages.get_messages(request)),
    }
    return render(request, "children/access_list.html", context, status=400 if error else 200)
