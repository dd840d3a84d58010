"""The pages that span the domain apps. The dashboard is the home page (harbour/views.py)."""

from django.urls import path

from . import child_page

urlpatterns = [
    path("children/<int:pk>/", child_page.child_view, name="child"),
    path("children/<int:pk>/print/", child_page.child_print_view, name="child_print"),
]
