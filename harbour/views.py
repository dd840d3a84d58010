"""Pages that belong to no single app."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from harbour.accounts.models import Role
from harbour.accounts.permissions import allowed, roles_of
from harbour.casework.dashboard import dashboard
from harbour.jinja2 import url

# What the home page offers, each only to those whose roles allow it, with the page where
# they do it: (permission, page, link text, what follows it). Only what Harbour has pages for.
HOME_OFFERS = (
    (
        "missing.manage_episodes",
        "episode_list",
        "Record police notifications",
        "of a missing child and track each episode until the child is found",
    ),
    (
        "interviews.view_worklist",
        "interviews_worklist",
        "Record return interviews",
        "offered to children once they are found",
    ),
    (
        "reports.view_reports",
        "quarterly",
        "Read and download the committee reports",
        "worked out from the records themselves",
    ),
    (
        "reports.view_area_counts",
        "report_areas",
        "Read the area counts",
        "of places of concern by postcode district and ward, small numbers suppressed",
    ),
    (
        "audit.view_trail",
        "audit_trail",
        "Read the audit trail",
        "of who looked at or changed which record",
    ),
    ("accounts.manage_users", "staff_list", "Manage staff accounts", "and their roles"),
    (
        "authorities.manage_reference_data",
        "authority_list",
        "Keep the local authorities' details",
        "and the reference figures the reports use",
    ),
)


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for caseworkers who have one; otherwise what Harbour is, and where
    to go next. An exploitation lead who is not also a coordinator lands on the
    exploitation dashboard (/exploitation/); a social worker keeps the caseworkers'
    dashboard and finds Exploitation in the navigation."""
    roles = roles_of(request.user)
    if Role.EXPLOITATION_LEAD in roles and Role.COORDINATOR not in roles:
        return redirect("exploitation_dashboard")
    if allowed(request.user, "casework.view_dashboard"):
        return dashboard(request)
    offers = [
        {"href": url(page), "text": text, "rest": rest}
        for permission, page, text, rest in HOME_OFFERS
        if allowed(request.user, permission)
    ]
    return render(request, "home.html", {"offers": offers})
