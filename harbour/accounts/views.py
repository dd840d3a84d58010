from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.middleware import is_verified

from harbour.audit import services as auditor
from harbour.security import client_address

from . import lockout, two_factor
from .forms import CodeForm, SignInForm
from .middleware import SESSION_GENERATION, session_generation


class SignInView(auth_views.LoginView):
    """Step one: username and password. Step two (two_factor) follows when required."""

    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    @method_decorator(sensitive_post_parameters("password"))
    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: object) -> dict:
        return super().get_context_data(**kwargs) | {
            "settings_debug": settings.DEBUG,
            "two_factor_required": settings.HARBOUR_REQUIRE_TWO_FACTOR,
            "messages": list(messages.get_messages(self.request)),
        }

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        lockout.clear_failures(user.get_username())
        response = super().form_valid(form)
        self.request.session[SESSION_GENERATION] = session_generation(user)
        if two_factor.required_for(user):
            auditor.record(user, "accounts.password_accepted")
        else:
            auditor.record(user, "accounts.sign_in", details={"second_factor": False})
        return response


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a path on this site, or else the home page.
    Never another site, and never this one by a full address (which could be http://)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if _is_path_on_this_site(target):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _is_path_on_this_site(target: str) -> bool:
    # "//host/" and "/\\host/" are addresses of another host to a browser, not paths.
    return (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(target, allowed_hosts=set(), require_https=True)
    )


def _second_factor_step(step: str) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """For the pages after the password: only while the account may still sign in. A
    session whose account has been locked out or deactivated since its password was
    accepted is signed out, whatever it brings, and the refusal audited."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        signed_in_view = login_required(view)

        @wraps(view)
        def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            user = request.user
            if user.is_authenticated:
                if lockout.active_lockout(user.get_username()) is not None:
                    return _refuse_and_sign_out(request, user, "locked out", step)
            elif SESSION_KEY in request.session:
                # Django treats a deactivated account's session as no one's, but keeps it.
                account = (
                    get_user_model()
                    ._default_manager.filter(pk=request.session[SESSION_KEY])
                    .first()
                )
                return _refuse_and_sign_out(request, account, "deactivated", step)
            return signed_in_view(request, *args, **kwargs)

        return guarded

    return decorate


def _refuse_and_sign_out(
    request: HttpRequest, account: Any, reason: str, step: str
) -> HttpResponse:
    auditor.record(
        account or "anonymous",
        "accounts.sign_in_refused",
        details={
            "username": account.get_username() if account is not None else "",
            "reason": reason,
            "step": step,
        },
    )
    logout(request)
    return redirect("sign_in")


@_second_factor_step("code")
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app, or a recovery code."""
    user = request.user
    assert user.is_authenticated  # _second_factor_step lets only signed-in users through
    if is_verified(user):
        return redirect(_next_url(request))
    if not two_factor.has_authenticator(user):
        return redirect("two_factor_set_up")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"])
        if device is not None:
            two_factor.accept(request, device)
            used_recovery = device.name == "Recovery codes"
            auditor.record(
                user,
                "accounts.sign_in",
                details={"second_factor": True, "recovery_code": used_recovery},
            )
            return HttpResponseRedirect(_next_url(request))
        auditor.record(user, "accounts.sign_in_failed", details={"reason": "wrong code"})
        if lockout.record_failure(user.get_username(), client_address(request)):
            logout(request)
            return redirect("sign_in")
        form.add_error("code", "The code is not right: enter the code your app shows now")
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "next": _next_url(request), "has_errors": bool(form.errors)},
    )


@_second_factor_step("set-up")
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
def set_up_view(request: HttpRequest) -> HttpResponse:
    """First sign-in: link an authenticator app, then show the recovery codes once."""
    user = request.user
    assert user.is_authenticated  # _second_factor_step lets only signed-in users through
    if two_factor.has_authenticator(user) and not is_verified(user):
        return redirect("two_factor")
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = two_factor.confirm(user, device)
            two_factor.accept(request, device)
            auditor.record(user, "accounts.sign_in", details={"second_factor": True})
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", "The code is not right: enter the code your app shows now")
    context: dict[str, Any] = {
        "form": form,
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": two_factor.secret_for_typing(device),
        "next": _next_url(request),
        "has_errors": bool(form.errors),
    }
    return render(request, "accounts/set_up_two_factor.html", context)


class SignOutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        if was_signed_in:
            auditor.record(request.user, "accounts.sign_out")
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            # Added after the session is flushed, so it travels in the message cookie to the
            # sign-in page, which is where signing out leads.
            messages.success(request, "You have signed out")
        return response
