"""From a figure to its records: the page listing the records a report figure counts.

For coordinators and exploitation leads only: people who may open children's records
(`children.find_child`) as well as see the reports. Analysts see aggregates and never a
name, so they get no links and the page refuses them.

The records come from `engine.figure_records`, the same definition the figure is counted
with, and are scoped to the children the user may open: a restricted child not on their
list is left out, and the page says how many records that leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Model, QuerySet
from django.urls import reverse

from harbour.accounts.permissions import User, allowed, visible_to
from harbour.children.models import LegalStatus
from harbour.common.paging import CappedPaginator
from harbour.exploitation.models import PanelListing, Referral, RiskAssessment
from harbour.interviews.models import Outcome
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode

from .definitions import ANNUAL, QUARTERLY
from .engine import LISTED_FIGURES, Report
from .forms import ReportOptionsForm
from .periods import Period

PAGE_SIZE = 50

# The kinds of record a figure counts (engine.RECORD_SOURCES and the episodes): each
# belongs to a child.
ListedRecord = Episode | Meeting | Referral | RiskAssessment | PanelListing | LegalStatus

# The order records are listed in, per kind of record: by date, then as entered.
ORDER: dict[type[Model], tuple[str, ...]] = {
    Episode: ("started_epoch", "pk"),
    Meeting: ("requested_on", "pk"),
    Referral: ("received_on", "pk"),
    RiskAssessment: ("completed_on", "pk"),
    PanelListing: ("panel_date", "pk"),
    LegalStatus: ("start_date", "pk"),
}

HEADINGS: dict[type[Model], tuple[str, ...]] = {
    Episode: ("Episode", "Last seen", "Found or returned", "Return interview"),
    Meeting: ("Meeting", "Requested", "Held"),
    Referral: ("Referral", "Received", "Concern"),
    RiskAssessment: ("Risk assessment", "Completed", "Kind"),
    PanelListing: ("Panel listing", "Panel", "Panel date"),
    LegalStatus: ("Legal status", "Looked after from", "Until"),
}


def may_list_records(user: User) -> bool:
    """Coordinators and exploitation leads: they see the reports and may open children's
    records. Not analysts (reports only), nor social workers (no reports)."""
    return allowed(user, "reports.view_reports") and allowed(user, "children.find_child")


def label_of(row_id: str) -> str:
    for definition in (*QUARTERLY, *ANNUAL):
        if definition.id == row_id:
            return definition.label
    raise KeyError(row_id)


def period_parameters(period: Period, include_absences: bool) -> dict[str, str]:
    """The query parameters of the report pages that give this period back."""
    year = period.financial_year_start
    if period == Period.financial_year(year):
        parameters = {"year": str(year)}
    else:
        quarter = next((q for q in (1, 2, 3, 4) if period == Period.quarter(year, q)), None)
        if quarter:
            parameters = {"year": str(year), "quarter": str(quarter)}
        else:
            parameters = {
                f"{end}_{part}": str(getattr(getattr(period, end), attribute))
                for end in ("first", "last")
                for part, attribute in (("day", "day"), ("month", "month"), ("year", "year"))
            }
    if include_absences:
        parameters["include_absences"] = "on"
    return parameters


def records_period(form: ReportOptionsForm) -> Period:
    """The one period a records page is about: the dates given, else the quarter, else the
    financial year."""
    data = form.cleaned_data
    if data.get("first") or data.get("quarter"):
        return form.periods("quarterly")[0]
    return form.periods("annual")[0]


def figure_linker(user: User) -> Callable[[Report, str], str] | None:
    """For a report table: a function giving the link from a figure to its records, or
    None for users who may not see them (analysts get no links at all)."""
    if not may_list_records(user):
        return None
    base = reverse("report_figure_records")

    def href(report: Report, row_id: str) -> str:
        # A figure suppressed for publication ([c]) has no value, and no link either.
        if row_id not in LISTED_FIGURES or report.row(row_id).value is None:
            return ""
        query = {"figure": row_id, **period_parameters(report.period, report.include_absences)}
        return f"{base}?{urlencode(query)}"

    return href


class CountedPaginator(CappedPaginator):
    """Pages of a list whose count is already known (counted with the records the user
    may not open, in one query), so that it is not counted again."""

    def __init__(self, object_list: Any, per_page: int, *, page: Any, count: int) -> None:
        super().__init__(object_list, per_page, page=page, limit=count)
        self.__dict__["count"] = count  # the cached_property's value


@dataclass(frozen=True)
class Counts:
    counted: int  # the figure: every record it counts
    shown: int  # those on files the user may open

    @property
    def restricted(self) -> int:
        return self.counted - self.shown


def counts(records: QuerySet[Model], user: User) -> Counts:
    """How many records the figure counts, and how many of them the user may open: one
    query."""
    figures = records.aggregate(counted=Count("pk"), shown=Count("pk", filter=visible_to(user)))
    return Counts(figures["counted"], figures["shown"])


def visible_records(records: QuerySet[Model], user: User) -> QuerySet[Model]:
    model = records.model
    related = ("child", "return_interview") if model is Episode else ("child",)
    return records.filter(visible_to(user)).select_related(*related).order_by(*ORDER[model])


def headings(model: type[Model]) -> tuple[str, ...]:
    return HEADINGS[model]


@dataclass(frozen=True)
class Cell:
    value: Any
    format: str = "text"  # "when" (an instant), "date" (a day) or "text"
    before: str = ""  # words before a date


def row(record: ListedRecord, user_links: dict[str, bool]) -> dict[str, Any]:
    """A row of the list: the child, the record's reference (a link when the user may open
    it) and its dates, as cells the template formats (|when, |date_text)."""
    reference, href, cells = _describe(record, user_links)
    return {"child": record.child, "reference": reference, "href": href, "cells": cells}


def links_for(user: User) -> dict[str, bool]:
    """Which kinds of record the user may open from the list (asked once per page)."""
    return {
        "episodes": allowed(user, "missing.manage_episodes"),
        "meetings": allowed(user, "meetings.manage_meetings"),
    }


def _describe(record: ListedRecord, links: dict[str, bool]) -> tuple[str, str, list[Cell]]:
    if isinstance(record, Episode):
        interview = getattr(record, "return_interview", None)
        if interview is None:
            rhi = Cell(Outcome.NOT_OFFERED.label)
        elif interview.completed_at:
            rhi = Cell(interview.completed_at, "when", "Completed ")
        else:
            rhi = Cell(interview.get_outcome_display())
        href = reverse("episode_detail", args=[record.pk]) if links["episodes"] else ""
        found = Cell(record.ended_at, "when") if record.ended_at else Cell("Still missing")
        return record.episode_id, href, [Cell(record.started_at, "when"), found, rhi]
    if isinstance(record, Meeting):
        href = reverse("meetings_meeting", args=[record.pk]) if links["meetings"] else ""
        held = Cell(record.held_on, "date") if record.held_on else Cell("Not held")
        return record.meeting_id, href, [Cell(record.requested_on, "date"), held]
    if isinstance(record, Referral):
        return (
            record.referral_id,
            "",
            [Cell(record.received_on, "date"), Cell(record.get_concern_display())],
        )
    if isinstance(record, RiskAssessment):
        return (
            record.assessment_id,
            "",
            [Cell(record.completed_on, "date"), Cell(record.get_kind_display())],
        )
    if isinstance(record, PanelListing):
        return (
            record.listing_id,
            "",
            [Cell(record.get_panel_display()), Cell(record.panel_date, "date")],
        )
    if isinstance(record, LegalStatus):
        until = Cell(record.end_date, "date") if record.end_date else Cell("Still in force")
        return record.get_status_display(), "", [Cell(record.start_date, "date"), until]
    raise TypeError(f"no row for {type(record).__name__}")
