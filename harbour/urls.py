from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from harbour import views


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
