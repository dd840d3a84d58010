from django.urls import path

from . import views

urlpatterns = [
    path("quarterly/", views.quarterly, name="quarterly"),
    path("annual/", views.annual, name="annual"),
    path("exploitation/", views.exploitation, name="exploitation_report"),
    path("definitions/", views.definitions, name="report_definitions"),
    path("records/", views.figure_records_page, name="report_figure_records"),
    path("<str:kind>.<str:extension>", views.download, name="report_download"),
]
