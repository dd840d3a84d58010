from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "harbour.interchange"
    label = "interchange"
