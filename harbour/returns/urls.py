from django.urls import path

from . import views

urlpatterns = [
    path("data-quality/", views.data_quality, name="data_quality"),
]
