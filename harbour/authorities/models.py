"""Other local authorities: their contact details (reference data), and the log of
notifications to the authority that placed a child here (docs/casework.md, "Other local
authorities")."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from harbour.common.constraints import FieldRuleConstraints
from harbour.common.models import Record
from harbour.missing.models import Episode


class LocalAuthority(Record):
    """An English local authority, by its DfE three-digit number (the number in
    LegalStatus.responsible_la), with who to contact there about missing children."""

    code = models.CharField(
        "DfE number",
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", "Enter the authority's three-digit DfE number")],
    )
    name = models.CharField(max_length=200)
    team = models.CharField("missing children contact team", max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True, db_default=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["name", "code"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Kind(models.TextChoices):
    """What an entry in the log records."""

    MISSING = "MISSING", "Told the child is missing"
    FOUND = "FOUND", "Told the child has been found"
    INTERVIEW_REQUESTED = "INTERVIEW_REQUESTED", "Asked to arrange the return interview"
    CHASER = "CHASER", "Chaser sent"
    RESPONSE = "RESPONSE", "Response received"
    ESCALATED = "ESCALATED", "Escalated"


# Kinds that are notifications this authority sends (notify_placing_authority).
NOTIFICATIONS = (Kind.MISSING, Kind.FOUND, Kind.INTERVIEW_REQUESTED)


class Method(models.TextChoices):
    EMAIL = "EMAIL", "Email"
    SECURE_EMAIL = "SECURE_EMAIL", "Secure email"
    PHONE = "PHONE", "Phone"
    LETTER = "LETTER", "Letter"


class Response(models.TextChoices):
    """What the placing authority said."""

    ARRANGED = "ARRANGED", "They are arranging the return interview"
    COMPLETED = "COMPLETED", "They have held the return interview"
    ASKED_US = "ASKED_US", "They asked this authority to hold the interview"
    DECLINED = "DECLINED", "They declined to arrange an interview"
    OTHER = "OTHER", "Other (see the note)"


class OlaLog(models.Model):
    """The notification log of one episode of a child placed here by another authority.

    Holds the log's version (raised by every entry, so that a form loaded before someone
    else's entry is refused) and, as stored derived facts of its entries, the latest instant
    of each kind as epoch seconds: the chaser and escalation statuses are integer
    arithmetic on them in SQL (harbour/authorities/queries.py)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="ola_log")
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    notified_epoch = models.BigIntegerField(null=True, editable=False)
    request_epoch = models.BigIntegerField(null=True, editable=False)
    chaser_epoch = models.BigIntegerField(null=True, editable=False)
    escalated_epoch = models.BigIntegerField(null=True, editable=False)
    response_epoch = models.BigIntegerField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["request_epoch"],
                condition=Q(request_epoch__isnull=False),
                name="ola_log_requested",
            ),
        ]

    def __str__(self) -> str:
        return f"OLA log of episode {self.episode_id}"


class OlaNotification(FieldRuleConstraints, models.Model):
    """One entry in an episode's OLA log: a notification sent, a chaser, an escalation or
    a response received."""

    log = models.ForeignKey(OlaLog, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=19, choices=Kind)
    occurred_at = models.DateTimeField("when")
    occurred_epoch = models.BigIntegerField(editable=False)
    method = models.CharField(max_length=12, choices=Method)
    response = models.CharField(max_length=9, choices=Response, blank=True)
    note = models.TextField(blank=True, default="", db_default="")
    # The placing authority (DfE number) when the entry was recorded.
    authority_code = models.CharField(max_length=3)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_name = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_epoch", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="ola_kind_code"),
            models.CheckConstraint(condition=Q(method__in=Method.values), name="ola_method_code"),
            models.CheckConstraint(
                condition=(Q(kind=Kind.RESPONSE) & Q(response__in=Response.values))
                | (~Q(kind=Kind.RESPONSE) & Q(response="")),
                name="ola_response_for_responses_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.log.episode_id})"
