from django.urls import path

from . import child_views, search_views, views

urlpatterns = [
    path("", search_views.children_list_view, name="children_list"),
    path("find/", search_views.find_child_view, name="child_find"),
    path("mine/", search_views.my_children_view, name="my_children"),
    path("<int:pk>/", child_views.child_view, name="child"),
    path("<int:pk>/print/", child_views.child_print_view, name="child_print"),
    path("<int:pk>/subject-access/", views.subject_access_view, name="subject_access"),
    path("<int:pk>/access-list/", views.access_list_view, name="child_access_list"),
]
