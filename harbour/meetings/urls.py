"""Multi-agency missing meetings, under /meetings/ (harbour/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.meetings_list, name="meetings_list"),
    path("tasks/<int:pk>/", views.task_detail, name="meetings_task"),
    path("<int:pk>/", views.meeting_detail, name="meetings_meeting"),
]
