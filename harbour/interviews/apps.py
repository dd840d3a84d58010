from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "harbour.interviews"
    label = "interviews"
