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
    path("audit/", include("harbour.audit.urls")),
    path("children/", include("harbour.children.urls")),
    path("", include("harbour.casework.urls")),
    # The partners' API (docs/api.md): its token and held-notification pages, and /api/.
    path("", include("harbour.api.staff_urls")),
    path("api/", include("harbour.api.urls")),
    path("staff/", include("harbour.accounts.staff_urls")),
    path("meetings/", include("harbour.meetings.urls")),
    path("exploitation/", include("harbour.exploitation.urls")),
    path("episodes/", include("harbour.missing.urls")),
    path("interviews/", include("harbour.interviews.urls")),
    path("authorities/", include("harbour.authorities.urls")),
    path("returns/", include("harbour.returns.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]

# Error pages that never echo the address, its parameters or the exception (harbour/security.py).
handler400 = "harbour.security.bad_request"
handler403 = "harbour.security.permission_denied"
handler404 = "harbour.security.page_not_found"
handler500 = "harbour.security.server_error"
