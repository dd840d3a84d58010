"""Harbour's URLs and error handlers, plus views that fail on purpose (for the tests)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from harbour import urls as harbour_urls
from harbour.security import CspNonce

# Text that must never reach a page or a log: it stands for personal data in an exception.
PERSONAL_DATA = "Zoe Quartermaine born 2011-04-05"


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(f"could not save {PERSONAL_DATA} (name={request.GET.get('name')})")


def fail_with_cause(request: HttpRequest) -> HttpResponse:
    try:
        raise ValueError(f"bad date for {PERSONAL_DATA}")
    except ValueError as error:
        raise RuntimeError(f"import failed for {PERSONAL_DATA}") from error


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(PERSONAL_DATA)


def not_found(request: HttpRequest) -> HttpResponse:
    raise Http404(PERSONAL_DATA)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a test of the 400 page")


def nonce(request: HttpRequest) -> HttpResponse:
    # Set by SecurityHeadersMiddleware, read as harbour.security reads it (HttpRequest does
    # not declare it).
    csp_nonce: CspNonce | None = getattr(request, "csp_nonce", None)
    return HttpResponse(f'<script nonce="{csp_nonce}" src="/static/x.js"></script>')


urlpatterns = [
    path("test-fail/", fail),
    path("test-fail-with-cause/", fail_with_cause),
    path("test-refuse/", refuse),
    path("test-not-found/", not_found),
    path("test-suspicious/", suspicious),
    path("test-nonce/", nonce),
    *harbour_urls.urlpatterns,
]

handler400 = harbour_urls.handler400
handler403 = harbour_urls.handler403
handler404 = harbour_urls.handler404
handler500 = harbour_urls.handler500
