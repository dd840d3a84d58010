from django.urls import path

from . import staff_views

urlpatterns = [
    path("staff/api-tokens/", staff_views.token_list, name="api_tokens"),
    path("staff/api-tokens/<int:pk>/revoke/", staff_views.token_revoke, name="api_token_revoke"),
    path("episodes/from-partners/", staff_views.held_list, name="api_held"),
]
