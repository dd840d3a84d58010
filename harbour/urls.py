from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from harbour import views


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", views.home, name="home"),
    path("", include("harbour.accounts.urls")),
    path("reports/", include("harbour.reports.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
