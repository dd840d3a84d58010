from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import Episode, PoliceForce


@admin.register(Episode)
class EpisodeAdmin(ServiceModelAdmin):
    child_path = "child"
    save_service = staticmethod(services.save_episode)
    delete_service = staticmethod(services.delete_episode)
    list_display = ["episode_id", "child", "category", "started_at", "ended_at", "risk_level"]
    list_filter = ["category", "risk_level"]
    search_fields = ["episode_id", "child__child_id"]
    date_hierarchy = "started_at"
    raw_id_fields = ["child"]


@admin.register(PoliceForce)
class PoliceForceAdmin(ServiceModelAdmin):
    """The forces that send extracts: a force not in the list cannot upload one. Saved
    through the audited save_record; its column mapping is kept on the upload pages."""

    list_display = ["name", "code"]
    search_fields = ["name", "code"]
