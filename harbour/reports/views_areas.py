"""The analysts' area counts page and its CSV (exploitation spec §4: "analysts see counts
by postcode district or ward, suppressed"). Counts only, every one through suppress_cell,
and no totals: a total would let a suppressed cell be worked out from the others."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor
from harbour.common.publication import SMALL_NUMBER_THRESHOLD

from .areas import area_counts, suppress_cell
from .formats import safe_cell
from .forms import AreaOptionsForm, year_choices
from .periods import Period

PERMISSION = "reports.view_area_counts"
HEADINGS = (
    "Postcode district",
    "Ward",
    "Places",
    "Children linked in the period",
    "Found-at matches in the period",
)
NOT_RECORDED = "Not recorded"

Row = tuple[str, str, str, str, str]


def suppressed_rows(period: Period) -> list[Row]:
    """The table the page and the CSV show: every count suppressed, blanks named."""
    return [
        (
            row.district or NOT_RECORDED,
            row.ward or NOT_RECORDED,
            suppress_cell(row.places),
            suppress_cell(row.children),
            suppress_cell(row.found_at),
        )
        for row in area_counts(period.first, period.last)
    ]


def _period_details(period: Period) -> list[str]:
    return [period.first.isoformat(), period.last.isoformat()]


@require_GET
@permission_required(PERMISSION)
def areas(request: HttpRequest) -> HttpResponse:
    form = AreaOptionsForm(request.GET)
    context: dict = {
        "kind": "areas",
        "page": "report_areas",
        "form": form,
        "years": year_choices(),
        "title": "Area counts",
        "threshold": SMALL_NUMBER_THRESHOLD,
        "headings": HEADINGS,
        "may_view_areas": True,
    }
    if not form.is_valid():
        context["error_list"] = form.error_list()
        return render(request, "reports/areas.html", context)
    period = form.period()
    rows = suppressed_rows(period)
    auditor.record(request.user, "report.areas_viewed", details={"period": _period_details(period)})
    context |= {
        "period": period,
        "rows": rows,
        "title": f"Area counts, {period.label()}",
        "query": request.GET.urlencode(),
    }
    return render(request, "reports/areas.html", context)


@require_GET
@permission_required(PERMISSION)
def areas_csv(request: HttpRequest) -> HttpResponse:
    """The page's table as CSV. Its link is made from a page whose period was valid:
    other options are not found, as for every report download."""
    form = AreaOptionsForm(request.GET)
    if not form.is_valid():
        raise Http404("Those report options are not valid.")
    period = form.period()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    writer.writerows([safe_cell(cell) for cell in row] for row in suppressed_rows(period))
    auditor.record(
        request.user,
        "report.download",
        details={
            "report": "areas",
            "periods": [_period_details(period)],
            "for_publication": True,
            "format": "csv",
        },
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"harbour-areas-{period.first}-{period.last}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
