"""What the API reads and writes (pydantic, through django-ninja): the OpenAPI document is
made from these."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field

from harbour.common.text import refused_character

EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)


def _accepted_text(value: str) -> str:
    refused = refused_character(value)
    if refused is not None:
        raise ValueError(f"holds a character that is not accepted ({refused})")
    return value.strip()


def _past_instant(value: dt.datetime) -> dt.datetime:
    if not EARLIEST <= value <= timezone.now():
        raise ValueError("must be a time in the past, after 1900")
    return value.astimezone(dt.UTC)


def _past_date(value: dt.date) -> dt.date:
    if not EARLIEST.date() <= value <= timezone.localdate():
        raise ValueError("must be a date in the past, after 1900")
    return value


Reference = Annotated[
    str,
    Field(min_length=1, max_length=64, description="The police reference."),
    AfterValidator(_accepted_text),
]
PersonId = Annotated[
    str,
    Field(min_length=1, max_length=64, description="The child's person id."),
    AfterValidator(_accepted_text),
]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_accepted_text)]
Place = Annotated[str, Field(max_length=200), AfterValidator(_accepted_text)]
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_past_instant),
    Field(description="An instant with its offset (ISO 8601), e.g. 2026-03-01T21:30:00Z."),
]
PastDate = Annotated[dt.date, AfterValidator(_past_date)]
CategoryCode = Literal["MISSING", "ABSENT"]
RiskCode = Literal["NO_APPARENT_RISK", "LOW", "MEDIUM", "HIGH"]


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, str]] | None = None


class NotificationIn(Schema):
    """A police notification: the fields of the notification form and the police file."""

    police_reference: Reference
    category: CategoryCode
    last_seen_at: Instant
    reported_at: Instant | None = None
    risk_level: RiskCode | None = None
    given_name: Name
    family_name: Name
    date_of_birth: PastDate | None = None
    child_id: Annotated[str, Field(max_length=64), AfterValidator(_accepted_text)] = ""
    found_at: Instant | None = None
    found_location: Place = ""


class NotificationOut(Schema):
    police_reference: str
    # recorded: on a child's episode; held: waiting for a coordinator to match it.
    status: Literal["recorded", "held"]
    open: bool


class FoundIn(Schema):
    found_at: Instant
    found_location: Place = ""


class ReportMissingIn(Schema):
    """A home or partner reports a child in its token's scope missing or absent."""

    police_reference: Reference
    category: CategoryCode
    last_seen_at: Instant
    reported_at: Instant | None = None
    risk_level: RiskCode | None = None


class ReturnedIn(Schema):
    returned_at: Instant
    found_location: Place = ""


class EpisodeOut(Schema):
    police_reference: str
    category: CategoryCode
    last_seen_at: dt.datetime
    reported_at: dt.datetime | None
    found_at: dt.datetime | None
    open: bool
    risk_level: str
    # Where the return interview stands (the worklist's status), for a closed episode.
    return_interview_status: str | None
    return_interview_due_at: dt.datetime | None
