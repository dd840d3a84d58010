"""Forms of the OLA pages and the authorities' reference data (GOV.UK patterns: a date and a
time as day, month, year, hour and minute, UK time; messages that say how to fix it)."""

from __future__ import annotations

from typing import Any

from django import forms

from harbour.common.dates import DATETIME_PARTS, DateEntryError, read_datetime

from .models import Kind, LocalAuthority, Method, Response
from .queries import OlaStatus
from .services import NOTE_MAX

PARTS = (*DATETIME_PARTS, "offset")


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
    # Asked only when the time fell in the hour the clocks went back (which of the two).
    occurred_offset = forms.CharField(required=False, max_length=6, strip=True)
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

    # The date groups whose time happened twice (for macros/fields.html's datetime_input).
    ambiguous: set[str]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data, never None
        parts = {part: data.get(f"occurred_{part}") or "" for part in PARTS}
        data["occurred_at"] = None
        try:
            # Times in the future are the service's to refuse, with its own words.
            data["occurred_at"] = read_datetime(
                parts, "the date and time, in UK time", required=True, past_only=False
            )
        except DateEntryError as problem:
            if problem.needs_offset:
                self.ambiguous = {"occurred"}
                self.add_error("occurred_offset", problem.message)
            else:
                self.add_error("occurred_day", problem.message)
        if data.get("kind") == Kind.RESPONSE:
            if not data.get("response"):
                self.add_error("response", "Select what the placing authority said")
        else:
            data["response"] = ""
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ambiguous = set()

    def refuse(self, error: Any) -> None:
        """A service's refusal, next to the field it is about."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                field = "occurred_day" if name == "occurred_at" else name
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": str(text), "href": "#entry"} for text in self.non_field_errors()]
        for name in self.ORDER:
            fields = ("occurred_day", "occurred_offset") if name == "occurred_at" else (name,)
            for field in fields:
                if field in self.errors:
                    items.append({"text": str(self.errors[field][0]), "href": f"#{field}"})
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A change must say which version it was made to, or it could overwrite someone
        # else's change unseen.
        if self.instance.pk is not None:
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = (
                "This page is out of date: open the authority again and make your change"
            )

    def error_list(self) -> list[dict[str, str]]:
        items = [{"text": str(text), "href": "#code"} for text in self.non_field_errors()]
        items += [{"text": str(text), "href": "#code"} for text in self.errors.get("version", [])]
        for name in self.ORDER:
            if name in self.errors:
                items.append({"text": str(self.errors[name][0]), "href": f"#{name}"})
        return items
