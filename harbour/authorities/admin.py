from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import LocalAuthority


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ServiceModelAdmin):
    save_service = services.save_authority
    delete_service = services.delete_authority
    list_display = ["code", "name", "team", "email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
