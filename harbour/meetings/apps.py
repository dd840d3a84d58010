from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "harbour.meetings"
    label = "meetings"
