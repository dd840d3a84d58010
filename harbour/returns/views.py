"""The returns pages: the data quality worklist (docs/returns.md, "Data quality worklist").

Thin: the form reads the year, data_quality.worklist checks the register now and scopes
the failures to the children the user may open, and the view audits what was shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor

from .data_quality import worklist
from .forms import CollectionYearForm

# Coordinators keep the episodes, legal statuses and children the fixes are made on.
PERMISSION = "missing.manage_episodes"


@require_safe
@permission_required(PERMISSION)
def data_quality(request: HttpRequest) -> HttpResponse:
    form = CollectionYearForm(request.GET)
    if not form.is_valid():
        # Nothing is checked for a year that cannot be read: the page says what is wrong.
        return render(request, "returns/data_quality.html", {"form": form, "result": None})
    result = worklist(request.user, form.chosen_year())
    auditor.record(
        request.user,
        "returns.data_quality_viewed",
        details={"year": result.year, "failures": result.total, "listed": len(result.items)},
        children=result.children,
    )
    return render(
        request,
        "returns/data_quality.html",
        {"form": form, "result": result, "year": result.year},
    )
