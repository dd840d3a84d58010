"""RFC 9457 problem details: the one shape of every error under /api/ (docs/api.md).

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "detail": "...", "instance": "/api/v1/..."}

`type` is "about:blank" (the status says it all, and `title` is its reason phrase) except
for the problems below, whose types are named in docs/api.md. A validation problem adds
`errors`: [{"field": "...", "message": "..."}].
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://harbour.invalid/api/problems/"
VALIDATION = TYPE_BASE + "validation"
OUT_OF_SCOPE = TYPE_BASE + "out-of-scope"
RATE_LIMITED = TYPE_BASE + "rate-limited"
CONFLICT = TYPE_BASE + "conflict"


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    type: str = "about:blank",
    title: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": type,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        # The path only: a query string may carry what the caller typed.
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_problem(response: Any) -> bool:
    return str(response.get("Content-Type", "")).startswith(MEDIA_TYPE)
