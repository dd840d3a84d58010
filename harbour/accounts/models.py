from django.conf import settings
from django.db import models
from django.db.models import Q

from harbour.common.constraints import FieldRuleConstraints
from harbour.common.models import Record


class Role(models.TextChoices):
    """What a member of staff does; a user may hold several (docs/roles.md)."""

    COORDINATOR = "COORDINATOR", "Missing coordinator"
    RHI_WORKER = "RHI_WORKER", "Return interview worker"
    SOCIAL_WORKER = "SOCIAL_WORKER", "Social worker"
    EXPLOITATION_LEAD = "EXPLOITATION_LEAD", "Exploitation lead or panel member"
    ANALYST = "ANALYST", "Analyst"
    AUDITOR = "AUDITOR", "Auditor"
    ADMINISTRATOR = "ADMINISTRATOR", "Administrator"


# The roles that open children's records (docs/roles.md).
CASEWORK_ROLES = frozenset(
    {Role.COORDINATOR, Role.RHI_WORKER, Role.SOCIAL_WORKER, Role.EXPLOITATION_LEAD}
)
# The roles that take two administrators to grant, and whose holders' passwords and second
# factors take two administrators to reset (GrantRequest; docs/roles.md, "Four eyes"): the
# casework roles, and Administrator, whose holder could approve the others.
GUARDED_ROLES = CASEWORK_ROLES | {Role.ADMINISTRATOR}


class RoleAssignment(Record):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=17, choices=Role)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_key"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_code"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class StaffProfile(Record):
    """What Harbour keeps about a member of staff beyond Django's user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    organisation = models.CharField(
        max_length=200,
        blank=True,
        help_text="For return interview workers: the provider they work for.",
    )
    # Raised by "sign out everywhere": sessions signed in under an older number end.
    session_generation = models.PositiveIntegerField(default=0)
    # Who last held the means to sign in as this account, and when (docs/roles.md, "Four
    # eyes"): the administrator given its set-password link (on creation, as a fresh link
    # or a password reset) and the one who reset its two factors. If that administrator
    # asks for casework access for the account, the approver is warned and must confirm
    # who uses it. Empty when done from the command line or before this was recorded.
    password_link_issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    password_link_issued_at = models.DateTimeField(null=True, blank=True)
    two_factor_reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    two_factor_reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class FailedSignIn(models.Model):
    """One failed attempt, kept briefly to decide lock-outs and slow-downs (not an audit
    record: those are in the audit trail)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"


class Lockout(models.Model):
    """Signing in refused for an account until a set time, or until an administrator
    unlocks it. Addresses are only slowed down now (harbour/accounts/lockout.py): rows of
    kind ADDRESS are from before that, and refuse no one."""

    class Kind(models.TextChoices):
        ACCOUNT = "ACCOUNT", "Account"
        ADDRESS = "ADDRESS", "Address"

    kind = models.CharField(max_length=7, choices=Kind)
    key = models.CharField(max_length=150, help_text="The username or the IP address.")
    locked_at = models.DateTimeField()
    until = models.DateTimeField()
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "until"], name="lockout_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} until {self.until:%Y-%m-%d %H:%M}"


class GrantRequest(FieldRuleConstraints, models.Model):
    """Something one administrator asks for and a second approves: a guarded role (a
    casework role or Administrator), a place on a child's access list, or, for someone
    holding a guarded role, a new set-password link or a reset of their two factors. It
    takes effect only when an administrator who is neither the one who asked nor the one
    it is for approves it (harbour/accounts/services.py; docs/roles.md, "Four eyes")."""

    class Kind(models.TextChoices):
        ROLE = "ROLE", "A role"
        PLACE = "PLACE", "A place on an access list"
        PASSWORD = "PASSWORD", "A new set-password link"
        TWO_FACTOR = "TWO_FACTOR", "A reset of two factors"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting for a second administrator"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grant_requests"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    # The role for kind ROLE; the child, whose access list it is, for kind PLACE.
    role = models.CharField(max_length=17, choices=Role, blank=True)
    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ROLE") & Q(role__in=Role.values) & Q(child__isnull=True))
                | (Q(kind="PLACE") & Q(role="") & Q(child__isnull=False))
                | (Q(kind__in=["PASSWORD", "TWO_FACTOR"]) & Q(role="") & Q(child__isnull=True)),
                name="grant_request_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["PENDING", "APPROVED", "REJECTED"]),
                name="grant_request_status",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="PENDING") & Q(decided_by__isnull=True) & Q(decided_at__isnull=True)
                )
                | (
                    ~Q(status="PENDING") & Q(decided_by__isnull=False) & Q(decided_at__isnull=False)
                ),
                name="grant_request_decision",
            ),
            # Four eyes, kept by the database too: no one asks for themselves, the person
            # it is for decides nothing, and the one who asked does not approve.
            models.CheckConstraint(
                condition=~Q(requested_by=models.F("user")), name="grant_request_not_for_self"
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("user")), name="grant_request_not_by_grantee"
            ),
            models.CheckConstraint(
                condition=~Q(status="APPROVED") | ~Q(decided_by=models.F("requested_by")),
                name="grant_request_second_administrator",
            ),
            # One waiting request for each role, each kind of reset and each access list.
            models.UniqueConstraint(
                fields=["user", "kind", "role"],
                condition=Q(status="PENDING", child__isnull=True),
                name="grant_request_one_pending",
            ),
            models.UniqueConstraint(
                fields=["user", "child"],
                condition=Q(status="PENDING", child__isnull=False),
                name="grant_request_one_pending_place",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="grant_request_waiting")]

    def __str__(self) -> str:
        return f"{self.what()} for {self.user} ({self.get_status_display().lower()})"

    def what(self) -> str:
        """What is asked for, in words ("the role Missing coordinator")."""
        if self.kind == self.Kind.ROLE:
            what = f"the role {Role(self.role).label}"
            # Their organisation decides which children a return interview worker sees, so
            # the approver is told it (and it cannot change while they hold the role).
            organisation = getattr(getattr(self.user, "staff_profile", None), "organisation", "")
            if self.role == Role.RHI_WORKER and organisation:
                what += f", for {organisation}"
            return what
        if self.kind == self.Kind.PLACE:
            assert self.child is not None  # a request for a place names its child (constraint)
            return f"a place on the access list of person id {self.child.child_id}"
        return self.get_kind_display().lower()
