"""Forms for keeping the child's record (edit_views.py). Dates are GOV.UK day, month, year
boxes (harbour.meetings.forms.DateFieldsForm); each form carries the version it was
loaded with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from harbour.accounts.models import Role
from harbour.common.display import staff_name
from harbour.meetings.forms import DateFieldsForm

from .models import Ethnicity, LegalStatusKind, Placement, Sex


def _text(max_length: int, message: str = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        max_length=max_length,
        required=required,
        strip=True,
        error_messages={
            "required": message,
            "max_length": f"Must be {max_length} characters or fewer",
        },
    )


def social_worker_choices() -> list[tuple[str, str]]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role=Role.SOCIAL_WORKER)
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    return [("", "Not allocated")] + [(str(user.pk), staff_name(user)) for user in users]


class ChildForm(DateFieldsForm):
    dates = {"date_of_birth": ("the date of birth", True)}

    child_id = _text(64, "Enter the person id", required=True)
    given_name = _text(200)
    family_name = _text(200)
    sex = forms.ChoiceField(
        choices=Sex.choices, error_messages={"required": "Select the child's sex"}
    )
    ethnicity = forms.ChoiceField(
        choices=[("", "Not recorded"), *Ethnicity.choices], required=False
    )
    allocated_social_worker = forms.ChoiceField(required=False)
    placement_address = forms.CharField(
        max_length=500,
        required=False,
        strip=True,
        widget=forms.Textarea,
        error_messages={"max_length": "The address must be 500 characters or fewer"},
    )
    placement_postcode = _text(8)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        worker = self.fields["allocated_social_worker"]
        assert isinstance(worker, forms.ChoiceField)  # as declared above
        worker.choices = social_worker_choices()

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        worker = data["allocated_social_worker"]
        return {
            "child_id": data["child_id"],
            "given_name": data["given_name"],
            "family_name": data["family_name"],
            "date_of_birth": data["date_of_birth"],
            "sex": data["sex"],
            "ethnicity": data["ethnicity"],
            "allocated_social_worker": (
                get_user_model().objects.get(pk=int(worker)) if worker else None
            ),
            "placement_address": data["placement_address"],
            "placement_postcode": data["placement_postcode"],
        }


class LegalStatusForm(DateFieldsForm):
    dates = {"start_date": ("the start date", True), "end_date": ("the end date", False)}

    status = forms.ChoiceField(
        choices=LegalStatusKind.choices,
        error_messages={"required": "Select the legal status"},
    )
    responsible_la = forms.CharField(
        max_length=3,
        required=False,
        strip=True,
        error_messages={"max_length": "Enter the authority's three-digit DfE number"},
    )
    placement = forms.ChoiceField(
        choices=[("", "Not recorded"), *Placement.choices], required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("status", "start_date", "end_date", "responsible_la", "placement")
        }
