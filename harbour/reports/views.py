"""Report pages and downloads. Aggregate figures only: no names or identifiers, except on
the page listing the records a figure counts (records.py), which analysts never reach."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from harbour.accounts.permissions import allowed, permission_required
from harbour.audit import services as auditor
from harbour.common.paging import page_href

from . import formats, pack, presentation, recent, records
from .definitions import ANNUAL, QUARTERLY
from .engine import LISTED_FIGURES, Report, build_report, build_reports, figure_records
from .exploitation import build_point_report
from .forms import (
    ExploitationOptionsForm,
    ReportOptionsForm,
    has_started,
    quarters_of,
    year_choices,
)
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


def _reports(
    kind: str, form: ReportOptionsForm, periods: list[Period], *, fresh: bool = False
) -> list[Report]:
    """The period's reports. A page reuses figures this process worked out in the last
    minute (reports/recent.py); a download (`fresh`), which is what goes to a committee, is
    always worked out from the records as they are."""
    options = form.cleaned_data
    of = build_report if fresh else recent.report
    reports = [of(kind, period, options["include_absences"]) for period in periods]
    if options["for_publication"]:
        reports = [suppress(report) for report in reports]
    return reports


def _download_options(request: HttpRequest) -> ReportOptionsForm:
    """A download is a link made from a page whose options were valid: others are not found."""
    form = ReportOptionsForm(request.GET)
    if not form.is_valid():
        raise Http404("Those report options are not valid.")
    return form


def _may_view_areas(request: HttpRequest) -> bool:
    """Whether the reports' navigation offers the area counts page (analysts and
    exploitation leads; not coordinators, who see the places themselves)."""
    return allowed(request.user, "reports.view_area_counts")


def _refused(request: HttpRequest, kind: str, form: ReportOptionsForm) -> HttpResponse:
    """The page with its options form and what is wrong with them, and no figures."""
    name = "Quarterly report" if kind == "quarterly" else "Annual report"
    context = {
        "kind": kind,
        "form": form,
        "title": name,
        "years": year_choices(),
        "error_list": form.error_list(),
        "may_view_areas": _may_view_areas(request),
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
        "figure_href": records.figure_linker(request.user),
        "may_view_areas": _may_view_areas(request),
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
        "figure_href": records.figure_linker(request.user),
        "may_view_areas": _may_view_areas(request),
    }
    return render(request, "reports/annual.html", context)


EXPLOITATION_KINDS = ("exploitation", "exploitation_quarterly", "exploitation_on")
# The exploitation figures have no committee pack (PDF, Word) yet: tables only.
EXPLOITATION_DOWNLOADS = ("csv", "xlsx", "json", "html")


def _exploitation_reports(
    kind: str, form: ExploitationOptionsForm, *, fresh: bool = False
) -> list[Report]:
    """The reports of an exploitation page or download: the period's, its quarters', or
    the point-in-time one; a download's (`fresh`) worked out afresh, as _reports says."""
    (period,) = form.exploitation_periods()
    of = build_report if fresh else recent.report
    if kind == "exploitation_on":
        reports = [build_point_report(form.on_date(period))]
    elif kind == "exploitation_quarterly":
        year = form.cleaned_data["year"]
        periods = [q for q in quarters_of(year) if has_started(q)] if form.is_whole_year() else []
        reports = [of(kind, p, False) for p in periods or [period]]
    else:
        reports = [of(kind, period, False)]
    if form.cleaned_data["for_publication"]:
        reports = [suppress(report) for report in reports]
    return reports


@require_GET
@permission_required("reports.view_reports")
def exploitation(request: HttpRequest) -> HttpResponse:
    """The exploitation figures: the period's, by quarter, and the CSE concerns open on a
    date. Aggregates only, as every report page."""
    form = ExploitationOptionsForm(request.GET)
    context: dict = {
        "kind": "exploitation",
        "page": "exploitation_report",
        "form": form,
        "years": year_choices(),
        "title": "Exploitation report",
        "may_view_areas": _may_view_areas(request),
    }
    if not form.is_valid():
        context["error_list"] = form.error_list()
        return render(request, "reports/exploitation.html", context)
    periods = form.exploitation_periods()
    (report,) = _exploitation_reports("exploitation", form)
    quarters = _exploitation_reports("exploitation_quarterly", form) if form.is_whole_year() else []
    (at_date,) = _exploitation_reports("exploitation_on", form)
    context |= {
        "report": report,
        "quarters": quarters,
        "at_date": at_date,
        "title": _title("Exploitation report", form, periods),
        "query": request.GET.urlencode(),
        "figure_href": records.figure_linker(request.user),
    }
    return render(request, "reports/exploitation.html", context)


