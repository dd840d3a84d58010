from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(ServiceModelAdmin):
    child_path = "child"
    save_service = staticmethod(services.save_meeting)
    delete_service = staticmethod(services.delete_meeting)
    list_display = ["meeting_id", "child", "kind", "trigger", "concern", "requested_on", "held_on"]
    list_filter = ["kind", "trigger", "concern"]
    search_fields = ["meeting_id", "child__child_id"]
    raw_id_fields = ["child"]
