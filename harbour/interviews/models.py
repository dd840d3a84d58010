from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from harbour.common.codes import stored_codes
from harbour.common.models import Record
from harbour.common.time import epoch_seconds
from harbour.missing.models import Episode


class Outcome(models.TextChoices):
    NOT_REQUIRED = "NOT_REQUIRED", "Not required"
    NOT_OFFERED = "NOT_OFFERED", "Not offered"
    NO_RESPONSE = "NO_RESPONSE", "Offered, no response"
    DECLINED = "DECLINED", "Declined"
    ACCEPTED = "ACCEPTED", "Accepted"


OFFERED_OUTCOMES = (Outcome.NO_RESPONSE, Outcome.DECLINED, Outcome.ACCEPTED)


class Method(models.TextChoices):
    FACE_TO_FACE = "FACE_TO_FACE", "Face to face"
    PHONE = "PHONE", "Phone"
    VIDEO = "VIDEO", "Video"
    APP = "APP", "App"
    OTHER = "OTHER", "Other"


class Reason(models.TextChoices):
    BOUNDARIES = "BOUNDARIES", "Boundaries"
    FAMILY_RELATIONSHIPS = "FAMILY_RELATIONSHIPS", "Family relationships"
    PLACEMENT = "PLACEMENT", "Placement"
    FRIENDS = "FRIENDS", "Friends"
    PARTNER = "PARTNER", "Partner"
    SEEING_FAMILY = "SEEING_FAMILY", "Seeing family"
    SCHOOL = "SCHOOL", "School"
    SUBSTANCES = "SUBSTANCES", "Substances"
    MENTAL_HEALTH = "MENTAL_HEALTH", "Mental health"
    EXPLOITATION = "EXPLOITATION", "Exploitation"
    OTHER = "OTHER", "Other"


class Risk(models.TextChoices):
    CSE = "CSE", "Child sexual exploitation"
    CCE = "CCE", "Child criminal exploitation"
    RISKY_ADULTS = "RISKY_ADULTS", "Risky adults"
    OFFENDING = "OFFENDING", "Offending"
    SUBSTANCES = "SUBSTANCES", "Substances"
    SELF_HARM = "SELF_HARM", "Self-harm"
    TRAFFICKING = "TRAFFICKING", "Trafficking"
    ONLINE = "ONLINE", "Online"
    RADICALISATION = "RADICALISATION", "Radicalisation"
    OTHER = "OTHER", "Other"


class ReturnInterview(Record):
    """The return home interview for an episode. An interview that covers several
    episodes is recorded under each of them."""

    episode = models.OneToOneField(
        Episode, on_delete=models.CASCADE, related_name="return_interview"
    )
    outcome = models.CharField(max_length=12, choices=Outcome)
    offered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=Method, blank=True)
    provider = models.CharField(max_length=200, blank=True)
    child_engaged = models.BooleanField(null=True, blank=True)
    advice_given = models.BooleanField(null=True, blank=True)
    # Code lists stored as ";CODE;CODE;" (see harbour.common.codes).
    reasons = models.CharField(max_length=300, blank=True)
    risks = models.CharField(max_length=300, blank=True)
    # Recorded on the casework screens (the interchange file does not carry them). The
    # child's own account is personal data: its audit values are sealed like every value
    # of a child's record (harbour/common/services.py).
    not_required_reason = models.TextField(
        "why an interview is not required", blank=True, default="", db_default=""
    )
    child_account = models.TextField(
        "the child's own account", blank=True, default="", db_default=""
    )
    onward_actions = models.TextField(blank=True, default="", db_default="")
    # Raised by each save through the services: a form carries the number it was loaded
    # with, and a save from a stale form is refused (harbour/interviews/services.py).
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    # Stored derived fact: the completion instant as epoch seconds.
    completed_epoch = models.BigIntegerField(null=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="interview_outcome_code"
            ),
            models.CheckConstraint(
                condition=Q(method="") | Q(method__in=Method.values), name="interview_method_code"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=OFFERED_OUTCOMES, offered_at__isnull=False)
                | (~Q(outcome__in=OFFERED_OUTCOMES) & Q(offered_at__isnull=True)),
                name="interview_offered_iff_offered_outcome",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(outcome=Outcome.ACCEPTED),
                name="interview_completed_only_when_accepted",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True)
                | Q(completed_at__gte=models.F("offered_at")),
                name="interview_completed_not_before_offered",
            ),
        ]

    def __str__(self) -> str:
        return f"Return interview for {self.episode_id}"

    @property
    def reason_codes(self) -> list[str]:
        return stored_codes(self.reasons)

    @property
    def risk_codes(self) -> list[str]:
        return stored_codes(self.risks)

    def clean(self) -> None:
        if not self.episode_id:
            return
        ended_at = self.episode.ended_at
        if ended_at is None and self.outcome not in (Outcome.NOT_REQUIRED, Outcome.NOT_OFFERED):
            raise ValidationError(
                {"outcome": "The episode has not ended: record the return first."}
            )
        if ended_at is not None and self.offered_at is not None and self.offered_at < ended_at:
            raise ValidationError({"offered_at": "Must not be before the child returned."})

    @classmethod
    def derive_columns(cls, columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        return {"completed_epoch": list(map(epoch_seconds, columns["completed_at"]))}


class Allocation(Record):
    """Who is to hold an episode's return interview: a worker, a provider organisation, or
    both. Return interview workers see the children allocated to them or to their
    organisation (StaffProfile.organisation)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="allocation")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interview_allocations",
    )
    organisation = models.CharField(max_length=200, blank=True)
    allocated_at = models.DateTimeField()
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["organisation"], name="allocation_organisation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(worker__isnull=False) | ~Q(organisation=""),
                name="allocation_to_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Allocation of {self.episode_id}"