@require_GET
@permission_required("reports.view_reports")
def download(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    if kind in EXPLOITATION_KINDS:
        return _exploitation_download(request, kind, extension)
    if kind not in ("quarterly", "annual") or extension not in DOWNLOADS:
        raise Http404
    form = _download_options(request)
    periods = form.periods(kind)
    whole_period = None
    if kind == "annual" and extension in ("pdf", "docx"):
        # The committee pack: the year's quarterly figures (its charts' bands and funnel)
        # from the same pass over the year's episodes as the annual report.
        report, whole_period = build_reports(
            ("annual", "quarterly"), periods[0], form.cleaned_data["include_absences"]
        )
        reports = [suppress(report) if form.cleaned_data["for_publication"] else report]
    else:
        reports = _reports(kind, form, periods, fresh=True)
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
            presentation.annual_figures(
                reports[0], form.cleaned_data, fresh=True, whole_period=whole_period
            )
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


def _exploitation_download(request: HttpRequest, kind: str, extension: str) -> HttpResponse:
    if extension not in EXPLOITATION_DOWNLOADS:
        raise Http404
    form = ExploitationOptionsForm(request.GET)
    if not form.is_valid():
        raise Http404("Those report options are not valid.")
    reports = _exploitation_reports(kind, form, fresh=True)
    content_type, suffix = DOWNLOADS[extension]
    if extension == "xlsx":
        buffer = io.BytesIO()
        formats.write_xlsx(reports, buffer)
        body: bytes | str = buffer.getvalue()
    elif extension == "json":
        body = formats.as_json(reports, single=len(reports) == 1)
    elif extension == "csv":
        body = formats.as_csv(reports)
    else:
        body = formats.as_html(reports)
    first = reports[0]
    auditor.record(
        request.user,
        "report.download",
        details={
            "report": kind,
            "periods": [[r.period.first.isoformat(), r.period.last.isoformat()] for r in reports],
            "on": first.on.isoformat() if first.on else None,
            "include_absences": False,
            "for_publication": form.cleaned_data["for_publication"],
            "format": extension,
        },
    )
    if first.on is not None:
        name = f"harbour-exploitation-on-{first.on}"
    else:
        name = f"harbour-{kind}-{first.period.first}-{reports[-1].period.last}"
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
    from .definitions import ANNUAL, COMMON_TERMS, EXPLOITATION, EXPLOITATION_ON, NOTES, QUARTERLY

    labels = {row.id: row.label for row in (*QUARTERLY, *ANNUAL, *EXPLOITATION, *EXPLOITATION_ON)}
    context = {
        "common_terms": COMMON_TERMS,
        "notes": NOTES,
        "labels": labels,
        "reports": [
            ("Quarterly report", QUARTERLY),
            ("Annual report", ANNUAL),
            ("Exploitation report", EXPLOITATION),
            ("Exploitation report at a date", EXPLOITATION_ON),
        ],
    }
    return render(request, "reports/definitions.html", context)


@require_GET
@permission_required("reports.view_reports")
def figure_records_page(request: HttpRequest) -> HttpResponse:
    """The records a figure counts, for one period: coordinators and exploitation leads."""
    user = request.user
    if not records.may_list_records(user):
        raise PermissionDenied
    figure = request.GET.get("figure", "")
    if not figure:
        # The records are reached from a figure on a report: without one, go there.
        return redirect("quarterly")
    if figure not in LISTED_FIGURES:
        raise Http404("There is no list of records for that figure.")
    # Reached from a report page's links, made from valid options: others are not found.
    form = _download_options(request)
    period = records.records_period(form)
    include_absences = form.cleaned_data["include_absences"]
    counted = figure_records(figure, period, include_absences)
    counts = records.counts(counted, user)
    number = request.GET.get("page")
    page = records.CountedPaginator(
        records.visible_records(counted, user), records.PAGE_SIZE, page=number, count=counts.shown
    ).get_page(number)
    links = records.links_for(user)
    rows = [records.row(record, links) for record in page.object_list]
    auditor.record(
        user,
        "report.figure_records_viewed",
        children={row["child"].pk for row in rows},
        details={
            "figure": figure,
            "period": [period.first.isoformat(), period.last.isoformat()],
            "include_absences": include_absences,
            "page_number": page.number,
            "rows_shown": len(rows),
            "records_counted": counts.counted,
            "records_on_restricted_files": counts.restricted,
        },
    )
    parameters = records.period_parameters(period, include_absences)
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()
    context = {
        "title": f"{records.label_of(figure)}: {period.label()}",
        "figure": figure,
        "label": records.label_of(figure),
        "period": period,
        "counts": counts,
        "rows": rows,
        "headings": records.headings(counted.model),
        "page": page,
        "previous_href": page_href(base, page.number - 1) if page.has_previous() else "",
        "next_href": page_href(base, page.number + 1) if page.has_next() else "",
        "report_href": _report_href(figure, parameters),
        "include_absences": include_absences,
    }
    return render(request, "reports/records.html", context)


def _report_href(figure: str, parameters: dict[str, str]) -> str:
    """Back to the figure in its report: a financial year's figures are on the annual page
    (the quarterly page shows its quarters), others on the quarterly page when it has them."""
    whole_year = "year" in parameters and "quarter" not in parameters
    in_quarterly = figure in {definition.id for definition in QUARTERLY}
    if not in_quarterly or (whole_year and figure in {d.id for d in ANNUAL}):
        kind, table = "annual", "all-figures"
    else:
        kind, table = "quarterly", "this-year" if whole_year else "report"
    return f"{reverse(kind)}?{urlencode(parameters)}#{table}-{figure}"
