from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "harbour.reports"
    label = "reports"
