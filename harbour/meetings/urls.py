"""Multi-agency missing meetings, under /meetings/ (harbour/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.meetings_list, name="meetings_list"),
    path("tasks/<int:pk>/", views.task_detail, name="meetings_task"),
    path("tasks/<int:pk>/close/", views.task_close, name="meetings_task_close"),
    path("<int:pk>/", views.meeting_detail, name="meetings_meeting"),
    path("<int:pk>/schedule/", views.meeting_schedule, name="meetings_meeting_schedule"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meetings_meeting_cancel"),
]
