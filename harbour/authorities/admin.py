from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import LocalAuthority


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ServiceModelAdmin):
    save_service = staticmethod(services.save_authority)
    delete_service = staticmethod(services.delete_authority)
    list_display = ["code", "name", "team", "email", "phone", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]
