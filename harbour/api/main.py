"""The API object: /api/v1/ (docs/api.md).

- Authentication: `Authorization: Bearer <secret>` only. No session cookie is read, so a
  signed-in member of staff's browser can do nothing here by being signed in, and no
  cross-site request can act with their session (no CSRF exposure).
- Rate limit: HARBOUR_API_CALLS_PER_MINUTE calls per token per clock minute, counted in
  the database (ApiCallCount) so that every process counts the same calls; past it, 429
  with Retry-After.
- Every error is RFC 9457 problem details (harbour/api/problems.py), including ones
  django-ninja raises itself (401, 404, 405, 422) and any unexpected one (500, without
  the exception's words).
- The OpenAPI document (/api/v1/openapi.json) and the interactive docs (/api/v1/docs) are
  for signed-in administrators and coordinators (`api.view_docs`); the document is also
  given to any valid token, so that a partner's developers can read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from harbour.accounts.permissions import allowed
from harbour.common.services import Conflict
from harbour.common.time import epoch_seconds

from . import problems, tokens
from .endpoints import OutOfScope, router
from .models import ApiCallCount, ApiToken
from .services import NotFound

logger = logging.getLogger(__name__)

DOCS_PERMISSION = "api.view_docs"


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


def throttle(token: ApiToken) -> None:
    """Count the call against the token's minute; RateLimited past the limit.

    The count's row is locked by the increment until the transaction ends, so calls made
    at once through several processes are counted one after another, none lost."""
    now = epoch_seconds(timezone.now())
    assert now is not None
    minute = now // 60
    with transaction.atomic():
        counted = ApiCallCount.objects.filter(token=token, minute=minute)
        if not counted.update(calls=F("calls") + 1):
            try:
                with transaction.atomic():
                    ApiCallCount.objects.create(token=token, minute=minute, calls=1)
            except IntegrityError:  # another process began the minute first
                counted.update(calls=F("calls") + 1)
            ApiCallCount.objects.filter(token=token, minute__lt=minute).delete()
        calls = counted.values_list("calls", flat=True).get()
    if calls > settings.HARBOUR_API_CALLS_PER_MINUTE:
        raise RateLimited(retry_after=60 - now % 60)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(token)
        if found is None:
            return None
        # Kept for the call's audit event, whatever the call's outcome.
        request.harbour_api_token = found  # type: ignore[attr-defined]
        throttle(found)
        return found


class HarbourSwagger(Swagger):
    def get_openapi_url(self, api: NinjaAPI, path_params: dict[str, Any]) -> str:
        return reverse("api_v1_openapi", kwargs=path_params)


class HarbourApi(NinjaAPI):
    """The API's addresses are named api_v1_<name> with no URL namespace (harbour/api/urls.py),
    like every other page's, so the project's tests that walk every address by name reach
    them; django-ninja's two lookups by its namespace are answered here instead."""

    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse("api_v1_root", kwargs=path_params)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The document says what the API sends: errors as application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
                    if int(status) == 401:
                        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
                    if int(status) == 429:
                        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
        return schema


def docs_for_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs and the document: administrators and coordinators signed in (their session;
    these pages only read), and the document for any valid token too."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if allowed(request.user, DOCS_PERMISSION):
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        is_document = request.path.endswith("openapi.json")
        bearer = header[:7].lower() == "bearer "
        if is_document and bearer and tokens.authenticate(header[7:]) is not None:
            return view(request, *args, **kwargs)
        if request.user.is_authenticated:
            return problems.problem(request, 403, "The API's documentation is for staff.")
        if is_document:
            return problems.problem(
                request,
                401,
                "Send a token (Authorization: Bearer ...) or sign in.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return redirect_to_login(request.get_full_path())

    return checked


api = HarbourApi(
    title="Harbour API",
    version="1",
    description="Police notifications, homes' and partners' reports, and read access "
    "for integrations (docs/api.md). Errors are RFC 9457 problem details.",
    urls_namespace="api_v1",
    docs=HarbourSwagger(),
    auth=TokenAuth(),
    docs_decorator=docs_for_staff,
)
api.add_router("/", router)


def _field(location: Any) -> str:
    parts = [str(part) for part in location if part not in ("body", "payload", "path", "query")]
    return ".".join(parts) or "body"


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field(error.get("loc", ())), "message": str(error.get("msg", "is not valid"))}
        for error in exc.errors
    ]
    return problems.problem(
        request,
        422,
        "The request could not be read: see errors.",
        type=problems.VALIDATION,
        title="Validation failed",
        errors=errors,
    )


@api.exception_handler(DjangoValidationError)
def _refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if isinstance(exc, Conflict):
        errors = [{"field": "", "message": str(exc)}]
    elif hasattr(exc, "error_dict"):
        errors = [
            {"field": name, "message": " ".join(messages)}
            for name, messages in exc.message_dict.items()
        ]
    else:
        errors = [{"field": "", "message": message} for message in exc.messages]
    return problems.problem(
        request,
        422,
        "The register refused this: see errors.",
        type=problems.VALIDATION,
        title="Validation failed",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problems.problem(
        request,
        401,
        "Send a valid token: Authorization: Bearer <secret>. A token that is unknown, "
        "revoked or expired is refused.",
        headers={"WWW-Authenticate": 'Bearer realm="harbour"'},
    )


@api.exception_handler(OutOfScope)
def _out_of_scope(request: HttpRequest, exc: OutOfScope) -> HttpResponse:
    return problems.problem(
        request, 403, str(exc), type=problems.OUT_OF_SCOPE, title="Outside the token's scope"
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return problems.problem(
        request,
        429,
        f"More than {settings.HARBOUR_API_CALLS_PER_MINUTE} calls in a minute with this token.",
        type=problems.RATE_LIMITED,
        title="Too many requests",
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problems.problem(request, 404, str(exc))


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problems.problem(request, 404, "There is nothing here.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problems.problem(request, exc.status_code, str(exc))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged by type and place only (harbour/security.py keeps exception messages out of
    # the log); the caller is told nothing of it.
    logger.error("API call failed: %s", type(exc).__name__, exc_info=exc)
    return problems.problem(request, 500, "Something went wrong. Try again later.")
