from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import ReturnInterview


@admin.register(ReturnInterview)
class ReturnInterviewAdmin(ServiceModelAdmin):
    child_path = "episode__child"
    save_service = staticmethod(services.save_return_interview)
    delete_service = staticmethod(services.delete_return_interview)
    list_display = ["episode", "outcome", "offered_at", "completed_at", "method"]
    list_filter = ["outcome", "method"]
    search_fields = ["episode__episode_id", "episode__child__child_id"]
    raw_id_fields = ["episode"]
