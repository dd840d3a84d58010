"""Pages that belong to no single app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from harbour.accounts.permissions import allowed


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for caseworkers who have one; otherwise what Harbour is, and where
    to go next."""
    if allowed(request.user, "casework.view_dashboard"):
        from harbour.dashboard import dashboard

        return dashboard(request)
    return render(request, "home.html")
