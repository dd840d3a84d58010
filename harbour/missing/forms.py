"""Forms for the episode pages.

Dates are entered as day, month and year boxes and times as hour and minute boxes, in UK
(Europe/London) local time, as GOV.UK asks. A local time that did not exist (the hour
skipped when the clocks go forward) is refused; one that happened twice (the hour repeated
when the clocks go back) needs the person to say which, by choosing its offset.

Every part is a text field so that what was typed is shown again as typed. Errors about a
date go on its day box (where the error summary links) or, for the clocks-going-back
question, on the offset radios.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django import forms

from harbour.children.models import Sex
from harbour.common.dates import (
    DATE_PARTS,
    DATETIME_PARTS,
    DateEntryError,
    datetime_parts,
    read_date,
    read_datetime,
)

from .models import Category, RiskLevel


def _text(max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(max_length=max_length, required=required, strip=True)


class GovukForm(forms.Form):
    """A form with day/month/year (and hour/minute) groups declared as
    `datetimes = [(prefix, description, required)]` and `dates = [...]`, read by
    harbour.common.dates."""

    datetimes: list[tuple[str, str, bool]] = []
    dates: list[tuple[str, str, bool]] = []
    messages: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambiguous: set[str] = set()
        for prefix, _description, _required in self.datetimes:
            for part in DATETIME_PARTS:
                self.fields[f"{prefix}_{part}"] = _text(4)
            self.fields[f"{prefix}_offset"] = _text(6)
        for prefix, _description, _required in self.dates:
            for part in DATE_PARTS:
                self.fields[f"{prefix}_{part}"] = _text(4)
        for name, message in self.messages.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    def _parts(self, prefix: str) -> dict[str, str]:
        return {
            name[len(prefix) + 1 :]: self.cleaned_data.get(name) or ""
            for name in self.fields
            if name.startswith(f"{prefix}_")
        }

    def _read(self, reader: Any, prefix: str, description: str, required: bool) -> Any:
        try:
            return reader(self._parts(prefix), description, required=required)
        except DateEntryError as problem:
            # Errors go on the day box (where the error summary links), or on the radios
            # that ask which of the two times it was.
            if problem.needs_offset:
                self.ambiguous.add(prefix)
                self.add_error(f"{prefix}_offset", problem.message)
            else:
                self.add_error(f"{prefix}_day", problem.message)
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:
            # Cannot happen: Form.clean returns cleaned_data. The stubs allow None because an
            # override may return nothing; none between here and Form does.
            raise TypeError("Form.clean returned None instead of cleaned_data")
        for prefix, description, required in self.datetimes:
            data[prefix] = self._read(read_datetime, prefix, description, required)
        for prefix, description, required in self.dates:
            data[prefix] = self._read(read_date, prefix, description, required)
        return data

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's entries, in the order the fields appear."""
        # An ErrorList gives each message as a str already; str() says so to the checker,
        # whose stubs allow a ValidationError or a lazy string.
        items = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append({"text": str(message), "href": f"#{name}"})
        for message in self.non_field_errors():
            items.append({"text": str(message), "href": f"#{next(iter(self.fields))}"})
        return items


