"""Finding a child: the search results, the children list and a social worker's caseload.

Each page is audited as a view of the children it lists (their internal ids), with what
was asked in plain words (the kind of search, the filters), never the term typed: a name,
date of birth or person id is personal data, and the trail's details are kept in plain
text (docs/audit.md). The term travels in the address (GET, as GOV.UK search does, so that
it works without JavaScript and the back button returns to the results); the request log
drops query strings (harbour/security.py).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor
from harbour.common.time import local_date

from . import search

PAGE_SIZE = 50


@require_safe
@permission_required("children.find_child")
def find_child_view(request: HttpRequest) -> HttpResponse:
    term = request.GET.get("q", "")
    asked = "q" in request.GET
    result = search.find(request.user, term) if asked else search.SearchResult()
    if asked:
        auditor.record(
            request.user,
            "children.search",
            children=result.child_pks,
            details={
                "kind": result.kind,
                "matched": result.matched,
                "refused": bool(result.error),
            },
        )
    return render(
        request,
        "children/find.html",
        {
            "term": " ".join(term.split())[: search.LONGEST_TERM],
            "asked": asked,
            "result": result,
            "shown": result.shown,
            "limit": search.SHOWN,
            "has_errors": bool(result.error),
        },
    )


@require_safe
@permission_required("children.find_child")
def children_list_view(request: HttpRequest) -> HttpResponse:
    known = dict(search.FILTERS)
    # A filter the page does not know is ignored, as on the other lists.
    chosen = [value for value in known if value in request.GET.getlist("show")]
    today = local_date(timezone.now())
    children = search.children_list(request.user, chosen, today)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    auditor.record(
        request.user,
        "children.list_viewed",
        children=[child.pk for child in rows],
        details={"filters": chosen, "page": page.number, "count": page.paginator.count},
    )
    query = "&".join(f"show={value}" for value in chosen)
    return render(
        request,
        "children/list.html",
        {
            "rows": rows,
            "page": page,
            "filters": search.FILTERS,
            "chosen": chosen,
            "query": query,
        },
    )


@require_safe
@permission_required("children.view_caseload")
def my_children_view(request: HttpRequest) -> HttpResponse:
    """A social worker's caseload: the children whose allocated social worker they are."""
    today = local_date(timezone.now())
    children = search.children_list(request.user, [], today).filter(
        allocated_social_worker=request.user.pk
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    auditor.record(
        request.user,
        "children.caseload_viewed",
        children=[child.pk for child in rows],
        details={"page": page.number, "count": page.paginator.count},
    )
    return render(request, "children/mine.html", {"rows": rows, "page": page, "query": ""})
