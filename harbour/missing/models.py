from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from harbour.children.models import Child
from harbour.common.models import Record
from harbour.common.time import epoch_seconds, local_date, ymd

from .queries import EpisodeQuerySet


class Category(models.TextChoices):
    MISSING = "MISSING", "Missing"
    ABSENT = "ABSENT", "Absent"


class RiskLevel(models.TextChoices):
    NO_APPARENT_RISK = "NO_APPARENT_RISK", "No apparent risk"
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"


class Group(models.TextChoices):
    """Who a child was, for social care, when an episode started (first match wins)."""

    OLA = "OLA", "Looked after by another authority"
    LAC = "LAC", "Looked after"
    CP = "CP", "Child protection plan"
    CIN = "CIN", "Child in need"
    NONE = "NONE", "Not known to social care"


class Episode(Record):
    """One police missing or absent notification (or several merged into one episode)."""

    episode_id = models.CharField(
        "police reference", max_length=64, unique=True, help_text="The primary police reference."
    )
    # Indexed by episode_child_started_on, which leads with the child.
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="episodes", db_index=False
    )
    category = models.CharField(max_length=7, choices=Category)
    started_at = models.DateTimeField("last seen")
    reported_at = models.DateTimeField("reported to police", null=True, blank=True)
    notified_at = models.DateTimeField("notification received", null=True, blank=True)
    ended_at = models.DateTimeField("found or returned", null=True, blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel, blank=True)
    found_location = models.CharField(max_length=200, blank=True)
    # Recorded from a return that holds dates only (the DfE's SSDA903, returns/ssda903):
    # started_at and ended_at are local midnight of those dates, not times anyone saw.
    # A database default too: the interchange importer writes only its files' columns.
    date_only = models.BooleanField(
        "dates only",
        default=False,
        db_default=False,
        help_text="Started and ended at local midnight of dates from a return; no times known.",
    )

    # Stored derived facts, each depending only on this row (set by refresh_derived):
    # the Europe/London date the episode started, as a date and as YYYYMMDD, and every
    # instant as epoch seconds so that elapsed time is integer subtraction in SQL.
    started_on = models.DateField(editable=False)
    started_ymd = models.IntegerField(editable=False)
    started_epoch = models.BigIntegerField(editable=False)
    reported_epoch = models.BigIntegerField(null=True, editable=False)
    notified_epoch = models.BigIntegerField(null=True, editable=False)
    ended_epoch = models.BigIntegerField(null=True, editable=False)

    # Incremented by every change made through the casework services, so that a form
    # loaded before someone else's change is refused rather than overwriting it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        indexes = [
            # Led by the start date for every date range; the other columns let the
            # dashboard's 90-day aggregates (children missing most, places found) and the
            # reports' "each child's latest episode" window (by start instant) be read from
            # the index alone, without a row lookup per episode (docs/performance.md).
            models.Index(
                fields=["started_on", "category", "child", "found_location", "started_epoch"],
                name="episode_started_on_place",
            ),
            models.Index(fields=["child", "started_on"], name="episode_child_started_on"),
            # Led by ended_at although every entry's is NULL: SQLite, which keeps no
            # statistics here, then finds open episodes by seeking `ended_at IS NULL`
            # rather than scanning a million-entry index that also holds ended_at (40 ms
            # a query at 1,000,000 episodes; docs/performance.md).
            models.Index(
                fields=["ended_at", "started_on"],
                condition=Q(ended_at__isnull=True),
                name="episode_open",
            ),
            # Return interviews due (found + 72 hours) on the dashboard and the worklist,
            # earliest first, without sorting every ended episode; with what the "placed by
            # another authority" and "ended" tests read, so that counting them needs no
            # row lookup per episode.
            models.Index(
                fields=["ended_epoch", "id", "ended_at", "child", "started_on"],
                name="episode_ended_epoch",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="episode_category_code"
            ),
            models.CheckConstraint(
                condition=Q(risk_level="") | Q(risk_level__in=RiskLevel.values),
                name="episode_risk_level_code",
            ),
            # A date-only episode is as its return gave it, even ending before it starts:
            # the DfE's rule 567 lists it on the data quality worklist until it is amended
            # (the casework forms refuse such an end).
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gte=models.F("started_at"))
                | Q(date_only=True),
                name="episode_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=models.F("started_at")),
                name="episode_reported_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(notified_at__isnull=True) | Q(notified_at__gte=models.F("started_at")),
                name="episode_notified_not_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.episode_id

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def clean(self) -> None:
        errors = {}
        now = timezone.now()
        for name in ("started_at", "reported_at", "notified_at", "ended_at"):
            value = getattr(self, name)
            if value is not None and value > now:
                errors[name] = "Must not be in the future."
        if (
            self.child_id
            and self.started_at
            and local_date(self.started_at) < (self.child.date_of_birth)
        ):
            errors["started_at"] = "Must not be before the child's date of birth."
        # The constraint lets a date-only episode end before it starts, as its return gave
        # it; any change made here must put that right.
        if self.started_at and self.ended_at and self.ended_at < self.started_at:
            errors["ended_at"] = "Must not be before the child was last seen."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def derive_columns(cls, columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        started_on = list(map(local_date, columns["started_at"]))
        return {
            "started_on": started_on,
            "started_ymd": list(map(ymd, started_on)),
            **{
                f"{instant}_epoch": list(map(epoch_seconds, columns[f"{instant}_at"]))
                for instant in ("started", "reported", "notified", "ended")
            },
        }


class NotificationReference(models.Model):
    """Every police reference received for an episode: its first (also kept as the
    episode's `episode_id`) and each repeat notification merged into it."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="references")
    reference = models.CharField("police reference", max_length=64, unique=True)
    received_at = models.DateTimeField("notification received")

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return self.reference


# Police CSV extracts (harbour/missing/upload/, docs/casework.md).


class PoliceForce(Record):
    """A police force that sends missing notifications (reference data)."""

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField("short code", max_length=16, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ColumnMapping(models.Model):
    """How one force's CSV extract is read: which header supplies each notification field,
    which cell values mean missing or absent and each risk grade, and the date formats.

    `columns` is {field: header} for the fields in upload.mappings.FIELDS;
    `category_values` and `risk_values` are {code: [values as the force writes them]}.
    Saved only through upload.mappings.save_mapping (audited); `version` refuses a form
    loaded before someone else's change."""

    force = models.OneToOneField(PoliceForce, on_delete=models.CASCADE, related_name="mapping")
    columns = models.JSONField(default=dict)
    category_values = models.JSONField(default=dict)
    risk_values = models.JSONField(default=dict)
    datetime_format = models.CharField(max_length=40, default="%d/%m/%Y %H:%M")
    date_format = models.CharField(max_length=40, default="%d/%m/%Y")
    time_format = models.CharField(max_length=40, default="%H:%M")
    version = models.PositiveIntegerField(default=1, db_default=1)
    updated_at = models.DateTimeField()
    # Empty when the mapping was saved from the command line.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Column mapping for {self.force}"


class PoliceUpload(models.Model):
    """A police extract held between its preview and its confirmation: the file exactly as
    uploaded, seen only by the person who uploaded it. Deleted when it is recorded, and
    after UPLOAD_HOURS (upload.files.purge_expired) whether recorded or not."""

    force = models.ForeignKey(PoliceForce, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["uploaded_at"], name="police_upload_uploaded_at")]

    def __str__(self) -> str:
        return f"Police upload {self.pk}"
