from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from harbour.common.models import Record
from harbour.common.time import local_date, ymd

from .names import KEY_LENGTH, STORED_KEYS, stored_name_key_columns


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Unknown or not stated"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WOTH = "WOTH", "Any other White background"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


def _name_key_field() -> models.CharField:
    return models.CharField(max_length=KEY_LENGTH, editable=False, default="", db_default="")


class Child(Record):
    child_id = models.CharField(
        "person id", max_length=64, unique=True, help_text="The case-management system's id."
    )
    given_name = models.CharField(max_length=200, blank=True)
    family_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity, blank=True)

    # Stored derived fact (depends only on this row): date of birth as YYYYMMDD.
    birth_ymd = models.IntegerField(editable=False)
    # Stored derived facts: the names' keys (names.py), by which matching a police
    # notification (harbour/missing/matching.py) finds its candidates in the database.
    given_head = _name_key_field()
    given_tail = _name_key_field()
    given_gap = _name_key_field()
    given_first_word = _name_key_field()
    given_last_word = _name_key_field()
    family_head = _name_key_field()
    family_tail = _name_key_field()
    family_gap = _name_key_field()
    family_first_word = _name_key_field()
    family_last_word = _name_key_field()

    # A restricted record (a relative of staff, a high-profile case) is seen only by the
    # people on its access list; everyone else sees only that it exists.
    restricted = models.BooleanField(default=False, db_default=False)
    access_list = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="restricted_children_allowed"
    )

    # The social worker whose caseload ("My children") the child is on.
    allocated_social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="allocated_children",
    )
    # Database defaults too: the importer (harbour/interchange) writes children with the
    # columns of its files only.
    placement_address = models.TextField(blank=True, default="", db_default="")
    placement_postcode = models.CharField(max_length=8, blank=True, default="", db_default="")

    # Raised by every change made through the child's edit page: a form loaded before
    # someone else's change is refused (services.update_child) instead of undoing it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        verbose_name_plural = "children"
        # Finding a child (harbour/children/search.py) reads names by their lower-case
        # first letters and dates of birth by birth_ymd: indexed, so that a search reads
        # the few hundred children it may match, not all of them.
        indexes = [
            models.Index(Lower("family_name"), Lower("given_name"), name="child_family_given"),
            models.Index(Lower("given_name"), name="child_given"),
            # With the id, so that matching (harbour/missing/matching.py, candidate_ids)
            # reads the children born on a date from the index alone.
            models.Index(fields=["birth_ymd", "id"], name="child_birth_ymd_id"),
            # Matching: a person id in any case, and each name key with the id, so that
            # the children holding a key are read from its index alone (an index-only
            # scan on PostgreSQL once the table is vacuumed; SQLite's indexes hold the id).
            models.Index(Lower("child_id"), name="child_id_lower"),
            # Whether a child may be seen, and their name, by id: the dashboard's 90-day
            # aggregates join thousands of episodes to their children for that alone, and
            # PostgreSQL then reads this narrow index instead of every child's row.
            models.Index(
                fields=["id", "restricted", "family_name", "given_name"],
                name="child_visible_named",
            ),
            # The few restricted children, which `permissions.visible_to` keeps from those
            # not on their access list.
            models.Index(fields=["id"], condition=Q(restricted=True), name="child_restricted"),
            *(
                models.Index(fields=[f"{name}_{key}", "id"], name=f"child_{name}_{key}_id")
                for name in ("given", "family")
                for key in STORED_KEYS
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="child_sex_code"),
            models.CheckConstraint(
                condition=Q(ethnicity="") | Q(ethnicity__in=Ethnicity.values),
                name="child_ethnicity_code",
            ),
        ]

    def __str__(self) -> str:
        return self.child_id

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def clean(self) -> None:
        if self.date_of_birth and self.date_of_birth > local_date(timezone.now()):
            raise ValidationError({"date_of_birth": "Must not be in the future."})

    @classmethod
    def derive_columns(cls, columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        births = columns["date_of_birth"]
        nobody = [None] * len(births)
        return {
            "birth_ymd": list(map(ymd, births)),
            **stored_name_key_columns("given", columns.get("given_name", nobody)),
            **stored_name_key_columns("family", columns.get("family_name", nobody)),
        }


class LegalStatusKind(models.TextChoices):
    LAC = "LAC", "Looked after"
    CP = "CP", "Child protection plan"
    CIN = "CIN", "Child in need plan"


class Placement(models.TextChoices):
    FOSTER = "FOSTER", "Foster care"
    RESIDENTIAL = "RESIDENTIAL", "Residential"
    SUPPORTED = "SUPPORTED", "Supported accommodation"
    OTHER = "OTHER", "Other"


class LegalStatus(Record):
    """A period during which a child was looked after or on a plan.

    In force at an instant when the instant's Europe/London date lies in
    [start_date, end_date] (end inclusive; no end = still in force).
    """

    # Indexed by legal_status_key, which leads with the child.
    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="legal_statuses", db_index=False
    )
    status = models.CharField(max_length=3, choices=LegalStatusKind)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    responsible_la = models.CharField(
        "responsible authority",
        max_length=3,
        blank=True,
        help_text="Looked after only: the looking-after authority's DfE number. "
        "Empty or this authority's own number means this authority.",
    )
    placement = models.CharField(max_length=11, choices=Placement, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        verbose_name_plural = "legal statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["child", "status", "start_date"], name="legal_status_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LegalStatusKind.values), name="legal_status_code"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="legal_status_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(status=LegalStatusKind.LAC) | (Q(responsible_la="") & Q(placement="")),
                name="legal_status_lac_only_columns",
            ),
            models.CheckConstraint(
                condition=Q(placement="") | Q(placement__in=Placement.values),
                name="legal_status_placement_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} from {self.start_date}"

    def clean(self) -> None:
        if self.responsible_la and not (
            len(self.responsible_la) == 3 and self.responsible_la.isdigit()
        ):
            raise ValidationError(
                {"responsible_la": "Must be a three-digit DfE local authority number."}
            )
