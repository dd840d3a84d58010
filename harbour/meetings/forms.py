"""Forms for the meetings pages. Dates are entered as day, month and year (GOV.UK pattern);
each form that changes an existing record carries the version it was loaded with."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from harbour.common.dates import DATE_PARTS, DateEntryError, read_date
from harbour.common.time import SkippedLocalTime, from_london

from .models import Agency


def date_initial(name: str, day: dt.date | None) -> dict[str, Any]:
    """A DateFieldsForm's initial values for the date `name` (its day, month and year
    boxes), or none when there is no date."""
    if day is None:
        return {}
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


class DateFieldsForm(forms.Form):
    """A form with GOV.UK date inputs: for each name in `dates`, fields `<name>-day`,
    `<name>-month` and `<name>-year`, cleaned into cleaned_data[name]."""

    # name -> (what the date is, in "Enter the date ..." messages; required)
    dates: dict[str, tuple[str, bool]] = {}
    # The fields and dates in the order the page shows them, which the error summary
    # follows; those not named come after, fields then dates.
    page_order: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.dates:
            for part in DATE_PARTS:
                self.fields[f"{name}-{part}"] = forms.CharField(required=False, max_length=4)

    def date_parts(self, name: str) -> dict[str, str]:
        return {part: self[f"{name}-{part}"].value() or "" for part in DATE_PARTS}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data, never None
        for name, (what, required) in self.dates.items():
            parts = {part: cleaned.get(f"{name}-{part}") or "" for part in DATE_PARTS}
            try:
                # Whether a date may be in the future is the service's rule (an action's due
                # date may; a meeting's date held may not).
                cleaned[name] = read_date(parts, what, required=required, past_only=False)
            except DateEntryError as problem:
                cleaned[name] = None
                self._date_error(name, problem.message)
        return cleaned

    def _date_error(self, name: str, message: str) -> None:
        self.date_errors[name] = message

    @property
    def date_errors(self) -> dict[str, str]:
        if not hasattr(self, "_date_errors"):
            self._date_errors: dict[str, str] = {}
        return self._date_errors

    def is_valid(self) -> bool:
        return super().is_valid() and not self.date_errors

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's items, each linking to its field (a date to its first box)."""
        items = [{"text": str(error)} for error in self.non_field_errors()]
        rest = [name for name in [*self.fields, *self.dates] if name not in self.page_order]
        for name in [*self.page_order, *rest]:
            if name in self.date_errors:
                items.append({"text": self.date_errors[name], "href": f"#{name}-day"})
            elif name in self.fields and name in self.errors and name != "version":
                items.append({"text": str(self.errors[name][0]), "href": f"#{name}"})
        return items

    def refuse(self, error: Any) -> None:
        """A service's refusal, against the field it is about where there is one."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                if name in self.dates:
                    self._date_error(name, errors[0].messages[0] if errors else str(errors))
                else:
                    self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class RequestMeetingForm(DateFieldsForm):
    dates = {"requested_on": ("the date the meeting was requested", True)}
    version = forms.IntegerField(widget=forms.HiddenInput)


class HeldForm(DateFieldsForm):
    dates = {"held_on": ("the date the meeting was held", True)}
    page_order = ("held_on", "attendees", "attended_by", "minutes", "outcome")
    attendees = forms.MultipleChoiceField(
        choices=Agency.choices,
        error_messages={"required": "Select the agencies that attended the meeting"},
    )
    attended_by = forms.CharField(
        required=False,
        max_length=2000,
        error_messages={"max_length": "People attending must be 2,000 characters or fewer"},
        widget=forms.Textarea,
    )
    minutes = forms.CharField(
        required=False,
        max_length=50000,
        error_messages={"max_length": "Minutes must be 50,000 characters or fewer"},
        widget=forms.Textarea,
    )
    outcome = forms.CharField(
        max_length=10000,
        error_messages={
            "required": "Enter the outcome of the meeting",
            "max_length": "Outcome must be 10,000 characters or fewer",
        },
        widget=forms.Textarea,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    """Why a task is closed as not needed, or a meeting cancelled."""

    reason = forms.CharField(
        max_length=2000,
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
        widget=forms.Textarea,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, required_message: str = "Enter the reason", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = required_message

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": str(error)} for error in self.non_field_errors()]
        if "reason" in self.errors:
            items.append({"text": str(self.errors["reason"][0]), "href": "#reason"})
        return items

    def refuse(self, error: Any) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


TIME = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


class ScheduleForm(DateFieldsForm):
    """When (a London date and a 24-hour time) and where a meeting takes place, who chairs it
    and who is invited."""

    dates = {"scheduled_on": ("the date of the meeting", True)}
    page_order = ("scheduled_on", "time", "venue", "chair", "invitees")
    time = forms.CharField(
        max_length=5, error_messages={"required": "Enter the time of the meeting"}
    )
    venue = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter where the meeting takes place",
            "max_length": "Venue must be 200 characters or fewer",
        },
    )
    chair = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter who chairs the meeting",
            "max_length": "Chair must be 200 characters or fewer",
        },
    )
    invitees = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Enter who is invited",
            "max_length": "Invited must be 2,000 characters or fewer",
        },
        widget=forms.Textarea,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        cleaned["scheduled_at"] = None
        typed = cleaned.get("time")
        if typed is None:
            return cleaned
        match = TIME.match(typed)
        hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
        if hour > 23 or minute > 59:
            self.add_error("time", "Enter the time as hours and minutes, for example 14:30")
            return cleaned
        day = cleaned.get("scheduled_on")
        if day is None:
            return cleaned
        try:
            # A meeting is not held in the hour the clocks go back; the first is taken.
            cleaned["scheduled_at"] = from_london(
                dt.datetime.combine(day, dt.time(hour, minute)), first_of_two=True
            )
        except SkippedLocalTime:
            self.add_error("time", "That time does not exist on that day: the clocks go forward")
        return cleaned

    def refuse(self, error: Any) -> None:
        if hasattr(error, "error_dict") and "scheduled_at" in error.error_dict:
            self._date_error("scheduled_on", error.error_dict.pop("scheduled_at")[0].messages[0])
            if not error.error_dict:
                return
        super().refuse(error)


class ActionForm(DateFieldsForm):
    dates = {"due_on": ("the date the action is due", False)}
    page_order = ("description", "owner", "due_on")
    description = forms.CharField(
        max_length=2000,
        error_messages={
            "required": "Enter what is to be done",
            "max_length": "What is to be done must be 2,000 characters or fewer",
        },
    )
    owner = forms.CharField(
        max_length=200,
        error_messages={
            "required": "Enter who owns the action: a person or an agency",
            "max_length": "Who owns it must be 200 characters or fewer",
        },
    )


class DoneForm(forms.Form):
    action = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
