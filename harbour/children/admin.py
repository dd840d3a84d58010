from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import Child, LegalStatus


@admin.register(Child)
class ChildAdmin(ServiceModelAdmin):
    child_path = ""
    save_service = staticmethod(services.save_child)
    delete_service = staticmethod(services.delete_child)
    list_display = ["child_id", "given_name", "family_name", "date_of_birth", "sex"]
    search_fields = ["child_id", "given_name", "family_name"]
    list_filter = ["sex"]
    # Restricting a record and its access list take two administrators and are audited
    # (services.set_restricted, grant_access): never through this form.
    exclude = ["access_list", "restricted"]


@admin.register(LegalStatus)
class LegalStatusAdmin(ServiceModelAdmin):
    child_path = "child"
    save_service = staticmethod(services.save_legal_status)
    delete_service = staticmethod(services.delete_legal_status)
    list_display = ["child", "status", "start_date", "end_date", "responsible_la", "placement"]
    list_filter = ["status", "placement"]
    search_fields = ["child__child_id"]
    raw_id_fields = ["child"]