class NotificationForm(GovukForm):
    datetimes = [
        ("started", "when the child was last seen", True),
        ("reported", "when the child was reported missing to the police", False),
        ("notified", "when the notification was received", False),
        # A notification that arrives after the child was found closes in the same step.
        ("found", "when the child was found or returned", False),
    ]
    dates = [("birth", "the child's date of birth", False)]

    police_reference = _text(64, required=True)
    category = forms.ChoiceField(choices=Category.choices)
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, required=False)
    given_name = _text(200, required=True)
    family_name = _text(200, required=True)
    child_id = _text(64)
    sex = forms.ChoiceField(choices=Sex.choices, required=False)
    found_location = _text(200)

    messages = {
        "police_reference": "Enter the police reference",
        "category": "Select whether the child was missing or absent",
        "given_name": "Enter the child's given name",
        "family_name": "Enter the child's family name",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        started = data.get("started")
        for later in ("reported", "notified"):
            if started and data.get(later) and data[later] < started:
                self.add_error(
                    f"{later}_day",
                    f"{dict((p, d) for p, d, _ in self.datetimes)[later].capitalize()} must be "
                    "after the child was last seen",
                )
        if started and data.get("found") and data["found"] < started:
            self.add_error(
                "found_day", "When the child was found must be after they were last seen"
            )
        if data.get("found_location") and not data.get("found") and "found_day" not in self.errors:
            self.add_error(
                "found_day", "Enter when the child was found, or leave where they were found blank"
            )
        return data


class FoundForm(GovukForm):
    datetimes = [("ended", "when the child was found or returned", True)]

    found_location = _text(200, required=True)
    version = forms.IntegerField(widget=forms.HiddenInput)

    messages = {"found_location": "Enter where the child was found or returned to"}


class AmendForm(GovukForm):
    datetimes = [
        ("started", "when the child was last seen", True),
        ("ended", "when the child was found or returned", False),
    ]

    category = forms.ChoiceField(choices=Category.choices)
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, required=False)
    found_location = _text(200)
    reason = forms.CharField(max_length=2000, strip=True, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)

    messages = {
        "category": "Select whether the child was missing or absent",
        "reason": "Enter the reason for the change",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("started") and data.get("ended") and data["ended"] < data["started"]:
            self.add_error(
                "ended_day", "When the child was found must be after they were last seen"
            )
        return data


class QuietChoice(forms.Field):
    """A list filter's choice. A value the filter does not offer (an old bookmark, a
    hand-edited address) means its first choice, the default, rather than an error: the
    list is still shown."""

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__(required=False)
        self.choices = choices

    def clean(self, value: Any) -> str:
        return value if value in dict(self.choices) else self.choices[0][0]


class EpisodeFilterForm(GovukForm):
    """The filters of the episodes list, read from the address (a GET form), so that a
    filtered list can be bookmarked. What was typed in the search and date boxes is checked
    and a mistake is said on its field; the choices fall back to their defaults."""

    OPEN, CLOSED, ALL = "open", "closed", "all"
    STATUS_CHOICES = [
        (OPEN, "Open now: still missing or absent"),
        (CLOSED, "Found or returned"),
        (ALL, "All episodes"),
    ]
    SORT_CHOICES = [("longest", "Longest missing first"), ("shortest", "Shortest missing first")]
    # (prefix, description): boxes <prefix>_day, _month and _year, read by read_date.
    ranges = [
        ("seen_from", "the date last seen from"),
        ("seen_to", "the date last seen to"),
    ]

    search = _text(200)
    status = QuietChoice(STATUS_CHOICES)
    category = QuietChoice([("", "Missing or absent"), *Category.choices])
    # Only the open list is sorted by time missing; the others are newest first.
    sort = QuietChoice(SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix, _description in self.ranges:
            for part in DATE_PARTS:
                self.fields[f"{prefix}_{part}"] = _text(4)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # A filter may look ahead (a range ending next week), so dates are not past-only.
        read = partial(read_date, past_only=False)
        for prefix, description in self.ranges:
            data[prefix] = self._read(read, prefix, description, False)
        if data.get("seen_from") and data.get("seen_to") and data["seen_to"] < data["seen_from"]:
            self.add_error(
                "seen_to_day",
                "The date last seen to must be the same as or after the date last seen from",
            )
        data["search"] = " ".join((data.get("search") or "").split())
        return data

    @property
    def is_filtered(self) -> bool:
        """Anything chosen beyond the default (open episodes, any category, no dates)."""
        data = self.cleaned_data
        return bool(
            data.get("status") != self.OPEN
            or data.get("category")
            or data.get("search")
            or data.get("seen_from")
            or data.get("seen_to")
        )


def datetime_initial(prefix: str, instant: dt.datetime | None) -> dict[str, str]:
    """Form initial values for a day/month/year hour:minute group, in UK time."""
    return {f"{prefix}_{part}": value for part, value in datetime_parts(instant).items()}
