"""Forms for the staff pages. Error messages follow the GOV.UK Design System's wording."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator

from .models import Role
from .services import ORGANISATION_MAX_LENGTH, change_own_password

ROLE_CHOICES = list(Role.choices)


def _text(label: str, max_length: int, *, required: bool = True) -> forms.CharField:
    article = "an" if label[0] in "aeiou" else "a"
    return forms.CharField(
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"Enter {article} {label}",
            "max_length": f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer",
        },
    )


class StaffFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *ROLE_CHOICES], required=False)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Select roles from the list"},
    )


class OrganisationForm(forms.Form):
    organisation = _text("organisation", ORGANISATION_MAX_LENGTH, required=False)


class AddStaffForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        validators=[
            UnicodeUsernameValidator(
                message="Username must contain only letters, numbers and @ . + - _"
            )
        ],
        error_messages={
            "required": "Enter a username",
            "max_length": "Username must be 150 characters or fewer",
        },
    )
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    first_name = _text("first name", 150)
    last_name = _text("last name", 150)
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )
    organisation = _text("organisation", ORGANISATION_MAX_LENGTH, required=False)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if get_user_model()._default_manager.filter(username__iexact=username).exists():
            raise forms.ValidationError("A member of staff already has that username")
        return username


class StaffSetPasswordForm(SetPasswordForm):
    """Django's form for the one-time set-password link, in GOV.UK words."""

    error_messages = {"password_mismatch": "The passwords do not match"}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your password"


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The Django admin's "Change password" page (a superuser's own password), saved
    through the audited service rather than straight to the user's row."""

    def save(self, commit: bool = True) -> User:
        change_own_password(self.user, self.cleaned_data["new_password1"])
        return self.user
