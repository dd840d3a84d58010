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
