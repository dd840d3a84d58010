from django.urls import path

from . import views, views_areas

urlpatterns = [
    path("quarterly/", views.quarterly, name="quarterly"),
    path("annual/", views.annual, name="annual"),
    path("exploitation/", views.exploitation, name="exploitation_report"),
    path("definitions/", views.definitions, name="report_definitions"),
    path("records/", views.figure_records_page, name="report_figure_records"),
    # Before the downloads' pattern, which would otherwise take areas.csv.
    path("areas/", views_areas.areas, name="report_areas"),
    path("areas.csv", views_areas.areas_csv, name="report_areas_csv"),
    path("<str:kind>.<str:extension>", views.download, name="report_download"),
]
