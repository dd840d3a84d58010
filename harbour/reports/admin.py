from django.contrib import admin

from harbour.common.admin import ServiceModelAdmin

from . import services
from .models import ChildPopulation, ComparatorRate


@admin.register(ChildPopulation)
class ChildPopulationAdmin(ServiceModelAdmin):
    save_service = staticmethod(services.save_child_population)
    delete_service = staticmethod(services.delete_child_population)
    list_display = ["financial_year", "population"]


@admin.register(ComparatorRate)
class ComparatorRateAdmin(ServiceModelAdmin):
    save_service = staticmethod(services.save_comparator_rate)
    delete_service = staticmethod(services.delete_comparator_rate)
    list_display = ["financial_year", "area", "episodes_per_10k", "individuals_per_10k"]
    list_filter = ["area"]
