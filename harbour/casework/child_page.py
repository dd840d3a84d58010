"""The child's page: who the child is today, their flags and their chronology."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from harbour.accounts.permissions import allowed, permission_required, refusal
from harbour.audit import services as auditor
from harbour.casework.chronology import KINDS, NO_LINKS, chronology, links_for
from harbour.casework.flags import child_flags, flag_annotations, open_period, period_annotations
from harbour.casework.presenters import (
    StatusToday,
    chronology_shown_text,
    entries_text,
    legal_status_rows,
    placement_text,
    social_worker_text,
    statuses_today,
)
from harbour.children.models import Child, LegalStatus
from harbour.common.time import completed_years, local_date
from harbour.exploitation.queries.persons import persons_linked_to_child
from harbour.jinja2 import url


@dataclass
class DateField:
    name: str  # "from" or "to"
    label: str
    day: str = ""
    month: str = ""
    year: str = ""
    value: dt.date | None = None
    error: str = ""


@dataclass
class TimelineFilter:
    kinds: list[str]
    first: DateField
    last: DateField
    errors: list[tuple[str, str]] = field(default_factory=list)  # (message, href)

    @property
    def query(self) -> str:
        """The filter as a query string (for the printable version's link)."""
        params = QueryDict(mutable=True)
        if set(self.kinds) != set(KINDS):
            params.setlist("kind", self.kinds)
        for date in (self.first, self.last):
            if date.value:
                params[f"{date.name}-day"] = str(date.value.day)
                params[f"{date.name}-month"] = str(date.value.month)
                params[f"{date.name}-year"] = str(date.value.year)
        return params.urlencode()


PARTS = ("day", "month", "year")


def _date(params: QueryDict, name: str, label: str) -> DateField:
    day, month, year = (params.get(f"{name}-{part}", "").strip() for part in PARTS)
    date = DateField(name, label, day, month, year)
    parts = (date.day, date.month, date.year)
    if not any(parts):
        return date
    if not all(parts):
        date.error = f"{label} must include a day, month and year"
        return date
    try:
        if len(date.year) != 4:
            raise ValueError
        date.value = dt.date(int(date.year), int(date.month), int(date.day))
    except ValueError:
        date.error = f"{label} must be a real date, for example 27 3 2024"
    return date


def _filter(params: QueryDict) -> TimelineFilter:
    asked = params.getlist("kind")
    kinds = [kind for kind in KINDS if kind in asked] or list(KINDS)
    first = _date(params, "from", "Date from")
    last = _date(params, "to", "Date to")
    timeline = TimelineFilter(kinds, first, last)
    for date in (first, last):
        if date.error:
            timeline.errors.append((date.error, f"#{date.name}-day"))
    if first.value and last.value and first.value > last.value:
        last.error = "Date to must be the same as or after date from"
        timeline.errors.append((last.error, "#to-day"))
        first.value = last.value = None  # neither end applies until the period makes sense
    return timeline


def legal_statuses_today(
    child: Child, today: dt.date, every_status: list[LegalStatus] | None = None
) -> list[StatusToday]:
    """The legal statuses in force on today's local date, with the responsible authority
    for a looked-after child. From `every_status` (all the child's) when already read."""
    statuses: Iterable[LegalStatus]
    if every_status is None:
        statuses = LegalStatus.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today), child=child, start_date__lte=today
        ).order_by("status", "start_date")
    else:
        statuses = sorted(
            (
                status
                for status in every_status
                if status.start_date <= today
                and (status.end_date is None or status.end_date >= today)
            ),
            key=lambda status: (status.status, status.start_date),
        )
    return statuses_today(statuses, settings.LOCAL_AUTHORITY_CODE)


def _person_of_concern_flag(request: HttpRequest, child: Child) -> str:
    """ "yes" or "no" for a user whose view of persons of concern is that flag alone (a
    coordinator); "" for everyone else (leads and social workers see the persons on the
    child's exploitation record; other roles see nothing of them)."""
    linked = persons_linked_to_child(request.user, child)
    return ("yes" if linked.any else "no") if linked.shows == "flag" else ""


