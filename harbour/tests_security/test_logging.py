"""Logs keep no personal data from requests: no query string, no body, no exception text."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client

from harbour.security import EXCEPTION_MESSAGE_WITHHELD, RedactPersonalData

from .urls import PERSONAL_DATA


@contextmanager
def log_output() -> Iterator[io.StringIO]:
    """What Harbour's configured log handlers write, while the block runs."""
    output = io.StringIO()
    redacting = {
        handler
        for name in ("", "django", "django.request", "django.server", "django.security")
        for handler in logging.getLogger(name).handlers
        if any(isinstance(f, RedactPersonalData) for f in handler.filters)
    }
    assert redacting, "LOGGING attaches RedactPersonalData to its handlers"
    # Each writes to a stream (the console), which is swapped for ours.
    handlers = [handler for handler in redacting if isinstance(handler, logging.StreamHandler)]
    assert len(handlers) == len(redacting), redacting
    previous = {handler: handler.setStream(output) for handler in handlers}
    try:
        yield output
    finally:
        for handler, stream in previous.items():
            handler.setStream(stream)


def runserver_handler(request_line: str) -> WSGIRequestHandler:
    """A development server request handler as it is once it has read `request_line`."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    # None: no request to attach to the log record. django-stubs types this attribute as a
    # WSGIRequest; for socketserver (and the log record Django makes of it) it is the socket.
    handler.request = None  # type: ignore[assignment]
    handler.client_address = ("127.0.0.1", 50000)
    handler.requestline = request_line
    return handler


@pytest.mark.django_db
def test_a_not_found_request_is_logged_without_its_query_string(client: Client) -> None:
    with log_output() as output:
        # An address that does not exist (/children/ itself is now the children list).
        client.get("/children/nowhere/?name=Zoe&dob=2011-04-05")
    text = output.getvalue()
    assert "Not Found: /children/nowhere/" in text
    assert "Zoe" not in text and "2011" not in text


def test_the_development_server_logs_request_lines_without_query_strings() -> None:
    with log_output() as output:
        runserver_handler("GET /children/?name=Zoe&dob=2011-04-05 HTTP/1.1").log_request(200, 51)
    text = output.getvalue()
    assert '"GET /children/?… HTTP/1.1" 200 51' in text
    assert "Zoe" not in text


def test_a_malformed_request_line_is_logged_without_its_query_string() -> None:
    # http.server quotes the bad request line in its message; it may even contain spaces.
    handler = runserver_handler("GET /children/?name=Zoe Quartermaine HTTP/1.1")
    with log_output() as output:
        handler.log_error(
            "code %d, message %s", 400, f"Bad request syntax ({handler.requestline!r})"
        )
    text = output.getvalue()
    assert "Bad request syntax ('GET /children/?… HTTP/1.1')" in text
    assert "Zoe" not in text and "Quartermaine" not in text


@pytest.mark.django_db
@pytest.mark.urls("harbour.tests_security.urls")
def test_a_server_error_is_logged_with_its_traceback_but_no_personal_data() -> None:
    client = Client(raise_request_exception=False)
    with log_output() as output:
        client.post("/test-fail/?name=Zoe", {"given_name": "Quartermaine"})
    text = output.getvalue()
    assert "Internal Server Error: /test-fail/" in text
    assert "Traceback (most recent call last):" in text
    assert 'harbour/tests_security/urls.py", line' in text
    assert f"RuntimeError: {EXCEPTION_MESSAGE_WITHHELD}" in text
    for personal in ("Zoe", "Quartermaine", "2011"):
        assert personal not in text


@pytest.mark.django_db
@pytest.mark.urls("harbour.tests_security.urls")
def test_every_exception_in_a_chain_is_withheld() -> None:
    client = Client(raise_request_exception=False)
    with log_output() as output:
        client.get("/test-fail-with-cause/")
    text = output.getvalue()
    assert f"ValueError: {EXCEPTION_MESSAGE_WITHHELD}" in text
    assert f"RuntimeError: {EXCEPTION_MESSAGE_WITHHELD}" in text
    assert PERSONAL_DATA not in text and "Zoe" not in text


def record_with_request() -> logging.LogRecord:
    try:
        raise ValueError(PERSONAL_DATA)
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        ("/x/",),
        exc_info,
    )
    record.request = object()  # Django attaches the whole request
    return record


def test_the_request_is_taken_off_the_record() -> None:
    record = record_with_request()
    assert RedactPersonalData().filter(record)
    assert not hasattr(record, "request")
    assert record.getMessage() == "Internal Server Error: /x/"


def test_with_debug_on_exception_messages_are_kept() -> None:
    record = record_with_request()
    RedactPersonalData(withhold_exception_messages=False).filter(record)
    assert PERSONAL_DATA in logging.Formatter().format(record)


def test_messages_of_harbour_s_own_loggers_keep_their_question_marks() -> None:
    record = logging.LogRecord(
        "harbour.interchange", logging.WARNING, __file__, 1, "Why? %s", ("x",), None
    )
    RedactPersonalData().filter(record)
    assert record.getMessage() == "Why? x"


def logging_config() -> dict[str, Any]:
    # The dictConfig dictionary of harbour/settings.py, whose nested values mypy infers as
    # object.
    return cast("dict[str, Any]", settings.LOGGING)


def test_logging_withholds_exception_messages_unless_debug() -> None:
    redact = logging_config()["filters"]["redact_personal_data"]
    assert redact["withhold_exception_messages"] is (not settings.DEBUG)


def test_nothing_is_emailed_with_the_request_attached() -> None:
    handlers = logging_config()["handlers"].values()
    assert not any("AdminEmailHandler" in handler["class"] for handler in handlers)
    assert "mail_admins" not in logging_config()["loggers"]["django"]["handlers"]


@pytest.mark.django_db
@pytest.mark.urls("harbour.tests_security.urls")
def test_a_refusal_is_logged_as_one_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO), log_output() as output:
        response = client.get("/test-refuse/?name=Zoe")
    assert response.status_code == 403
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /test-refuse/"
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and not record.exc_text
    assert output.getvalue() == "Forbidden (Permission denied): /test-refuse/\n"
    assert "Traceback" not in caplog.text and PERSONAL_DATA not in caplog.text


@pytest.mark.django_db
@pytest.mark.urls("harbour.tests_security.urls")
def test_a_server_error_still_has_its_traceback_in_the_captured_records(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO):
        client.get("/test-fail/")
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert "Traceback (most recent call last):" in logging.Formatter().format(record)
