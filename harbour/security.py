"""Security headers, error pages and log redaction (docs/security.md).

- `SecurityHeadersMiddleware`: Content Security Policy, Permissions-Policy and
  `Cache-Control: no-store` on every response (Django's SecurityMiddleware, just before it,
  sets HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy; XFrameOptionsMiddleware
  sets X-Frame-Options).
- The error views (`handler400` … `handler500` in harbour/urls.py, and CSRF_FAILURE_VIEW):
  GOV.UK-style pages that never echo the address, its parameters or the exception.
- `RedactPersonalData`: a logging filter that keeps query strings, request bodies and
  (unless DEBUG) exception messages out of the logs; `RefusalsWithoutTraceback` logs a
  refused request (4xx) as one line.
- `client_address`: who is asking, believing X-Forwarded-For only from
  HARBOUR_TRUSTED_PROXIES (for sign-in protection).
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import re
import secrets
import traceback
from collections.abc import Callable
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

# --- Content Security Policy ----------------------------------------------------------------

# Harbour's pages have no inline script, no inline style and no style attribute: everything
# comes from harbour/static/. The Django admin (Django 5.2) is the same, so one policy covers
# every page (harbour/tests_security/test_admin_csp.py keeps it so).
CONTENT_SECURITY_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
    "base-uri": ("'none'",),
    "object-src": ("'none'",),
}

# Django's own debug pages (DEBUG only: the technical 404 and 500) are built with inline
# <style> and <script>. They are never shown with DEBUG off.
DEBUG_PAGE_RELAXATION: dict[str, tuple[str, ...]] = {
    "script-src": ("'unsafe-inline'",),
    "style-src": ("'unsafe-inline'",),
}

# Browser features no Harbour page uses. Only features Chromium and Firefox recognise are
# listed (an unknown one is a console error). WebAuthn and the clipboard stay available.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def format_policy(policy: dict[str, tuple[str, ...]]) -> str:
    return "; ".join(" ".join((directive, *sources)) for directive, sources in policy.items())


class CspNonce:
    """`request.csp_nonce`: a per-response nonce, made on first use.

    Only for what cannot be a static file: `<script nonce="{{ request.csp_nonce }}">`. When a
    template used it, the response's script-src and style-src allow that nonce; otherwise
    the policy has no nonce at all.
    """

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(18)
        return self._value

    __html__ = __str__  # only URL-safe characters: nothing to escape

    @property
    def used(self) -> bool:
        return self._value is not None


def policy_for(request: HttpRequest, response: HttpResponse) -> str:
    policy = dict(CONTENT_SECURITY_POLICY)
    nonce: CspNonce | None = getattr(request, "csp_nonce", None)
    if nonce is not None and nonce.used:
        for directive in ("script-src", "style-src"):
            policy[directive] = (*policy[directive], f"'nonce-{nonce}'")
    if settings.DEBUG and response.status_code in (404, 500):
        for directive, sources in DEBUG_PAGE_RELAXATION.items():
            policy[directive] = (*policy[directive], *sources)
    return format_policy(policy)


class SecurityHeadersMiddleware:
    """Content-Security-Policy, Permissions-Policy and Cache-Control on every response.

    Goes right after django.middleware.security.SecurityMiddleware in MIDDLEWARE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = CspNonce()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers["Content-Security-Policy"] = policy_for(request, response)
        response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
        if not is_static(request.path_info):
            # Pages and downloads show children's data: a shared computer must not keep them
            # (in its cache, or for the Back button after signing out).
            cache_control = response.headers.get("Cache-Control", "")
            if "no-store" not in cache_control:
                response.headers["Cache-Control"] = "no-store"
        return response


def is_static(path: str) -> bool:
    static_url = settings.STATIC_URL or ""
    prefix = static_url if static_url.startswith("/") else f"/{static_url}"
    return bool(static_url) and path.startswith(prefix)


# --- Error pages ----------------------------------------------------------------------------

# Error pages look at nothing in the request (not the address, not who is signed in), so
# they cannot echo personal data and still render when the database is down.
# (A stand-in, not django.contrib.auth's AnonymousUser: LOGGING imports this module before
# the apps are loaded.)
_NO_ONE = SimpleNamespace(
    user=SimpleNamespace(is_authenticated=False, is_anonymous=True, is_superuser=False)
)

_PLAIN_500 = (
    "Sorry, there is a problem with the service. Try again later.\n"
    "If you were changing a record, check whether the change was saved before you make it again.\n"
)


