from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "harbour.api"
    label = "api"
    verbose_name = "API for partners"
