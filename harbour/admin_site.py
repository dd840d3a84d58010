"""The Django admin site: a temporary operational interface, for superusers only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class HarbourAdminSite(admin.AdminSite):
    site_header = "Harbour administration"
    site_title = "Harbour administration"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class HarbourAdminConfig(AdminConfig):
    default_site = "harbour.admin_site.HarbourAdminSite"
