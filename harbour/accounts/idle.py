"""The idle timeout, written at most once a minute.

A signed-in session ends HARBOUR_IDLE_MINUTES (SESSION_COOKIE_AGE) after it was last
written. Django's SESSION_SAVE_EVERY_REQUEST would write it, and commit, on every request;
under load that is a database write and a disk flush per page (docs/performance.md, "Load").
Instead the session is written when at least REFRESH_SECONDS have passed since its last
write. A session therefore ends between HARBOUR_IDLE_MINUTES minus REFRESH_SECONDS and
HARBOUR_IDLE_MINUTES after its last request: never later.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

REFRESH_SECONDS = 60
WRITTEN_AT = "harbour_idle_written_at"


class IdleTimeoutMiddleware:
    """Marks a signed-in session for writing when its last write is a minute old or more.

    Goes right after SessionMiddleware, so that its answer is seen before the session is
    saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a signed-in session: a visitor's empty session is never created here, and a
        # session ended by signing out stays ended.
        if session is not None and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            if session.modified or now - session.get(WRITTEN_AT, 0) >= REFRESH_SECONDS:
                session[WRITTEN_AT] = now  # marks it modified: saved with a new expiry
        return response
