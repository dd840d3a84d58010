from django.db import models
from django.db.models import Q

from harbour.children.models import Child
from harbour.common.models import Record


class MeetingKind(models.TextChoices):
    MISSING_MAM = "MISSING_MAM", "Multi-agency missing meeting"
    STRATEGY = "STRATEGY", "Exploitation strategy meeting"


class Trigger(models.TextChoices):
    LONG_MISSING = "LONG_MISSING", "Missing more than 72 hours"
    REPEAT_MISSING = "REPEAT_MISSING", "Third episode within 90 days"
    PROFESSIONAL_JUDGEMENT = "PROFESSIONAL_JUDGEMENT", "Professional judgement"


class StrategyConcern(models.TextChoices):
    CSE = "CSE", "Child sexual exploitation"
    CCE = "CCE", "Child criminal exploitation"


class Meeting(Record):
    meeting_id = models.CharField(max_length=64, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=11, choices=MeetingKind)
    trigger = models.CharField(max_length=22, choices=Trigger, blank=True)
    concern = models.CharField(max_length=3, choices=StrategyConcern, blank=True)
    requested_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["requested_on"], name="meeting_requested_on"),
            models.Index(fields=["held_on"], name="meeting_held_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_code"
            ),
            models.CheckConstraint(
                condition=Q(trigger="")
                | Q(kind=MeetingKind.MISSING_MAM, trigger__in=Trigger.values),
                name="meeting_trigger_for_missing_meetings_only",
            ),
            models.CheckConstraint(
                condition=Q(concern="")
                | Q(kind=MeetingKind.STRATEGY, concern__in=StrategyConcern.values),
                name="meeting_concern_for_strategy_meetings_only",
            ),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | Q(held_on__gte=models.F("requested_on")),
                name="meeting_held_not_before_requested",
            ),
        ]

    def __str__(self) -> str:
        return self.meeting_id
