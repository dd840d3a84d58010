import datetime as dt

from django import forms
from django.utils import timezone

from .periods import Period, financial_year_of


class ReportOptionsForm(forms.Form):
    """Which period and how: read from the query string of the report pages."""

    year = forms.IntegerField(min_value=1990, max_value=2999, required=False)
    quarter = forms.TypedChoiceField(
        choices=[("", "All four"), ("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    first = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    last = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    include_absences = forms.BooleanField(required=False)
    for_publication = forms.BooleanField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if (first is None) != (last is None):
            raise forms.ValidationError("Enter both the first and the last day of the period.")
        if first and last and last < first:
            raise forms.ValidationError("The last day must be the same as or after the first day.")
        if data.get("year") is None and first is None:
            data["year"] = default_year()
        return data

    def periods(self, kind: str) -> list[Period]:
        data = self.cleaned_data
        if data.get("first"):
            return [Period(data["first"], data["last"])]
        year = data["year"]
        if kind == "annual":
            return [Period.financial_year(year)]
        if data.get("quarter"):
            return [Period.quarter(year, data["quarter"])]
        return [Period.quarter(year, quarter) for quarter in (1, 2, 3, 4)]


def default_year() -> int:
    """The last complete financial year, or the current one from July onwards."""
    today = timezone.localdate()
    year = financial_year_of(today)
    return year if today - dt.date(year, 4, 1) > dt.timedelta(days=90) else year - 1
