from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone

from harbour.audit import services as auditor

from . import lockout


def client_address(request: HttpRequest | None) -> str | None:
    """The caller's address. Behind the council's proxy, Django's SECURE_PROXY_SSL_HEADER
    and the proxy's own address handling apply; REMOTE_ADDR is what the server saw."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


class SignInForm(AuthenticationForm):
    """Username and password, refused while the account or the address is locked out."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password.",
        "locked_out": (
            "Signing in is paused after too many failed attempts. Try again after %(until)s, "
            "or ask a Harbour administrator to unlock your account."
        ),
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        locked = lockout.active_lockout(username, address)
        if locked is not None:
            auditor.record(
                "anonymous",
                "accounts.sign_in_refused",
                details={"username": username[:150], "reason": "locked out"},
            )
            raise forms.ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"until": timezone.localtime(locked.until).strftime("%H:%M")},
            )
        try:
            return super().clean()
        except forms.ValidationError:
            auditor.record(
                "anonymous", "accounts.sign_in_failed", details={"username": username[:150]}
            )
            lockout.record_failure(username, address)
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())
