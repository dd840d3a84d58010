from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from harbour.accounts.permissions import allowed
from harbour.audit import services as auditor

from . import subject_access
from .models import Child


def refuse_restricted(request: HttpRequest, child: Child) -> HttpResponse:
    """Someone not on a restricted record's access list learns only that it exists."""
    auditor.record(
        request.user, "children.restricted_refused", obj=child, details={"path": request.path}
    )
    return render(request, "children/restricted.html", status=403)


@login_required
@require_http_methods(["GET", "POST"])
def subject_access_view(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(Child, pk=pk)
    if child.restricted and not child.access_list.filter(pk=request.user.pk).exists():
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
