"""Report pages and downloads. Aggregate figures only: no names or identifiers."""

from __future__ import annotations

import io

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from harbour.accounts.permissions import permission_required
from harbour.audit import services as auditor

from . import formats, pack, presentation, recent
from .engine import Report
from .forms import ReportOptionsForm, quarters_of, year_choices
from .periods import Period, fy_label
from .suppression import suppress

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "pdf": ("application/pdf", "pdf"),
}


def _reports(kind: str, form: ReportOptionsForm, periods: list[Period]) -> list[Report]:
    options = form.cleaned_data
    # Figures this process worked out in the last minute are reused (reports/recent.py).
    reports = [recent.report(kind, period, options["include_absences"]) for period in periods]
    if options["for_publication"]:
        reports = [suppress(report) for report in reports]
    return reports


def _download_options(request: HttpRequest) -> ReportOptionsForm:
    """A download is a link made from a page whose options were valid: others are not found."""
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        raise Http404("Those report options are not valid.")
    return form


def _refused(request: HttpRequest, kind: str, form: ReportOptionsForm) -> HttpResponse:
    """The page with its options form and what is wrong with them, and no figures."""
    name = "Quarterly report" if kind == "quarterly" else "Annual report"
    context = {
        "kind": kind,
        "form": form,
        "title": name,
        "years": year_choices(),
        "error_list": form.error_list(),
    }
    return render(request, f"reports/{kind}.html", context)


@require_GET
@permission_required("reports.view_reports")
def quarterly(request: HttpRequest) -> HttpResponse:
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        return _refused(request, "quarterly", form)
    periods = form.periods("quarterly")
    reports = _reports("quarterly", form, periods)
    previous: list[Report] = []
    if form.is_whole_year():
        previous = _reports("quarterly", form, quarters_of(form.cleaned_data["year"] - 1))
    context = {
        "kind": "quarterly",
        "form": form,
        "reports": reports,
        "previous": previous,
        "title": _title("Quarterly report", form, periods),
        "query": request.GET.urlencode(),
        "years": year_choices(),
    }
    return render(request, "reports/quarterly.html", context)


@require_GET
@permission_required("reports.view_reports")
def annual(request: HttpRequest) -> HttpResponse:
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        return _refused(request, "annual", form)
    periods = form.periods("annual")
    (report,) = _reports("annual", form, periods)
    context = {
        "kind": "annual",
        "form": form,
        "report": report,
        "title": _title("Annual report", form, periods),
        "query": request.GET.urlencode(),
        "years": year_choices(),
        "figures": presentation.annual_figures(report, form.cleaned_data),
    }
    return render(request, "reports/annual.html", context)


@require_GET
@permission_required("reports.view_reports")
def download(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    if kind not in ("quarterly", "annual") or extension not in DOWNLOADS:
        raise Http404
    form = _download_options(request)
    periods = form.periods(kind)
    reports = _reports(kind, form, periods)
    content_type, suffix = DOWNLOADS[extension]
    if extension == "xlsx":
        buffer = io.BytesIO()
        formats.write_xlsx(reports, buffer)
        body: bytes | str = buffer.getvalue()
    elif extension == "json":
        body = formats.as_json(reports, single=len(reports) == 1)
    elif extension == "csv":
        body = formats.as_csv(reports)
    elif extension == "html":
        body = formats.as_html(reports)
    else:
        figures = (
            presentation.annual_figures(reports[0], form.cleaned_data)
            if kind == "annual"
            else presentation.quarterly_figures(reports)
        )
        make = pack.pack_docx if extension == "docx" else pack.pack_pdf
        body = make(reports, figures, settings.COUNCIL_NAME)
    auditor.record(
        request.user,
        "report.download",
        details={
            "report": kind,
            "periods": [[p.first.isoformat(), p.last.isoformat()] for p in periods],
            "include_absences": form.cleaned_data["include_absences"],
            "for_publication": form.cleaned_data["for_publication"],
            "format": extension,
        },
    )
    name = f"harbour-{kind}-{periods[0].first}-{periods[-1].last}"
    if form.cleaned_data["for_publication"]:
        name += "-for-publication"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
    return response


def _title(name: str, form: ReportOptionsForm, periods: list[Period]) -> str:
    if form.is_whole_year():
        return f"{name}, {fy_label(form.cleaned_data['year'])}"
    return f"{name}, {periods[0].label()}"


@require_GET
@permission_required("reports.view_reports")
def definitions(request: HttpRequest) -> HttpResponse:
    from .definitions import ANNUAL, COMMON_TERMS, NOTES, QUARTERLY

    labels = {row.id: row.label for row in (*QUARTERLY, *ANNUAL)}
    context = {
        "common_terms": COMMON_TERMS,
        "notes": NOTES,
        "labels": labels,
        "reports": [("Quarterly report", QUARTERLY), ("Annual report", ANNUAL)],
    }
    return render(request, "reports/definitions.html", context)
