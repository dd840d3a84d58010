from django.urls import path

from . import edit_views, search_views, views

urlpatterns = [
    path("", search_views.children_list_view, name="children_list"),
    path("find/", search_views.find_child_view, name="child_find"),
    path("mine/", search_views.my_children_view, name="my_children"),
    path("<int:pk>/edit/", edit_views.edit_child_view, name="child_edit"),
    path("<int:pk>/legal-statuses/new/", edit_views.legal_status_view, name="legal_status_new"),
    path(
        "<int:pk>/legal-statuses/<int:status_pk>/",
        edit_views.legal_status_view,
        name="legal_status_edit",
    ),
    path("<int:pk>/subject-access/", views.subject_access_view, name="subject_access"),
    path("<int:pk>/access-list/", views.access_list_view, name="child_access_list"),
]
