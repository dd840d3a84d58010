"""The forms of the return interview pages: GOV.UK patterns (dates as day, month and year;
times as hour and minute, UK time; an error message that says how to fix it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from harbour.common.dates import DATETIME_PARTS, DateEntryError, datetime_parts, read_datetime

from .models import Method, Outcome, Reason, Risk
from .queries import GroupFilter, WorklistStatus

TEXT_MAX = 10_000
YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        strip=True,
        error_messages={"max_length": f"{label} must be {TEXT_MAX:,} characters or fewer"},
    )


def _part() -> forms.CharField:
    return forms.CharField(required=False, max_length=4, strip=True)


def local_instant(
    parts: dict[str, str], label: str
) -> tuple[dt.datetime | None, str | None, str | None]:
    """(UTC instant, error, the part to link the error to) from day, month, year, hour and
    minute in UK time, and `offset` when the person has said which of two times it was
    (harbour.common.dates). All empty: no instant and no error."""
    try:
        return read_datetime(parts, label, required=False, past_only=False), None, None
    except DateEntryError as problem:
        return None, problem.message, problem.part


def local_parts(instant: dt.datetime | None) -> dict[str, str]:
    return datetime_parts(instant)


class InterviewForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        error_messages={
            "required": "Select what happened",
            "invalid_choice": "Select what happened",
        },
    )
    offered_at_day = _part()
    offered_at_month = _part()
    offered_at_year = _part()
    offered_at_hour = _part()
    offered_at_minute = _part()
    offered_at_offset = forms.CharField(required=False, max_length=6, strip=True)
    completed_at_day = _part()
    completed_at_month = _part()
    completed_at_year = _part()
    completed_at_hour = _part()
    completed_at_minute = _part()
    completed_at_offset = forms.CharField(required=False, max_length=6, strip=True)
    method = forms.ChoiceField(
        choices=Method.choices,
        required=False,
        error_messages={"invalid_choice": "Select how the interview was held"},
    )
    child_engaged = forms.ChoiceField(choices=YES_NO, required=False)
    advice_given = forms.ChoiceField(choices=YES_NO, required=False)
    reasons = forms.MultipleChoiceField(
        choices=Reason.choices,
        required=False,
        error_messages={"invalid_choice": "Select reasons from the list"},
    )
    risks = forms.MultipleChoiceField(
        choices=Risk.choices,
        required=False,
        error_messages={"invalid_choice": "Select risks from the list"},
    )
    child_account = _text("The child's account")
    not_required_reason = _text("The reason")
    onward_actions = _text("Onward actions")
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    # Where each field's error links to (the first input of a date, the first radio).
    ANCHORS = {
        "offered_at": "offered_at-day",
        "completed_at": "completed_at-day",
        "outcome": "outcome",
        "method": "method",
        "reasons": "reasons",
        "risks": "risks",
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data, never None
        outcome = data.get("outcome")
        # Answers inside a conditional section whose option was not chosen are ignored, as
        # GOV.UK's conditional reveal hides them (without JavaScript every section shows).
        accepted = outcome == Outcome.ACCEPTED
        for name in ("offered_at", "completed_at"):
            data[name] = None
            if name == "completed_at" and not accepted:
                continue
            parts = {part: data.get(f"{name}_{part}") or "" for part in LOCAL_PARTS}
            label = "Date offered" if name == "offered_at" else "Date of the interview"
            instant, error, part = local_instant(parts, label)
            if error:
                assert part is not None  # local_instant names the part of every error
                self.add_error(None, error)
                self.date_errors[name] = (error, part)
            data[name] = instant
        if outcome != Outcome.NOT_REQUIRED:
            data["not_required_reason"] = ""
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # {date field: (message, the part it is about)}, for the page's error messages.
        self.date_errors: dict[str, tuple[str, str]] = {}
        # Errors from the service, by the service's field names.
        self.service_errors: dict[str, str] = {}

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "offered_at": data["offered_at"],
            "completed_at": data["completed_at"],
            "method": data["method"],
            "child_engaged": _yes_no(data["child_engaged"]),
            "advice_given": _yes_no(data["advice_given"]),
            "reasons": data["reasons"],
            "risks": data["risks"],
            "child_account": data["child_account"],
            "not_required_reason": data["not_required_reason"],
            "onward_actions": data["onward_actions"],
            "version": data["version"],
        }

    def errors_by_field(self) -> dict[str, str]:
        """{field (service names): its first error}, for the messages by each field."""
        errors = {}
        for name, field_errors in self.errors.items():
            if name != "__all__":
                errors[name] = str(field_errors[0])
        for name, (message, _part) in self.date_errors.items():
            errors[name] = message
        errors.update(self.service_errors)
        return errors

    def error_list(self) -> list[dict[str, str]]:
        """The error summary: one item per field, linking to it, in page order."""
        errors = self.errors_by_field()
        order = [
            "outcome", "not_required_reason", "offered_at", "completed_at", "method",
            "child_engaged", "advice_given", "reasons", "risks", "child_account",
            "onward_actions", "version",
        ]  # fmt: skip
        items = []
        for name in order:
            if name in errors:
                anchor = self.ANCHORS.get(name, name)
                if name in self.date_errors:
                    anchor = f"{name}-{self.date_errors[name][1]}"
                items.append({"text": errors[name], "href": f"#{anchor}"})
        return items


LOCAL_PARTS = (*DATETIME_PARTS, "offset")


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def initial_for(interview: Any | None) -> dict[str, Any]:
    """The form's starting values from the stored interview (or a blank one)."""
    if interview is None:
        return {"version": 0}
    initial: dict[str, Any] = {
        "outcome": interview.outcome,
        "method": interview.method,
        "child_engaged": {True: "yes", False: "no"}.get(interview.child_engaged, ""),
        "advice_given": {True: "yes", False: "no"}.get(interview.advice_given, ""),
        "reasons": interview.reason_codes,
        "risks": interview.risk_codes,
        "child_account": interview.child_account,
        "not_required_reason": interview.not_required_reason,
        "onward_actions": interview.onward_actions,
        "version": interview.version,
    }
    for name in ("offered_at", "completed_at"):
        for part, value in local_parts(getattr(interview, name)).items():
            initial[f"{name}_{part}"] = value
    return initial


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # as the form declares it
    return field


class AllocationForm(forms.Form):
    worker = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    organisation = forms.ChoiceField(required=False)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workers: list, organisations: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice_field(self, "worker").choices = [("", "No one in particular")] + [
            (user.pk, label) for user, label in workers
        ]
        self.fields["worker"].error_messages["invalid_choice"] = "Choose a worker from the list"
        _choice_field(self, "organisation").choices = [("", "No organisation")] + [
            (name, name) for name in organisations
        ]
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "Choose an organisation from the list"
        )


class WorklistFilterForm(forms.Form):
    worker = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    organisation = forms.ChoiceField(required=False)
    group = forms.ChoiceField(choices=[("", "Any group"), *GroupFilter.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Still to do"), *WorklistStatus.choices, ("ALL", "Any status")],
        required=False,
    )
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, workers: list, organisations: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice_field(self, "worker").choices = [("", "Anyone")] + [
            (user.pk, label) for user, label in workers
        ]
        _choice_field(self, "organisation").choices = [("", "Any organisation")] + [
            (name, name) for name in organisations
        ]
