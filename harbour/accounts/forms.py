from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from harbour.audit import services as auditor
from harbour.common.display import time_text
from harbour.security import client_address

from . import lockout


class SignInForm(AuthenticationForm):
    """Username and password, refused while the account is locked out, or while this
    username must wait after failing from a busy address (harbour/accounts/lockout.py)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password.",
        "locked_out": (
            "Signing in is paused after too many failed attempts. Try again after %(until)s, "
            "or ask a Harbour administrator to unlock your account."
        ),
        "slowed_down": (
            "Wait %(wait)s, then try again. Many sign-ins have failed from your network "
            "recently, so after a failed attempt the next one for the same username waits."
        ),
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request)
        locked = lockout.active_lockout(username)
        if locked is not None:
            auditor.record(
                "anonymous",
                "accounts.sign_in_refused",
                details={"username": username[:150], "reason": "locked out"},
            )
            raise forms.ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"until": time_text(locked.until)},
            )
        wait = lockout.seconds_to_wait(username, address)
        if wait:
            # Not checked, so not a failure: waiting attempts cannot lock the account.
            auditor.record(
                "anonymous",
                "accounts.sign_in_refused",
                details={"username": username[:150], "reason": "slowed down", "wait": wait},
            )
            raise forms.ValidationError(
                self.error_messages["slowed_down"],
                code="slowed_down",
                params={"wait": f"{wait} second" if wait == 1 else f"{wait} seconds"},
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
