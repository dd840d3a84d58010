"""The Django admin site: a temporary operational interface, for superusers only.

It has no pages for accounts, groups or second factors. Those are changed only on the staff
pages (/staff/, harbour/accounts/staff_views.py), through the audited services of
harbour/accounts/services.py, and no page shows anyone's authenticator key: a superuser
could otherwise read a user's key or set their password here and sign in as them, with the
trail showing only that user's events (docs/security.md).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse

from harbour.security import render_error

# Apps none of whose models the admin may offer, whichever app asks to register them
# (django-otp's plugins register their device admins themselves).
ACCOUNT_APPS = frozenset(
    {
        "auth",
        "accounts",
        "sessions",
        "django_otp",
        "otp_totp",
        "otp_static",
        settings.AUTH_USER_MODEL.split(".")[0],
    }
)


class HarbourAdminSite(admin.AdminSite):
    site_header = "Harbour administration"
    site_title = "Harbour administration"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def admin_view(self, view: Callable[..., HttpResponseBase], cacheable: bool = False) -> Any:
        """Refuses a signed-in user who is not a superuser with 403. Django would send them to
        the admin's sign-in, which sends them to Harbour's, which returns a signed-in user to
        /admin/: a loop the browser gives up on."""
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def refuse_signed_in_non_superusers(
            request: HttpRequest, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            if self.is_signed_in_without_permission(request) and not self.is_logout(request):
                return render_error("403_admin.html", 403)
            return guarded(request, *args, **kwargs)

        return refuse_signed_in_non_superusers

    def is_signed_in_without_permission(self, request: HttpRequest) -> bool:
        return request.user.is_authenticated and not self.has_permission(request)

    def is_logout(self, request: HttpRequest) -> bool:
        return request.path == reverse("admin:logout", current_app=self.name)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Registers the models given, except those of ACCOUNT_APPS, which are left out."""
        models = [model_or_iterable] if isinstance(model_or_iterable, type) else model_or_iterable
        allowed = [model for model in models if not is_account_model(model)]
        if allowed:
            super().register(allowed, admin_class, **options)

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """Everyone signs in through Harbour's own sign-in (with its second factor). Someone
        already signed in who is not a superuser would only be sent back here: refuse them."""
        from django.contrib.auth.views import redirect_to_login

        if self.is_signed_in_without_permission(request):
            return render_error("403_admin.html", 403)

        return redirect_to_login(request.GET.get("next", "/admin/"), reverse("sign_in"))

    # django-stubs says Django's own returns a TemplateResponse, but it returns whatever the
    # password change view does: a redirect once the password is changed.
    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponseBase:
        """The superuser's own password, changed through the audited service."""
        from django.contrib.auth.views import PasswordChangeView

        from harbour.accounts.staff_forms import AuditedPasswordChangeForm

        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=AuditedPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)


def is_account_model(model: type[Model]) -> bool:
    return model._meta.app_label in ACCOUNT_APPS


class HarbourAdminConfig(AdminConfig):
    default_site = "harbour.admin_site.HarbourAdminSite"
