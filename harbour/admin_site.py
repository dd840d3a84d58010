"""The Django admin site: a temporary operational interface, for superusers only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class HarbourAdminSite(admin.AdminSite):
    site_header = "Harbour administration"
    site_title = "Harbour administration"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        """Everyone signs in through Harbour's own sign-in (with its second factor)."""
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.GET.get("next", "/admin/"), reverse("sign_in"))


class HarbourAdminConfig(AdminConfig):
    default_site = "harbour.admin_site.HarbourAdminSite"
