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
from typing import Any

from django import forms
from django.utils import timezone

from harbour.children.models import Sex
from harbour.common.time import (
    LONDON,
    RepeatedLocalTime,
    SkippedLocalTime,
    from_london,
    local_date,
)

from .models import Category, RiskLevel

# In the hour that happens twice: is it the first (summer time) or the second?
FIRST_OF_TWO = {"+01:00": True, "+00:00": False}
OFFSET_CHOICES = [
    ("+01:00", "The first time (British Summer Time, UTC+1)"),
    ("+00:00", "The second time (Greenwich Mean Time, UTC)"),
]
DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")


def _text(max_length: int = 200, required: bool = False) -> forms.CharField:
    return forms.CharField(max_length=max_length, required=required, strip=True)


class GovukForm(forms.Form):
    """A form with day/month/year (and hour/minute) groups declared as
    `datetimes = [(prefix, description, required)]` and `dates = [...]`."""

    datetimes: list[tuple[str, str, bool]] = []
    dates: list[tuple[str, str, bool]] = []
    messages: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambiguous: set[str] = set()
        for prefix, _description, _required in self.datetimes:
            for part in (*DATE_PARTS, *TIME_PARTS):
                self.fields[f"{prefix}_{part}"] = _text(4)
            self.fields[f"{prefix}_offset"] = _text(6)
        for prefix, _description, _required in self.dates:
            for part in DATE_PARTS:
                self.fields[f"{prefix}_{part}"] = _text(4)
        for name, message in self.messages.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message

    # Reading the groups.

    def _numbers(self, prefix: str, parts: tuple[str, ...], description: str) -> list[int] | None:
        values = [self.cleaned_data.get(f"{prefix}_{part}", "") for part in parts]
        missing = [part for part, value in zip(parts, values, strict=True) if not value]
        if missing:
            self.add_error(
                f"{prefix}_day", f"{description.capitalize()} must include a {missing[0]}"
            )
            return None
        try:
            return [int(value) for value in values]
        except ValueError:
            self.add_error(
                f"{prefix}_day", f"{description.capitalize()} must be real numbers, like 27 3 2024"
            )
            return None

    def _empty(self, prefix: str, parts: tuple[str, ...]) -> bool:
        return not any(self.cleaned_data.get(f"{prefix}_{part}") for part in parts)

    def read_date(self, prefix: str, description: str, required: bool) -> dt.date | None:
        if self._empty(prefix, DATE_PARTS):
            if required:
                self.add_error(f"{prefix}_day", f"Enter {description}")
            return None
        numbers = self._numbers(prefix, DATE_PARTS, description)
        if numbers is None:
            return None
        day, month, year = numbers
        try:
            value = dt.date(year, month, day)
        except ValueError:
            self.add_error(f"{prefix}_day", f"{description.capitalize()} must be a real date")
            return None
        if year < 1900:
            self.add_error(f"{prefix}_day", f"{description.capitalize()} must have a 4-digit year")
            return None
        if value > local_date(timezone.now()):
            self.add_error(f"{prefix}_day", f"{description.capitalize()} must be in the past")
            return None
        return value

    def read_datetime(self, prefix: str, description: str, required: bool) -> dt.datetime | None:
        parts = (*DATE_PARTS, *TIME_PARTS)
        if self._empty(prefix, parts):
            if required:
                self.add_error(f"{prefix}_day", f"Enter {description}")
            return None
        numbers = self._numbers(prefix, parts, description)
        if numbers is None:
            return None
        day, month, year, hour, minute = numbers
        try:
            naive = dt.datetime(year, month, day, hour, minute)
        except ValueError:
            self.add_error(
                f"{prefix}_day",
                f"{description.capitalize()} must be a real date and a time from 0:00 to 23:59",
            )
            return None
        instant = self._from_london(prefix, naive, description)
        if instant is not None and instant > timezone.now():
            self.add_error(f"{prefix}_day", f"{description.capitalize()} must be in the past")
            return None
        return instant

    def _from_london(self, prefix: str, naive: dt.datetime, description: str) -> dt.datetime | None:
        offset = self.cleaned_data.get(f"{prefix}_offset", "")
        try:
            return from_london(naive, first_of_two=FIRST_OF_TWO.get(offset))
        except SkippedLocalTime:
            self.add_error(
                f"{prefix}_day",
                f"{description.capitalize()} is a time that did not exist in the UK: the clocks "
                "went forward an hour that night. Check the time",
            )
            return None
        except RepeatedLocalTime:
            pass
        self.ambiguous.add(prefix)
        self.add_error(
            f"{prefix}_offset",
            f"The clocks went back that night, so {naive:%-H:%M} happened twice. Select which "
            "one it was",
        )
        return None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for prefix, description, required in self.datetimes:
            data[prefix] = self.read_datetime(prefix, description, required)
        for prefix, description, required in self.dates:
            data[prefix] = self.read_date(prefix, description, required)
        return data

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's entries, in the order the fields appear."""
        items = []
        for name in self.fields:
            for message in self.errors.get(name, []):
                items.append({"text": message, "href": f"#{name}"})
        for message in self.non_field_errors():
            items.append({"text": message, "href": f"#{next(iter(self.fields))}"})
        return items


class NotificationForm(GovukForm):
    datetimes = [
        ("started", "when the child was last seen", True),
        ("reported", "when the child was reported missing to the police", False),
        ("notified", "when the notification was received", False),
    ]
    dates = [("birth", "the child's date of birth", False)]

    police_reference = _text(64, required=True)
    category = forms.ChoiceField(choices=Category.choices)
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, required=False)
    given_name = _text(200, required=True)
    family_name = _text(200, required=True)
    child_id = _text(64)
    sex = forms.ChoiceField(choices=Sex.choices, required=False)

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


def datetime_initial(prefix: str, instant: dt.datetime | None) -> dict[str, str]:
    """Form initial values for a day/month/year hour:minute group, in UK time."""
    if instant is None:
        return {}
    local = instant.astimezone(LONDON)
    values = {
        f"{prefix}_day": str(local.day),
        f"{prefix}_month": str(local.month),
        f"{prefix}_year": str(local.year),
        f"{prefix}_hour": str(local.hour),
        f"{prefix}_minute": f"{local.minute:02d}",
    }
    if local.fold or local.replace(fold=1).utcoffset() != local.utcoffset():
        values[f"{prefix}_offset"] = "+00:00" if local.utcoffset() == dt.timedelta(0) else "+01:00"
    return values
