from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from harbour.accounts.models import Role
from harbour.accounts.services import DEMO_ACTOR, create_staff_user, grant_demo_role, grant_role
from harbour.demo import exploitation

USERNAME = "admin"
PASSWORD = "harbour-demo-2026"  # noqa: S105 (a published demo password, DEBUG only)
ACTOR = DEMO_ACTOR

# One invented member of staff per role, so that a newcomer can see the service as each
# of its users sees it.
STAFF = [
    ("coordinator", "Casey", "Coordinator", Role.COORDINATOR),
    ("rhi-worker", "Robin", "Worker", Role.RHI_WORKER),
    ("social-worker", "Sam", "Social", Role.SOCIAL_WORKER),
    ("exploitation-lead", "Eden", "Lead", Role.EXPLOITATION_LEAD),
    ("analyst", "Alex", "Analyst", Role.ANALYST),
    ("auditor", "Ari", "Auditor", Role.AUDITOR),
]
# Return interviews allocated to the demo worker, who sees only allocated children.
ALLOCATED_TO_WORKER = 8


class Command(BaseCommand):
    help = (
        f"Create the demo superuser '{USERNAME}' and one demo user per role, all with the "
        "published demo password (development only: needs DEBUG on)."
    )

    def handle(self, *args: object, **options: object) -> None:
        # A password printed in the docs must never exist on a real deployment.
        if not settings.DEBUG:
            raise CommandError(
                "demo_users only runs with DEBUG on: a demo account with a published password "
                "must never exist on a real deployment."
            )
        users = get_user_model()._default_manager
        with transaction.atomic():
            admin = users.filter(username=USERNAME).first()
            if admin is None:
                admin = users.create_superuser(username=USERNAME, email="", password=PASSWORD)
            if not admin.role_assignments.filter(role=Role.ADMINISTRATOR).exists():
                grant_role(ACTOR, admin, Role.ADMINISTRATOR)
            for username, first, last, role in STAFF:
                if users.filter(username=username).exists():
                    continue
                user = create_staff_user(
                    ACTOR,
                    username=username,
                    email="",
                    first_name=first,
                    last_name=last,
                    roles=[],
                ).user
                # A casework role takes two administrators on a real deployment; the demo
                # has no second administrator, so its command gives them (DEBUG only).
                grant_demo_role(user, role)
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            self._allocate(admin, users.get(username="rhi-worker"))
            made = exploitation.caseload(
                users.get(username="exploitation-lead"), users.get(username="social-worker")
            )
        if made:
            self.stdout.write(
                "The exploitation caseload: "
                + ", ".join(f"{number} {kind}" for kind, number in made.items())
            )
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with the password " + PASSWORD)
        self.stdout.write("as one of these users (each sees the service as that role does):")
        self.stdout.write(f"  {'coordinator':<18} missing coordinator: start here")
        self.stdout.write(f"  {'exploitation-lead':<18} exploitation lead: referrals to panels")
        for username, _first, _last, role in STAFF[1:]:
            if username == "exploitation-lead":
                continue
            self.stdout.write(f"  {username:<18} {role.label.lower()}")
        self.stdout.write(f"  {USERNAME:<18} administrator (staff, reference data, the admin)")

    def _allocate(self, coordinator: User, worker: User) -> None:
        """Give the demo worker the most recent interviews still to do, once (allocated by
        the administrator: an allocation names a member of staff)."""
        from harbour.interviews.models import Allocation
        from harbour.interviews.services import allocate
        from harbour.missing.models import Episode
        from harbour.missing.queries import placed_by_another_authority

        if Allocation.objects.filter(worker=worker).exists():
            return
        # Not a child placed here by another authority: their interview is the placing
        # authority's, and the worklist would list them under "Notify the placing authority".
        waiting = (
            Episode.objects.closed()
            .filter(category="MISSING", allocation__isnull=True, return_interview__isnull=True)
            .exclude(placed_by_another_authority())
            .order_by("-ended_at")[:ALLOCATED_TO_WORKER]
        )
        for episode in waiting:
            allocate(coordinator, episode, worker=worker)
