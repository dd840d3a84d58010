"""The data quality page's questions, read from the query string (the page is a link):
which collection year (left out, the current one) and, optionally, which rule's failures
to list."""

from __future__ import annotations

from typing import Any

from django import forms

from .data_quality import current_year, years_offered
from .ssda903.rules import RULES

YEAR_MESSAGE = "Select a collection year from the list"


class CollectionYearForm(forms.Form):
    year = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": YEAR_MESSAGE},
    )
    rule = forms.ChoiceField(
        choices=[("", "Every rule"), *((code, code) for code in RULES)],
        required=False,
        error_messages={"invalid_choice": "Select a rule from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = years_offered()
        self.choices = choices
        self.fields["year"].choices = [(str(year), text) for year, text in choices]  # type: ignore[attr-defined]

    def chosen_year(self) -> int:
        """The year asked for (valid form only), or the current one."""
        year = self.cleaned_data.get("year")
        return current_year() if year is None else int(year)

    def chosen_rule(self) -> str:
        """The rule asked for (valid form only), or "" for every rule."""
        return str(self.cleaned_data.get("rule") or "")
