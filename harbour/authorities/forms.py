"""Forms of the OLA pages and the authorities' reference data (GOV.UK patterns: a date and a
time as day, month, year, hour and minute, UK time; messages that say how to fix it)."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.interviews.forms import local_instant

from .models import Kind, LocalAuthority, Method, Response
from .queries import OlaStatus
from .services import NOTE_MAX

PARTS = ("day", "month", "year", "hour", "minute")


def _part() -> forms.CharField:
    return forms.CharField(required=False, max_length=4, strip=True)


class EntryForm(forms.Form):
    """One entry in an episode's OLA log. The response is asked only for a response: what
    was entered there for another kind is ignored (every question shows without
    JavaScript)."""

    kind = forms.ChoiceField(
        choices=Kind.choices,
        error_messages={
            "required": "Select what you are recording",
            "invalid_choice": "Select what you are recording",
        },
    )
    occurred_day = _part()
    occurred_month = _part()
    occurred_year = _part()
    occurred_hour = _part()
    occurred_minute = _part()
    method = forms.ChoiceField(
        choices=Method.choices,
        error_messages={
            "required": "Select how it was sent or received",
            "invalid_choice": "Select how it was sent or received",
        },
    )
    response = forms.ChoiceField(
        choices=Response.choices,
        required=False,
        error_messages={"invalid_choice": "Select what the placing authority said"},
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea,
        error_messages={"max_length": f"The note must be {NOTE_MAX:,} characters or fewer"},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    # The page's order, and where each error links to.
    ORDER = ("kind", "occurred_at", "method", "response", "note")
    ANCHORS = {"occurred_at": "occurred_day"}
    ambiguous = ()  # for missing/_fields.html's date_input

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parts = {part: data.get(f"occurred_{part}") or "" for part in PARTS}
        instant, error, _part_name = local_instant(parts, "The date and time")
        if error is None and instant is None:
            error = "Enter the date and time, in UK time"
        if error:
            self.add_error("occurred_day", error)
        data["occurred_at"] = instant
        if data.get("kind") == Kind.RESPONSE:
            if not data.get("response"):
                self.add_error("response", "Select what the placing authority said")
        else:
            data["response"] = ""
        return data

    def refuse(self, error: Any) -> None:
        """A service's refusal, next to the field it is about."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                field = "occurred_day" if name == "occurred_at" else name
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": text, "href": "#entry"} for text in self.non_field_errors()]
        for name in self.ORDER:
            field = "occurred_day" if name == "occurred_at" else name
            if field in self.errors:
                items.append({"text": self.errors[field][0], "href": f"#{field}"})
        return items


class OlaFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Still to do"), *OlaStatus.choices, ("ALL", "Any status")],
        required=False,
    )
    # Any DfE number: the placing authority of an episode need not be in the reference data.
    authority = forms.RegexField(regex=r"^\d{3}$", required=False)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args: Any, authorities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority_choices = [("", "Any authority"), *authorities]
        chosen = self["authority"].value() or ""
        if chosen and chosen not in {code for code, _name in authorities}:
            self.authority_choices.append((chosen, f"DfE number {chosen}"))


class AuthorityForm(forms.ModelForm):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    class Meta:
        model = LocalAuthority
        fields = ["code", "name", "team", "email", "phone", "address", "active"]
        error_messages = {
            "code": {
                "required": "Enter the authority's three-digit DfE number",
                "unique": "Another authority already has this DfE number",
            },
            "name": {"required": "Enter the authority's name"},
            "email": {"invalid": "Enter an email address like name@example.org"},
        }

    ORDER = ("code", "name", "team", "email", "phone", "address", "active")

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": text, "href": "#code"} for text in self.non_field_errors()]
        for name in self.ORDER:
            if name in self.errors:
                items.append({"text": self.errors[name][0], "href": f"#{name}"})
        return items
