"""The returns pages: the data quality worklist (docs/returns.md, "Data quality worklist").

Thin: the form reads the year, data_quality.worklist checks the register now and scopes
the failures to the children the user may open, and the view audits what was shown."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor
from harbour.common.paging import ListPaginator, page_href

from .data_quality import children_of, worklist
from .forms import CollectionYearForm

# Coordinators keep the episodes, legal statuses and children the fixes are made on.
PERMISSION = "missing.manage_episodes"
PAGE_SIZE = 100


@require_safe
@permission_required(PERMISSION)
def data_quality(request: HttpRequest) -> HttpResponse:
    form = CollectionYearForm(request.GET)
    if not form.is_valid():
        # Nothing is checked for a year that cannot be read: the page says what is wrong.
        return render(request, "returns/data_quality.html", {"form": form, "result": None})
    result = worklist(request.user, form.chosen_year())
    rule = form.chosen_rule()
    listed = [item for item in result.items if item.failure.code == rule] if rule else result.items
    page = ListPaginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    auditor.record(
        request.user,
        "returns.data_quality_viewed",
        details={
            "year": result.year,
            "rule": rule,
            "failures": result.total,
            "listed": len(items),
            "page": page.number,
        },
        children=children_of(items),
    )
    query = urlencode({"year": result.year, **({"rule": rule} if rule else {})})
    return render(
        request,
        "returns/data_quality.html",
        {
            "form": form,
            "result": result,
            "year": result.year,
            "rule_chosen": rule,
            "page": page,
            "items": items,
            "rule_href": lambda code: "?" + urlencode({"year": result.year, "rule": code}),
            "all_href": "?" + urlencode({"year": result.year}),
            "previous_href": page_href(query, page.number - 1) if page.has_previous() else "",
            "next_href": page_href(query, page.number + 1) if page.has_next() else "",
        },
    )
