"""/api/: version 1 (harbour/api/main.py), and problem details for everything else under
/api/ (an unknown address, a method an address does not take)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from . import problems, tokens
from .main import api
from .models import ApiToken


def audited(view: Callable[..., HttpResponse], name: str) -> Callable[..., HttpResponse]:
    """Every call made with a valid token writes one audit event (tokens.record_call), and
    an error django-ninja answers itself (405) is turned into problem details."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # django-ninja's page at /api/v1/ itself
            response = problems.problem(request, 404, "There is nothing at this address.")
        if response.status_code >= 400 and not problems.is_problem(response):
            headers = {"Allow": response["Allow"]} if response.has_header("Allow") else None
            response = problems.problem(
                request,
                response.status_code,
                "This address does not take that method."
                if response.status_code == 405
                else "The request could not be answered.",
                headers=headers,
            )
        token = getattr(request, "harbour_api_token", None)
        if isinstance(token, ApiToken):
            tokens.record_call(
                token, endpoint=name, method=request.method or "", status=response.status_code
            )
        return _logged_without_path(response, name, request.method or "")

    return wrapper


logger = logging.getLogger("harbour.api")

# django-ninja's names for its own addresses, and ours (each API address is api_v1_<name>).
OWN_NAMES = {
    "openapi-json": "api_v1_openapi",
    "openapi-view": "api_v1_docs",
    "api-root": "api_v1_root",
}


def _wrap(patterns: list[Any]) -> list[URLPattern | URLResolver]:
    """django-ninja's addresses, named without a namespace, each call audited (but the
    document and the docs, which are read by staff or with any token)."""
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        name = pattern.name or str(pattern.pattern)
        callback = pattern.callback
        if name not in ("openapi-json", "openapi-view"):
            callback = audited(callback, name)
        wrapped.append(
            URLPattern(
                pattern.pattern,
                callback,
                pattern.default_args,
                OWN_NAMES.get(name, f"api_v1_{name}"),
            )
        )
    return wrapped


def _logged_without_path(response: HttpResponse, name: str, method: str) -> HttpResponse:
    """An API address holds a person id or a police reference, which the server's log
    must not keep: an error is logged here by the endpoint's name, and Django's own line
    (which names the path) is skipped. The audit trail holds each call with its token."""
    if response.status_code >= 400:
        level = logging.ERROR if response.status_code >= 500 else logging.WARNING
        logger.log(level, "API %s %s answered %s", method, name, response.status_code)
        response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own mark
    return response


@csrf_exempt
def nothing_here(request: HttpRequest, rest: str = "") -> HttpResponse:
    response = problems.problem(request, 404, "There is nothing at this address.")
    return _logged_without_path(response, "unknown address", request.method or "")


_patterns, _app, _namespace = api.urls
urlpatterns = [
    path("v1/", include(_wrap(_patterns))),
    re_path(r"^(?P<rest>.*)$", nothing_here, name="api_not_found"),
]
