from django.urls import path

from . import views

urlpatterns = [
    path("", views.trail, name="audit_trail"),
    path("child/<int:child_pk>/", views.child_trail, name="audit_child"),
    path("user/<int:user_pk>/", views.user_trail, name="audit_user"),
    path("export.csv", views.export_csv, name="audit_export"),
]
