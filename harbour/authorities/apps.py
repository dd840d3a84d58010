from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "harbour.authorities"
    label = "authorities"
    verbose_name = "Other local authorities"
