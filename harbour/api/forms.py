"""The administrators' form for issuing a token."""

from __future__ import annotations

from django import forms

from .models import Scope
from .tokens import DEFAULT_DAYS, MAX_DAYS


class IssueTokenForm(forms.Form):
    organisation = forms.CharField(max_length=200, strip=True)
    purpose = forms.CharField(max_length=200, strip=True)
    scopes = forms.MultipleChoiceField(choices=Scope.choices)
    children = forms.CharField(required=False, strip=True, max_length=5000)
    days = forms.IntegerField(min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        messages = {
            "organisation": "Enter the organisation the token is for",
            "purpose": "Enter what the token is for",
            "scopes": "Select what the token may do",
            "days": "Enter how many days the token lasts",
        }
        for name, message in messages.items():
            self.fields[name].error_messages["required"] = message

    def person_ids(self) -> list[str]:
        """The person ids typed, one per line or separated by commas or spaces."""
        text = self.cleaned_data.get("children") or ""
        return [word for word in text.replace(",", " ").split() if word]
