"""The partners' API (docs/api.md): its tokens and the notifications it holds for review.

A token's secret is shown once, when it is issued; only its SHA-256 hash is stored, beside
a short public prefix by which a call's token is found. A token belongs to one
organisation and purpose, is scoped to endpoints (SCOPES) and, for the homes' and the
integrations' endpoints, to a list of children, and expires.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from harbour.common.models import Record
from harbour.missing.models import Category, RiskLevel


class Scope(models.TextChoices):
    """What a token may call (docs/api.md)."""

    NOTIFICATIONS = "notifications", "Police notifications (matched across the register)"
    REPORTS = "reports", "Report a child in the token's scope missing or returned"
    READ = "read", "Read the episodes and return interviews of children in the token's scope"


class ApiToken(Record):
    organisation = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200)
    # The public part of the secret, by which a call's token is found.
    prefix = models.CharField(max_length=16, unique=True)
    secret_sha256 = models.CharField("SHA-256 of the secret", max_length=64)
    # Scope codes (Scope), stored as ";code;code;" like the other multi-valued codes.
    scopes = models.CharField(max_length=100)
    # The children a home's or an integration's token may report on or read: internal ids
    # of children (the administrator names them by person id when issuing the token).
    children = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    # Never copied into the audit trail, even hashed.
    AUDIT_WITHHELD = ("secret_sha256",)

    class Meta:
        ordering = ["organisation", "purpose", "-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.purpose} ({self.prefix})"

    @property
    def scope_codes(self) -> list[str]:
        return [code for code in self.scopes.split(";") if code]

    def allows(self, scope: str) -> bool:
        return scope in self.scope_codes

    def is_active(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ApiCallCount(models.Model):
    """The calls a token made in one clock minute (epoch seconds // 60), for the rate limit.

    Counted in the database, not a per-process cache, so that every application process
    behind gunicorn counts the same calls. A token's earlier minutes are deleted when it
    starts a new one."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "minute"], name="api_call_count_minute")
        ]

    def __str__(self) -> str:
        return f"{self.calls} calls in minute {self.minute}"


class HeldNotification(Record):
    """A police notification received through the API that could not be matched to a child
    with certainty: held for a coordinator, who matches it on the notification form's own
    "choose the child" step (harbour/missing/views.py). It holds the child's details as the
    police sent them, so it is personal data; it is done when its police reference is
    recorded for an episode, and deleted then (services.purge_recorded)."""

    police_reference = models.CharField(max_length=64, unique=True)
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    category = models.CharField(max_length=7, choices=Category)
    started_at = models.DateTimeField("last seen")
    reported_at = models.DateTimeField(null=True, blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel, blank=True)
    given_name = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    child_id = models.CharField("person id", max_length=64, blank=True)
    ended_at = models.DateTimeField("found or returned", null=True, blank=True)
    found_location = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    # The child's details: personal, and about no child on the register yet (no key to seal
    # them with), so the trail says which fields changed, never their values.
    AUDIT_WITHHELD = (
        "police_reference",
        "given_name",
        "family_name",
        "date_of_birth",
        "child_id",
        "found_location",
        "started_at",
        "reported_at",
        "ended_at",
    )

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.police_reference
