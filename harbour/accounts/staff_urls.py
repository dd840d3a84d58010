"""Staff pages, under /staff/ (harbour/urls.py). All for administrators (permission
accounts.manage_users) except the two set-password pages, reached by a one-time link."""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("add/", views.staff_add, name="staff_add"),
    path("<int:user_pk>/", views.staff_detail, name="staff_detail"),
    path("<int:user_pk>/roles/", views.staff_roles, name="staff_roles"),
    path("<int:user_pk>/organisation/", views.staff_organisation, name="staff_organisation"),
    path("<int:user_pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("<int:user_pk>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path(
        "<int:user_pk>/sign-out-everywhere/",
        views.staff_sign_out_everywhere,
        name="staff_sign_out_everywhere",
    ),
    path(
        "<int:user_pk>/reset-two-factor/",
        views.staff_reset_two_factor,
        name="staff_reset_two_factor",
    ),
    path("<int:user_pk>/unlock/", views.staff_unlock, name="staff_unlock"),
    path(
        "<int:user_pk>/set-password-link/",
        views.staff_set_password_link,
        name="staff_set_password_link",
    ),
    path(
        "<int:user_pk>/reset-password/",
        views.staff_reset_password,
        name="staff_reset_password",
    ),
    path("requests/", views.staff_requests, name="staff_requests"),
    path("requests/<int:pk>/approve/", views.staff_request_approve, name="staff_request_approve"),
    path("requests/<int:pk>/reject/", views.staff_request_reject, name="staff_request_reject"),
    path("lockouts/<int:pk>/unlock/", views.lockout_unlock, name="staff_lockout_unlock"),
    path("set-password/done/", views.set_password_done, name="staff_set_password_done"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="staff_set_password",
    ),
]