def render_error(template_name: str, status: int) -> HttpResponse:
    template = loader.get_template(f"errors/{template_name}", using="jinja2")
    content = template.render(
        {"request": _NO_ONE, "council_name": settings.COUNCIL_NAME, "navigation_items": []}
    )
    return HttpResponse(content, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error("403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render_error("500.html", 500)
    except Exception:
        # The page itself failed (a broken template or setting): the plain text still helps.
        logger.exception("The 500 page could not be rendered")
        return HttpResponse(_PLAIN_500, status=500, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually a form left open too long, or cookies blocked."""
    return render_error("403_csrf.html", 403)


# --- Logs -----------------------------------------------------------------------------------

# Loggers whose messages carry request lines or addresses.
REQUEST_LOGGERS = ("django.request", "django.server", "django.security")

# A query string: from "?" to the end of the request line's target (before " HTTP/1.1"),
# a quote or the end of the line. Spaces are included: a malformed request line may have them.
_QUERY_STRING = re.compile(r"\?(?:(?!\sHTTP/\d)[^'\"\n])*")
QUERY_REDACTED = "?…"

EXCEPTION_MESSAGE_WITHHELD = "(message withheld: it may contain personal data)"


def redact_query_strings(text: str) -> str:
    return _QUERY_STRING.sub(QUERY_REDACTED, text)


def redacted_traceback(exc: BaseException) -> str:
    """The traceback's frames and exception types, without any exception's message."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        if current.__cause__ is not None:
            current = current.__cause__
        elif current.__suppress_context__:
            current = None
        else:
            current = current.__context__
    parts: list[str] = []
    for index, item in enumerate(reversed(chain)):
        if index:
            parts.append("\nThen, while handling the exception above:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        kind = type(item)
        name = kind.__qualname__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        parts.append(f"{name}: {EXCEPTION_MESSAGE_WITHHELD}\n")
    return "".join(parts).rstrip("\n")


class RedactPersonalData(logging.Filter):
    """Keeps personal data that arrives with a request out of log records.

    - drops `record.request` (Django attaches the whole request, body included, to
      django.request records; a handler that serialised it would log the body);
    - replaces query strings in django.request/django.server/django.security messages with
      "?…" (runserver logs the request line, parameters and all);
    - with `withhold_exception_messages` (LOGGING turns it on unless DEBUG), keeps a
      traceback's frames but not the exception's message, which can quote a record.
    """

    def __init__(self, name: str = "", withhold_exception_messages: bool = True) -> None:
        super().__init__(name)
        self.withhold_exception_messages = withhold_exception_messages

    def filter(self, record: logging.LogRecord) -> bool:
        if not super().filter(record):
            return False
        record.__dict__.pop("request", None)
        if record.name.startswith(REQUEST_LOGGERS):
            message = record.getMessage()
            redacted = redact_query_strings(message)
            if redacted != message:
                record.msg, record.args = redacted, ()
        if self.withhold_exception_messages and record.exc_info and record.exc_info[1]:
            record.exc_text = redacted_traceback(record.exc_info[1])
            record.exc_info = None
        return True


class RefusalsWithoutTraceback(logging.Filter):
    """On the django.request logger: a request refused with a 4xx status (PermissionDenied's
    403, a malformed request's 400) is the visitor's doing, not a fault in Harbour, so it is
    logged as one line (the status's message and the path, never the query string) with no
    traceback. Server errors (5xx) keep theirs.

    A logger filter, not a handler filter, so that every handler sees the same one line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


# --- The client's address -------------------------------------------------------------------

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# More hops than any council's chain of proxies; a longer header is read only this far.
MOST_FORWARDED_HOPS = 20


def client_address(request: HttpRequest | None) -> str | None:
    """The address of whoever is making the request, as sign-in protection counts it.

    REMOTE_ADDR, unless that is one of HARBOUR_TRUSTED_PROXIES. Then X-Forwarded-For is read
    from the right (each proxy appends the address it received the request from), passing
    over trusted proxies, and the first address that is not one is the client. The client
    can write anything to the left of what the proxies append, so nothing further left is
    read; a hop that is not an address also ends the walk, at the nearest hop read so far,
    since no trusted proxy wrote it. Without trusted proxies the header is never read.
    None when the server gave no usable address.
    """
    if request is None:
        return None
    address = _parse_address(request.META.get("REMOTE_ADDR", ""))
    if address is None:
        return None
    trusted = _networks(tuple(settings.HARBOUR_TRUSTED_PROXIES))
    if _is_trusted(address, trusted):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops[-MOST_FORWARDED_HOPS:]):
            forwarded = _parse_address(hop)
            if forwarded is None:
                break
            address = forwarded
            if not _is_trusted(address, trusted):
                break
    return str(address)


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    # settings.py has already refused anything that is not an address or network.
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def _is_trusted(address: IPAddress, trusted: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in trusted)


def _parse_address(text: str) -> IPAddress | None:
    """An IPv4 or IPv6 address, with or without a port ("203.0.113.9:51234",
    "[2001:db8::7]:443"); IPv4 written as IPv6 ("::ffff:203.0.113.9") as IPv4, and with no
    IPv6 zone ("%eth0"). None for anything else."""
    text = text.strip()
    if text.startswith("["):
        host, bracket, port = text[1:].partition("]")
        if not bracket or (port and not (port[:1] == ":" and port[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return ipaddress.IPv6Address(int(address))
    return address
