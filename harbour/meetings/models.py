from django.conf import settings
from django.db import models
from django.db.models import Q

from harbour.children.models import Child
from harbour.common.codes import stored_codes
from harbour.common.constraints import FieldRuleConstraints
from harbour.common.models import Record
from harbour.missing.models import Episode


class MeetingKind(models.TextChoices):
    MISSING_MAM = "MISSING_MAM", "Multi-agency missing meeting"
    STRATEGY = "STRATEGY", "Exploitation strategy meeting"


class Trigger(models.TextChoices):
    LONG_MISSING = "LONG_MISSING", "Missing more than 72 hours"
    REPEAT_MISSING = "REPEAT_MISSING", "Third episode within 90 days"
    PROFESSIONAL_JUDGEMENT = "PROFESSIONAL_JUDGEMENT", "Professional judgement"


class Agency(models.TextChoices):
    """The agencies at a meeting (stored as `;CODE;CODE;`, harbour.common.codes)."""

    POLICE = "POLICE", "Police"
    SOCIAL_CARE = "SOCIAL_CARE", "Social care"
    HEALTH = "HEALTH", "Health"
    EDUCATION = "EDUCATION", "Education"
    YOUTH_JUSTICE = "YOUTH_JUSTICE", "Youth justice"
    VOLUNTARY = "VOLUNTARY", "Voluntary sector"
    OTHER = "OTHER", "Other"


class StrategyConcern(models.TextChoices):
    CSE = "CSE", "Child sexual exploitation"
    CCE = "CCE", "Child criminal exploitation"


class StrategyFormat(models.TextChoices):
    DISCUSSION = "DISCUSSION", "Strategy discussion"
    MEETING = "MEETING", "Strategy meeting"


class StrategyOutcome(models.TextChoices):
    S47_ENQUIRY = "S47_ENQUIRY", "Section 47 enquiries"
    ICPC = "ICPC", "Initial child protection conference"
    CIN_PLAN = "CIN_PLAN", "Child in need plan"
    REFER_PANEL = "REFER_PANEL", "Refer to panel"
    NRM = "NRM", "Refer to the National Referral Mechanism"
    DISRUPTION = "DISRUPTION", "Disruption"
    FURTHER_STRATEGY = "FURTHER_STRATEGY", "Further strategy meeting"
    CLOSE = "CLOSE", "Close"


class Meeting(Record):
    meeting_id = models.CharField(max_length=64, unique=True)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=11, choices=MeetingKind)
    trigger = models.CharField(max_length=22, choices=Trigger, blank=True)
    concern = models.CharField(max_length=3, choices=StrategyConcern, blank=True)
    requested_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    # Agencies present, as ";POLICE;HEALTH;" (Agency codes).
    attendees = models.CharField(
        "attendees' agencies", max_length=200, blank=True, default="", db_default=""
    )
    outcome = models.TextField(blank=True, default="", db_default="")
    # Scheduling (services.schedule_meeting): when and where, who chairs, who is invited.
    scheduled_at = models.DateTimeField("date and time", null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True, default="", db_default="")
    chair = models.CharField(max_length=200, blank=True, default="", db_default="")
    invitees = models.TextField(blank=True, default="", db_default="")
    # The minutes and the people who attended (the agencies are in `attendees`). Free text
    # about the child: stored here, sealed in the audit trail like every personal value.
    minutes = models.TextField(blank=True, default="", db_default="")
    attended_by = models.TextField("people attending", blank=True, default="", db_default="")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True, default="", db_default="")
    # STRATEGY only (shared/spec/exploitation.md §1.3): discussion or meeting, the s47
    # decision, the outcomes (`;CODE;`, StrategyOutcome), the next review, and the initial
    # child protection conference due 15 working days after a discussion that starts s47
    # enquiries (derived when it is held, harbour/exploitation/workdays.py).
    format = models.CharField(
        max_length=10, choices=StrategyFormat, blank=True, default="", db_default=""
    )
    s47 = models.BooleanField("section 47 enquiries", null=True, blank=True)
    outcomes = models.CharField(max_length=200, blank=True, default="", db_default="")
    next_review_on = models.DateField(null=True, blank=True)
    icpc_due_on = models.DateField("initial child protection conference due", null=True, blank=True)
    # The rows of children discussed together point at the first child's meeting.
    linked_meeting = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="linked"
    )
    # Incremented by every change made through the meetings services, so that a form loaded
    # before someone else's change is refused rather than overwriting it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

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
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(held_on__isnull=True),
                name="meeting_not_both_held_and_cancelled",
            ),
            models.CheckConstraint(
                condition=Q(format="")
                | Q(kind=MeetingKind.STRATEGY, format__in=StrategyFormat.values),
                name="meeting_format_for_strategy_meetings_only",
            ),
            models.CheckConstraint(
                condition=Q(kind=MeetingKind.STRATEGY)
                | Q(
                    s47__isnull=True,
                    outcomes="",
                    next_review_on__isnull=True,
                    icpc_due_on__isnull=True,
                ),
                name="meeting_strategy_fields_for_strategy_meetings_only",
            ),
        ]

    def __str__(self) -> str:
        return self.meeting_id

    @property
    def attendee_codes(self) -> list[str]:
        return stored_codes(self.attendees)

    @property
    def outcome_codes(self) -> list[str]:
        return stored_codes(self.outcomes)

    @property
    def attendee_labels(self) -> list[str]:
        return [Agency(code).label for code in self.attendee_codes if code in Agency.values]


