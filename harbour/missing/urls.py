from django.urls import path

from . import views
from .upload import views as upload_views

urlpatterns = [
    path("", views.episode_list, name="episode_list"),
    path("new/", views.notification_new, name="notification_new"),
    path("upload/", upload_views.upload, name="police_upload"),
    path("upload/recorded/", upload_views.done, name="police_upload_done"),
    path("upload/<int:pk>/", upload_views.preview, name="police_upload_preview"),
    path("upload/<int:pk>/mapping/", upload_views.mapping, name="police_upload_mapping"),
    path("upload/<int:pk>/discard/", upload_views.discard, name="police_upload_discard"),
    path("<int:pk>/", views.episode_detail, name="episode_detail"),
    path("<int:pk>/found/", views.episode_found, name="episode_found"),
    path("<int:pk>/amend/", views.episode_amend, name="episode_amend"),
]
