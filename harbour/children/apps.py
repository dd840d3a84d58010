from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "harbour.children"
    label = "children"
