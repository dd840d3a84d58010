from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/subject-access/", views.subject_access_view, name="subject_access"),
]
