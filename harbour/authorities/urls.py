"""Other local authorities, under /authorities/ (harbour/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.authority_list, name="authority_list"),
    path("add/", views.authority_add, name="authority_add"),
    path("<int:pk>/", views.authority_edit, name="authority_edit"),
    path("ola/", views.ola_list, name="ola_list"),
    path("ola/<int:pk>/", views.ola_log, name="ola_log"),
]
