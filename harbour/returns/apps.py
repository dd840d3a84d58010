from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "harbour.returns"
    label = "returns"
