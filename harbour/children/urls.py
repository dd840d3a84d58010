from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/subject-access/", views.subject_access_view, name="subject_access"),
    path("<int:pk>/access-list/", views.access_list_view, name="child_access_list"),
]
