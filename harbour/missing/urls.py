from django.urls import path

from . import views

urlpatterns = [
    path("", views.episode_list, name="episode_list"),
    path("new/", views.notification_new, name="notification_new"),
    path("<int:pk>/", views.episode_detail, name="episode_detail"),
    path("<int:pk>/found/", views.episode_found, name="episode_found"),
    path("<int:pk>/amend/", views.episode_amend, name="episode_amend"),
]