class AgreedAction(models.Model):
    """What every agreed action holds: what, who owns it (a person or an agency, and the
    member of staff when it is one of Harbour's users: "my actions"), when it is due and
    when it was done. Meetings' actions here; panels' in harbour/exploitation."""

    description = models.TextField()
    owner = models.CharField(max_length=200, help_text="A person or an agency.")
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        abstract = True
        ordering = ["pk"]


class MeetingAction(AgreedAction):
    """An action agreed at a meeting, with the person or agency who owns it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")

    class Meta(AgreedAction.Meta):
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="meeting_action_open"
            )
        ]

    def __str__(self) -> str:
        return f"Action {self.pk} of {self.meeting_id}"


class TaskTrigger(models.TextChoices):
    """The triggers that raise a meeting task automatically (a subset of Trigger)."""

    LONG_MISSING = Trigger.LONG_MISSING.value, "Missing more than 72 hours"
    REPEAT_MISSING = Trigger.REPEAT_MISSING.value, "Third missing episode within 90 days"


class TaskClosure(models.TextChoices):
    """Why a meeting task is no longer open."""

    HELD = "HELD", "Meeting held"
    NOT_NEEDED = "NOT_NEEDED", "Closed as not needed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn: the trigger no longer holds"


class MeetingTask(FieldRuleConstraints, models.Model):
    """The task "a multi-agency meeting is required" for a child, raised by triggers.py.

    Open (closed_at is null) until the meeting it is linked to is held, a coordinator closes
    it as not needed (with a reason), or the record changes so that its trigger no longer
    holds (withdrawn, triggers.py). A later trigger for the same child joins the open task
    (its episodes are added) instead of raising another.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="meeting_tasks")
    trigger = models.CharField(max_length=14, choices=TaskTrigger)
    # When the threshold was crossed (long: last seen + the limit; repeat: the start of the
    # episode that made the count), when the task was raised, and when the meeting is due.
    triggered_at = models.DateTimeField()
    raised_at = models.DateTimeField()
    due_on = models.DateField()
    episodes = models.ManyToManyField(Episode, through="TaskEpisode", related_name="meeting_tasks")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_because = models.CharField(
        max_length=10, choices=TaskClosure, blank=True, default="", db_default=""
    )
    # The coordinator's reason (not needed) or Harbour's (withdrawn).
    closed_reason = models.TextField(blank=True, default="", db_default="")
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(closed_at__isnull=True), name="meeting_task_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger__in=TaskTrigger.values), name="meeting_task_trigger_code"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_because="")
                | Q(closed_at__isnull=False, closed_because__in=TaskClosure.values),
                name="meeting_task_closed_with_a_reason_code",
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting task {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class TaskEpisode(models.Model):
    """An episode that raised (or joined) a task, and under which trigger. What makes the
    triggers idempotent: an episode already linked under a trigger does not raise it again."""

    task = models.ForeignKey(MeetingTask, on_delete=models.CASCADE, related_name="links")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="task_links")
    trigger = models.CharField(max_length=14, choices=TaskTrigger)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "episode", "trigger"], name="task_episode_trigger_key"
            ),
        ]
        indexes = [models.Index(fields=["episode", "trigger"], name="task_episode_by_episode")]

    def __str__(self) -> str:
        return f"{self.episode_id} in task {self.task_id}"
