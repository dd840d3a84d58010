"""The period and options of the report pages, read from the query string (the pages are
links). A period is a financial year, one of its quarters, or any range of dates typed in
GOV.UK date boxes; a period that has not started yet is refused, so no page shows a
column of zeros for the future."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from harbour.common.dates import DATE_PARTS, DateEntryError, read_date
from harbour.common.display import date_text

from .periods import Period, financial_year_of, fy_label

YEAR_MESSAGE = "Select a financial year from the list"
QUARTER_MESSAGE = "Select a quarter from the list"
QUARTER_CHOICES = [
    ("", "All four"),
    ("1", "Q1 April to June"),
    ("2", "Q2 July to September"),
    ("3", "Q3 October to December"),
    ("4", "Q4 January to March"),
]
# The first and last day of a range, each typed as day, month and year boxes.
RANGE_ENDS = {"first": "the first day of the period", "last": "the last day of the period"}


def _part() -> forms.CharField:
    return forms.CharField(required=False, max_length=4, strip=True)


class ReportOptionsForm(forms.Form):
    year = forms.IntegerField(
        min_value=1990,
        required=False,
        error_messages={"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE},
    )
    quarter = forms.TypedChoiceField(
        choices=QUARTER_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": QUARTER_MESSAGE},
    )
    first_day = _part()
    first_month = _part()
    first_year = _part()
    last_day = _part()
    last_month = _part()
    last_year = _part()
    include_absences = forms.BooleanField(required=False)
    for_publication = forms.BooleanField(required=False)

    # The page's order, for the error summary; each error sits on (and links to) its field.
    ORDER: tuple[str, ...] = ("year", "quarter", "first_day", "last_day")

    def clean_year(self) -> int | None:
        year = self.cleaned_data.get("year")
        if year is not None and year > financial_year_of(timezone.localdate()):
            raise forms.ValidationError(
                f"Financial year {fy_label(year)} has not started yet: it starts on 1 April {year}"
            )
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what Form.clean returns, typed there as possibly None
        first, last = self._read_end(data, "first"), self._read_end(data, "last")
        data["first"], data["last"] = first, last
        if self.errors:
            return data
        if (first is None) != (last is None):
            missing = "first" if first is None else "last"
            self.add_error(f"{missing}_day", f"Enter {RANGE_ENDS[missing]}")
        elif first is not None and last is not None and last < first:
            self.add_error("last_day", "The last day must be the same as or after the first day")
        elif first is None:
            if data.get("year") is None:
                data["year"] = default_year()
            quarter = data.get("quarter")
            if quarter and not has_started(Period.quarter(data["year"], quarter)):
                period = Period.quarter(data["year"], quarter)
                self.add_error(
                    "quarter",
                    f"{period.label()} has not started yet: it starts on {date_text(period.first)}",
                )
        return data

    def _read_end(self, data: dict[str, Any], end: str) -> dt.date | None:
        # A box refused on its own (a control character, too long) keeps its error; the
        # date is then not read at all.
        if any(f"{end}_{part}" in self.errors for part in DATE_PARTS):
            return None
        parts = {part: data.get(f"{end}_{part}") or "" for part in DATE_PARTS}
        try:
            return read_date(parts, RANGE_ENDS[end], required=False)
        except DateEntryError as problem:
            self.add_error(f"{end}_day", problem.message)
            return None

    def is_whole_year(self) -> bool:
        """A financial year's quarters side by side (not one quarter, not a range)."""
        return self.cleaned_data.get("first") is None and not self.cleaned_data.get("quarter")

    def periods(self, kind: str) -> list[Period]:
        data = self.cleaned_data
        if data.get("first"):
            return [Period(data["first"], data["last"])]
        year = data["year"]
        if kind == "annual":
            return [Period.financial_year(year)]
        if data.get("quarter"):
            return [Period.quarter(year, data["quarter"])]
        return [period for period in quarters_of(year) if has_started(period)]

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": str(text), "href": "#year"} for text in self.non_field_errors()]
        # Any field outside ORDER still gets a line (a form with errors never passes for
        # valid); a month or year box links to its date, whose day box comes first.
        names = [*self.ORDER, *(name for name in self.errors if name not in self.ORDER)]
        for name in names:
            if name in self.errors and name != "__all__":
                end, _, part = name.partition("_")
                anchor = f"{end}_day" if end in RANGE_ENDS and part in DATE_PARTS else name
                items.append({"text": str(self.errors[name][0]), "href": f"#{anchor}"})
        return items


def quarters_of(year: int) -> list[Period]:
    return [Period.quarter(year, quarter) for quarter in (1, 2, 3, 4)]


def has_started(period: Period) -> bool:
    """Whether the period's first day is today or earlier (UK date)."""
    return period.first <= timezone.localdate()


def year_choices() -> list[tuple[int, str]]:
    """The financial years a page offers: this one and the eleven before it."""
    current = financial_year_of(timezone.localdate())
    return [(year, fy_label(year)) for year in range(current, current - 12, -1)]


def default_year() -> int:
    """The last complete financial year, or the current one from July onwards."""
    today = timezone.localdate()
    year = financial_year_of(today)
    return year if today - dt.date(year, 4, 1) > dt.timedelta(days=90) else year - 1


class ExploitationOptionsForm(ReportOptionsForm):
    """The exploitation page's options: a financial year (or one of its quarters, or any
    range) and the date of the point-in-time figures (by default the period's last day, or
    today if that is later than today)."""

    on_day = _part()
    on_month = _part()
    on_year = _part()

    ORDER = ("year", "quarter", "first_day", "last_day", "on_day")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(f"on_{part}" in self.errors for part in DATE_PARTS):
            data["on"] = None
            return data
        parts = {part: data.get(f"on_{part}") or "" for part in DATE_PARTS}
        try:
            data["on"] = read_date(parts, "the date of the open concerns", required=False)
        except DateEntryError as problem:
            self.add_error("on_day", problem.message)
            data["on"] = None
        return data

    def exploitation_periods(self) -> list[Period]:
        """The period of the report: the range, the quarter, or the financial year."""
        return self.periods("quarterly" if self.cleaned_data.get("quarter") else "annual")

    def on_date(self, period: Period) -> dt.date:
        chosen: dt.date | None = self.cleaned_data.get("on")
        return chosen or min(period.last, timezone.localdate())


class AreaOptionsForm(ReportOptionsForm):
    """The area counts page's period, chosen as on the exploitation page: a financial year
    (by default default_year: the last complete one, or the current one from July), one of
    its quarters, or any range. Its counts are always suppressed, so it has no options
    besides the period."""

    include_absences = None  # type: ignore[assignment]
    for_publication = None  # type: ignore[assignment]

    def period(self) -> Period:
        data = self.cleaned_data
        if data.get("first"):
            return Period(data["first"], data["last"])
        if data.get("quarter"):
            return Period.quarter(data["year"], data["quarter"])
        return Period.financial_year(data["year"])
