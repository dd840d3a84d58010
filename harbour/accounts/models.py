from django.conf import settings
from django.db import models
from django.db.models import Q

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