def _child_context(
    request: HttpRequest, pk: int, *, linked: bool = True
) -> dict[str, Any] | HttpResponse:
    """Everything the page and its printable version show, or the refusal. With `linked`,
    chronology entries link to the pages the viewer may open (not on paper)."""
    today = local_date(timezone.now())
    child = get_object_or_404(
        Child.objects.annotate(**flag_annotations(today), **period_annotations()).select_related(
            "allocated_social_worker"
        ),
        pk=pk,
    )
    if refused := refusal(request, child):
        return refused
    may_record = allowed(request.user, "children.record_legal_status", child)
    # Every legal status, for those who keep them (the identity bar shows those in force).
    every_status = (
        list(child.legal_statuses.order_by("-start_date", "status")) if may_record else None
    )
    timeline = _filter(request.GET)
    entries = chronology(
        child,
        kinds=timeline.kinds,
        first=timeline.first.value,
        last=timeline.last.value,
        links=links_for(request.user, child) if linked else NO_LINKS,
    )
    labels = {kind: label for kind, (label, _) in KINDS.items()}
    return {
        "child": child,
        "today": today,
        "age": completed_years(child.date_of_birth, today),
        "statuses": legal_statuses_today(child, today, every_status),
        "flags": child_flags(child),
        "period": open_period(child),
        # The child's exploitation record, for those who keep it.
        "exploitation_link": url("child_exploitation", child.pk)
        if linked and allowed(request.user, "exploitation.assess", child)
        else "",
        # A coordinator learns only whether a person of concern is linked (spec §4).
        "person_of_concern": _person_of_concern_flag(request, child),
        "entries": entries,
        "timeline": timeline,
        "kind_choices": [(kind, label) for kind, label in labels.items()],
        "kind_labels": labels,
        # Every kind shown is the filter left empty: no box is ticked.
        "kinds_ticked": [] if set(timeline.kinds) >= set(labels) else timeline.kinds,
        "entries_text": entries_text(len(entries)),
        "shown_text": chronology_shown_text(
            timeline.kinds, labels, timeline.first.value, timeline.last.value
        ),
        "has_errors": bool(timeline.errors),
        # The chronology filter's errors, for the summary base.html shows.
        "error_summary": [{"text": text, "href": href} for text, href in timeline.errors],
        "may_export": allowed(request.user, "children.export_subject_access", child),
        "may_manage_access": allowed(request.user, "children.manage_access_list", child),
        "may_edit": (may_edit := allowed(request.user, "children.edit_child", child)),
        "may_record_status": may_record,
        "status_rows": legal_status_rows(every_status or []),
        "social_worker": social_worker_text(child) if may_edit else "",
        "placement": placement_text(child) if may_edit else "",
    }


def _audit(request: HttpRequest, action: str, context: dict[str, Any]) -> None:
    timeline: TimelineFilter = context["timeline"]
    auditor.record(
        request.user,
        action,
        obj=context["child"],
        details={
            "kinds": timeline.kinds,
            "from": timeline.first.value.isoformat() if timeline.first.value else None,
            "to": timeline.last.value.isoformat() if timeline.last.value else None,
            "entries": len(context["entries"]),
        },
    )


@require_safe
@permission_required("children.view_child")
def child_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = _child_context(request, pk)
    if isinstance(context, HttpResponse):
        return context
    _audit(request, "children.child_viewed", context)
    # base.html shows what the edit pages said on saving ("The legal status has been saved.").
    return render(request, "children/child.html", context)


@require_safe
@permission_required("children.view_child")
def child_print_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = _child_context(request, pk, linked=False)
    if isinstance(context, HttpResponse):
        return context
    _audit(request, "children.child_printed", context)
    # Paper has no form to correct and no banner: messages wait for the next page.
    context["error_summary"] = []
    context["messages"] = []
    return render(request, "children/child_print.html", context)
