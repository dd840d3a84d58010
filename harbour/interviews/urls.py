from django.urls import path

from . import views

urlpatterns = [
    path("", views.worklist, name="interviews_worklist"),
    path("<int:pk>/allocate/", views.allocate, name="interviews_allocate"),
    path("<int:pk>/record/", views.record, name="interviews_record"),
]
