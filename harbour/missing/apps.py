from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "harbour.missing"
    label = "missing"
