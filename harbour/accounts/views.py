from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

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
    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: object) -> dict:
        return super().get_context_data(**kwargs) | {
            "settings_debug": settings.DEBUG,
            "two_factor_required": settings.HARBOUR_REQUIRE_TWO_FACTOR,
        }

    def form_valid(self, form: SignInForm) -> HttpResponse:
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
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
def two_factor_view(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_authenticator(user):
        return redirect("two_factor_set_up")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["code"])
        if device is not None:
            django_otp.login(request, device)
            used_recovery = device.name == "Recovery codes"
            auditor.record(
                user,
                "accounts.sign_in",
                details={"second_factor": True, "recovery_code": used_recovery},
            )
            return HttpResponseRedirect(_next_url(request))
        auditor.record(user, "accounts.sign_in_failed", details={"reason": "wrong code"})
        if lockout.record_failure(user.get_username(), client_address(request)):
            return _signed_out_for_lockout(request)
        form.add_error("code", "The code is not right: enter the code your app shows now")
    return render(
        request,
        "accounts/two_factor.html",
        {"form": form, "next": _next_url(request), "has_errors": bool(form.errors)},
    )


def _signed_out_for_lockout(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)
    return redirect("sign_in")


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
def set_up_view(request: HttpRequest) -> HttpResponse:
    """First sign-in: link an authenticator app, then show the recovery codes once."""
    user = request.user
    if two_factor.has_authenticator(user) and not user.is_verified():
        return redirect("two_factor")
    device = two_factor.pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = two_factor.confirm(user, device)
            django_otp.login(request, device)
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
        if request.user.is_authenticated:
            auditor.record(request.user, "accounts.sign_out")
        return super().post(request, *args, **kwargs)
