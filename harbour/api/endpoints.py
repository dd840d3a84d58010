"""The API's operations under /api/v1/ (docs/api.md). Thin: each checks its scope, then
calls harbour/api/services.py. Errors become problem details (harbour/api/main.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from harbour.children.models import Child

from . import services
from .models import ApiToken, Scope
from .schemas import (
    EpisodeOut,
    FoundIn,
    NotificationIn,
    NotificationOut,
    PersonId,
    Problem,
    Reference,
    ReportMissingIn,
    ReturnedIn,
)

router = Router()

# Every operation may answer these, as problem details.
ERRORS: dict[int, type] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    422: Problem,
    429: Problem,
}


class OutOfScope(Exception):
    """The token may not call this endpoint, or not about this child (403)."""


def _token(request: HttpRequest, scope: str) -> ApiToken:
    token = request.auth  # type: ignore[attr-defined]
    assert isinstance(token, ApiToken)  # the API's auth sets it (harbour/api/main.py)
    if not token.allows(scope):
        raise OutOfScope(f"This token may not use this endpoint (it needs the {scope} scope)")
    return token


def _child(token: ApiToken, child_id: str) -> Child:
    child = services.child_in_scope(token, child_id)
    if child is None:
        raise OutOfScope("This token's scope does not include that child")
    return child


def once_more_if_raced(call: Callable[[], services.Outcome]) -> services.Outcome:
    """Two calls with the same police reference at once: the second's insert breaks the
    reference's unique rule and rolls back; asked again, it finds the first's record and
    answers as a repeat (200), never a server error or a duplicate."""
    try:
        return call()
    except IntegrityError:
        return call()


def _out(outcome: services.Outcome, created_status: int) -> Status:
    body = NotificationOut(
        police_reference=outcome.reference,
        status="recorded" if outcome.status == "recorded" else "held",
        open=outcome.open,
    )
    return Status(created_status if outcome.created else 200, body)


@router.post(
    "/notifications",
    response={200: NotificationOut, 201: NotificationOut, 202: NotificationOut, **ERRORS},
    url_name="notifications",
    summary="Send a police notification",
    tags=["police"],
)
def post_notification(request: HttpRequest, payload: NotificationIn) -> Status:
    """Recorded on the child (201) when the person id is one on the register and nothing
    given disagrees with it; otherwise held for a coordinator to match (202). The same
    police reference again answers 200 with the notification as it stands."""
    token = _token(request, Scope.NOTIFICATIONS)
    outcome = once_more_if_raced(lambda: services.receive_notification(token, payload))
    return _out(outcome, 201 if outcome.status == "recorded" else 202)


@router.post(
    "/notifications/{reference}/found",
    response={200: NotificationOut, **ERRORS},
    url_name="notification_found",
    summary="The child of a notification was found or returned",
    tags=["police"],
)
def post_found(request: HttpRequest, reference: Path[Reference], payload: FoundIn) -> Status:
    token = _token(request, Scope.NOTIFICATIONS)
    outcome = services.notification_found(
        token, reference, payload.found_at, payload.found_location
    )
    return _out(outcome, 200)


@router.post(
    "/children/{child_id}/missing",
    response={200: NotificationOut, 201: NotificationOut, **ERRORS},
    url_name="child_missing",
    summary="A home or partner reports a child missing or absent",
    tags=["homes and partners"],
)
def post_child_missing(
    request: HttpRequest, child_id: Path[PersonId], payload: ReportMissingIn
) -> Status:
    token = _token(request, Scope.REPORTS)
    child = _child(token, child_id)
    outcome = once_more_if_raced(lambda: services.report_missing(token, child, payload))
    return _out(outcome, 201)


@router.post(
    "/children/{child_id}/returned",
    response={200: NotificationOut, **ERRORS},
    url_name="child_returned",
    summary="A home or partner reports a child returned",
    tags=["homes and partners"],
)
def post_child_returned(
    request: HttpRequest, child_id: Path[PersonId], payload: ReturnedIn
) -> Status:
    token = _token(request, Scope.REPORTS)
    outcome = services.report_returned(
        token, _child(token, child_id), payload.returned_at, payload.found_location
    )
    return _out(outcome, 200)


@router.get(
    "/children/{child_id}/episodes",
    response={200: list[EpisodeOut], **ERRORS},
    url_name="child_episodes",
    summary="A child's episodes and their return interviews",
    tags=["integrations"],
)
def get_child_episodes(
    request: HttpRequest,
    child_id: Path[PersonId],
    open: bool | None = Query(None, description="true: open episodes only; false: closed only"),
) -> Status:
    token = _token(request, Scope.READ)
    return Status(200, services.episodes_of(_child(token, child_id), open))
