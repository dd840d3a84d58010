"""The one permission layer: who may see and do what (docs/roles.md).

Views ask Django's `user.has_perm(...)` (backed by the `rules` predicates below), and
list pages take their records from the scoped querysets here, so that no view decides
access on its own. Superusers get no casework access from being superusers: every rule
here is about roles, and restricted records stay hidden from everyone not on their list.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.auth import models as auth_models
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from harbour.audit import services as auditor

from .models import Role, RoleAssignment

if TYPE_CHECKING:
    from harbour.children.models import Child

# Whoever asks: a signed-in user or an anonymous visitor.
User = auth_models.User | AnonymousUser
View = Callable[..., HttpResponseBase]


def roles_of(user: User) -> frozenset[str]:
    """The user's roles, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    assert not isinstance(user, AnonymousUser)  # anonymous visitors are never authenticated
    cached = getattr(user, "_harbour_roles", None)
    if cached is None:
        cached = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        remember_roles(user, cached)
    return cached


def remember_roles(user: User, roles: frozenset[str]) -> None:
    """Keep roles read with another query of the same request (the session check reads
    them with the session's generation), so that `roles_of` asks for them no more."""
    # An attribute of this request's user object only, which Django's User does not declare.
    setattr(user, "_harbour_roles", roles)  # noqa: B010


def _has_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"is_{role.lower()}")
    def predicate(user: User, obj: Any = None) -> bool:
        return role in roles_of(user)

    return predicate


is_coordinator = _has_role(Role.COORDINATOR)
is_rhi_worker = _has_role(Role.RHI_WORKER)
is_social_worker = _has_role(Role.SOCIAL_WORKER)
is_exploitation_lead = _has_role(Role.EXPLOITATION_LEAD)
is_analyst = _has_role(Role.ANALYST)
is_auditor = _has_role(Role.AUDITOR)
is_administrator = _has_role(Role.ADMINISTRATOR)

# Roles that work with named children.
is_caseworker = is_coordinator | is_social_worker | is_exploitation_lead | is_rhi_worker


@rules.predicate
def may_see_restricted(user: User, child: Any) -> bool:
    """A restricted child is seen only by the people on its access list."""
    if child is None or not getattr(child, "restricted", False):
        return True
    return child.access_list.filter(pk=user.pk).exists()


@rules.predicate
def allocated_to_user(user: User, child: Any) -> bool:
    """Return interview workers see the children allocated to them or their organisation."""
    if child is None:
        return True
    return visible_children(user).filter(pk=child.pk).exists()


@rules.predicate
def allocated_social_worker_is_user(user: User, child: Any) -> bool:
    """The child is on the user's caseload: they are its allocated social worker."""
    if child is None:
        return True
    return child.allocated_social_worker_id == user.pk


@rules.predicate
def episode_allocated_to_user(user: User, episode: Any) -> bool:
    """The episode's return interview is allocated to the user or to their organisation.
    Seeing the child is not enough: a worker allocated one episode of a child may open the
    child's record, but records only the interviews allocated to them."""
    from harbour.missing.models import Episode

    if episode is None:
        return True
    return Episode.objects.filter(Q(pk=episode.pk) & allocated_to(user, "allocation__")).exists()


@rules.predicate
def may_see_restricted_episode(user: User, episode: Any) -> bool:
    """`may_see_restricted` for the child an episode is about."""
    return may_see_restricted.test(user, None if episode is None else episode.child)


# Permission names follow Django's "app.action" form.
rules.add_perm("reports.view_reports", is_analyst | is_coordinator | is_exploitation_lead)
rules.add_perm("reports.manage_reference_data", is_administrator)
# Area counts of the network registers (exploitation spec §4): counts only, suppressed.
rules.add_perm("reports.view_area_counts", is_analyst | is_exploitation_lead)
rules.add_perm("audit.view_trail", is_auditor)
rules.add_perm("accounts.manage_users", is_administrator)
rules.add_perm("children.view_register", is_caseworker)
rules.add_perm(
    "children.view_child",
    (is_coordinator | is_social_worker | is_exploitation_lead | (is_rhi_worker & allocated_to_user))
    & may_see_restricted,
)
rules.add_perm(
    "children.export_subject_access", (is_coordinator | is_administrator) & may_see_restricted
)
rules.add_perm("children.manage_access_list", is_administrator)
# Finding a child (the search box, the children list) and a social worker's caseload.
rules.add_perm("children.find_child", is_coordinator | is_social_worker | is_exploitation_lead)
rules.add_perm("children.view_caseload", is_social_worker)
# Keeping the child's record: coordinators change all of it; a social worker records the
# legal statuses of the children allocated to them (services.record_legal_status holds
# the same rule).
rules.add_perm("children.edit_child", is_coordinator & may_see_restricted)
rules.add_perm(
    "children.record_legal_status",
    (is_coordinator | (is_social_worker & allocated_social_worker_is_user)) & may_see_restricted,
)
# Casework (the daily screens).
rules.add_perm("missing.manage_episodes", is_coordinator)
rules.add_perm("interviews.view_worklist", is_coordinator | is_rhi_worker)
rules.add_perm("interviews.allocate", is_coordinator)
# On an episode: the one rule for recording (or changing) its return interview, held by
# the page and by services.record_interview alike.
rules.add_perm(
    "interviews.record_interview",
    (is_coordinator | (is_rhi_worker & episode_allocated_to_user)) & may_see_restricted_episode,
)
rules.add_perm("meetings.manage_meetings", is_coordinator | is_exploitation_lead)
rules.add_perm("ola.manage_notifications", is_coordinator)
rules.add_perm("authorities.manage_reference_data", is_administrator)
rules.add_perm("casework.view_dashboard", is_coordinator | is_social_worker | is_exploitation_lead)
# The partners' API (docs/api.md): administrators issue and revoke tokens; administrators
# and coordinators read its interactive docs. The API itself takes tokens, not roles.
rules.add_perm("api.manage_tokens", is_administrator)
rules.add_perm("api.view_docs", is_administrator | is_coordinator)


@rules.predicate
def missing_hotspots_panel(user: User, panel: Any) -> bool:
    """A panel (a PanelMeeting, or a panel code) that is the Missing and Hotspots meeting,
    which coordinators run (shared/spec/exploitation.md §2.1). No panel: the list pages."""
    if panel is None:
        return True
    return getattr(panel, "panel", panel) == "MISSING_HOTSPOTS"


# Exploitation (shared/spec/exploitation.md §2.1, docs/roles.md). The object, where there is
# one, is the child; pages about a child also answer `refusal(request, child)`. "Own child"
# for a social worker is a child whose allocated social worker they are.
own_child = is_social_worker & allocated_social_worker_is_user
rules.add_perm("exploitation.view_dashboard", is_exploitation_lead | is_social_worker)
rules.add_perm(
    "exploitation.record_referral",
    (is_exploitation_lead | is_social_worker | is_coordinator) & may_see_restricted,
)
# Screening: coordinators screen the missing children they see; assessments and reviews are
# for exploitation leads and social workers.
rules.add_perm(
    "exploitation.screen",
    (is_exploitation_lead | is_social_worker | is_coordinator) & may_see_restricted,
)
rules.add_perm(
    "exploitation.assess", (is_exploitation_lead | is_social_worker) & may_see_restricted
)
rules.add_perm(
    "exploitation.manage_periods", (is_exploitation_lead | own_child) & may_see_restricted
)
rules.add_perm(
    "exploitation.manage_strategy", (is_exploitation_lead | own_child) & may_see_restricted
)
rules.add_perm("exploitation.view_panels", is_exploitation_lead | is_coordinator | is_social_worker)
rules.add_perm(
    "exploitation.manage_panels", is_exploitation_lead | (is_coordinator & missing_hotspots_panel)
)
rules.add_perm("exploitation.manage_nrm", is_exploitation_lead & may_see_restricted)
rules.add_perm("exploitation.manage_disruptions", is_exploitation_lead)
rules.add_perm(
    "exploitation.manage_support", (is_exploitation_lead | own_child) & may_see_restricted
)
rules.add_perm("exploitation.manage_closure_days", is_administrator)


# The network registers (issue 13; spec §4). Persons and intelligence are criminal-offence
# data. The object, where there is one, is the register's record; `may_see_restricted`
# works for a restricted person as for a child (its access list).
@rules.predicate
def linked_to_a_child_user_may_open(user: User, person: Any) -> bool:
    """The person is linked to a child whose record the user may open (a social worker
    sees the persons linked to their children, never the person register)."""
    if person is None:
        return False
    return bool(person.child_links.filter(child__in=visible_children(user)).exists())


@rules.predicate
def submitted_by_user(user: User, intelligence: Any) -> bool:
    """The intelligence is the user's own submission (what an RHI worker, a coordinator or a
    social worker sees of the intelligence log)."""
    return intelligence is not None and intelligence.created_by_id == user.pk


# The person register, the group register and the network view: exploitation leads only.
rules.add_perm("exploitation.view_person_register", is_exploitation_lead)
rules.add_perm(
    "exploitation.view_person",
    (is_exploitation_lead | (is_social_worker & linked_to_a_child_user_may_open))
    & may_see_restricted,
)
rules.add_perm("exploitation.manage_persons", is_exploitation_lead & may_see_restricted)
# Linking a person, place or group to a child: leads, and a social worker for their own
# child (the object is the child).
rules.add_perm(
    "exploitation.link_to_child", (is_exploitation_lead | own_child) & may_see_restricted
)
rules.add_perm("exploitation.view_places", is_exploitation_lead | is_coordinator)
rules.add_perm("exploitation.manage_places", is_exploitation_lead)
rules.add_perm("exploitation.match_found_locations", is_exploitation_lead | is_coordinator)
rules.add_perm("exploitation.view_groups", is_exploitation_lead)
rules.add_perm("exploitation.manage_groups", is_exploitation_lead)
rules.add_perm(
    "exploitation.submit_intelligence",
    is_exploitation_lead | is_social_worker | is_coordinator | is_rhi_worker,
)
rules.add_perm("exploitation.view_intelligence_log", is_exploitation_lead)
rules.add_perm(
    "exploitation.view_intelligence",
    is_exploitation_lead
    | ((is_social_worker | is_coordinator | is_rhi_worker) & submitted_by_user),
)
rules.add_perm("exploitation.view_network", is_exploitation_lead)


def visible_children(user: User) -> QuerySet:
    """The children whose records the user may open."""
    from harbour.children.models import Child

    roles = roles_of(user)
    children = Child.objects.all()
    broad = {Role.COORDINATOR, Role.SOCIAL_WORKER, Role.EXPLOITATION_LEAD}
    if roles & broad:
        scoped = children
    elif Role.RHI_WORKER in roles:
        scoped = children.filter(_allocated_filter(user))
    else:
        return children.none()
    assert not isinstance(user, AnonymousUser)  # anonymous visitors hold no roles
    on_list = Child.access_list.through.objects.filter(child=OuterRef("pk"), user=user)
    return scoped.filter(Q(restricted=False) | Exists(on_list))


def _allocated_filter(user: User) -> Q:
    """Children with an episode allocated to the worker, or to their organisation
    (StaffProfile.organisation) when they have one. One EXISTS subquery."""
    from harbour.interviews.models import Allocation

    allocated = Allocation.objects.filter(episode__child=OuterRef("pk")).filter(allocated_to(user))
    return Q(Exists(allocated))


def allocated_to(user: User, prefix: str = "") -> Q:
    """The one definition of a worker's own work: allocations to the user, or to their
    organisation (StaffProfile.organisation, matched exactly, when not empty). A filter on
    allocations; with `prefix="allocation__"`, on episodes."""
    from harbour.accounts.models import StaffProfile

    # Read first, so that the filter is two plain equalities, each answered by its own
    # index: as a subquery, PostgreSQL tested every allocation against it.
    organisation = (
        StaffProfile.objects.filter(user=user.pk).values_list("organisation", flat=True).first()
    )
    mine = Q(**{f"{prefix}worker": user.pk})
    return (mine | Q(**{f"{prefix}organisation": organisation})) if organisation else mine


# Roles whose worklist covers every episode of the children they may see.
WHOLE_WORKLIST_ROLES = frozenset({Role.COORDINATOR, Role.SOCIAL_WORKER, Role.EXPLOITATION_LEAD})


def works_own_allocations(user: User) -> bool:
    """Whether the user's worklist is their allocations alone (`own_work`)."""
    roles = roles_of(user)
    return Role.RHI_WORKER in roles and not roles & WHOLE_WORKLIST_ROLES


def own_work(user: User) -> Q:
    """The episodes a user's worklist covers, as a filter on episodes: for a user whose
    only casework role is return interview worker, those allocated to them or to their
    organisation (not every episode of every child they were ever allocated), with the
    restricted-record rule; for everyone else, `visible_to(user)`. The allocation comes
    first so that the database starts from the worker's allocations."""
    from harbour.children.models import Child

    roles = roles_of(user)
    if roles & WHOLE_WORKLIST_ROLES:
        return visible_to(user)
    if Role.RHI_WORKER not in roles:
        return Q(pk__in=[])
    from harbour.interviews.models import Allocation

    on_list = Child.access_list.through.objects.filter(child=OuterRef("child"), user=user.pk)
    # The worker's allocations as a list of episodes (from the allocations' worker index),
    # not a join tested episode by episode: PostgreSQL otherwise looked up the allocation
    # of every episode found in the worklist's window (24,500 at 1,000,000 episodes).
    allocated = Q(pk__in=Allocation.objects.filter(allocated_to(user)).values("episode"))
    return allocated & (Q(child__restricted=False) | Q(Exists(on_list)))


def visible_to(user: User, field: str = "child") -> Q:
    """The same children as `visible_children(user)`, as a filter on the records of a
    model whose foreign key `field` is the child: `Episode.objects.filter(visible_to(user))`.

    Use it rather than `child__in=visible_children(user)` on large tables. SQLite runs the
    latter by listing every visible child first (for a coordinator, every child: 200 ms at
    250,000 children, on every query) and then looks up records child by child. Here the
    test is "the record has a child, and that child is not one of the restricted children
    kept from the user" (the restricted children are few, found by their own partial
    index), so that neither database joins every record to its child; a worker's children
    are listed from their allocations, which are few (docs/performance.md).
    """
    from harbour.children.models import Child
    from harbour.interviews.models import Allocation

    roles = roles_of(user)
    if roles & {Role.COORDINATOR, Role.SOCIAL_WORKER, Role.EXPLOITATION_LEAD}:
        scoped = Q()
    elif Role.RHI_WORKER in roles:
        allocated = Allocation.objects.filter(allocated_to(user)).values("episode__child")
        scoped = Q(**{f"{field}__in": allocated})
    else:
        return Q(pk__in=[])
    on_list = Child.access_list.through.objects.filter(child=OuterRef("pk"), user=user.pk)
    kept_from_user = Child.objects.filter(restricted=True).exclude(Exists(on_list)).order_by()
    if connection.vendor == "postgresql":
        # An anti-join, which PostgreSQL estimates well and answers by hashing them once.
        not_kept = Q(~Exists(kept_from_user.filter(pk=OuterRef(field))))
    else:
        # SQLite lists them once and probes the list per record (a correlated NOT EXISTS
        # looked up each record's child, as a join does).
        not_kept = ~Q(**{f"{field}__in": kept_from_user.values("pk")})
    return scoped & Q(**{f"{field}__isnull": False}) & not_kept


def of_children(children: QuerySet | Q, field: str = "child") -> Q:
    """A filter on records of these children, given as a filter from `visible_to` (cheap
    on large tables) or as a queryset of children (`field__in`)."""
    return children if isinstance(children, Q) else Q(**{f"{field}__in": children})


def allowed(user: User, permission: str, obj: Any = None) -> bool:
    """Whether the user's roles give them this permission (on this object).

    Use this, never `user.has_perm`: Django's has_perm answers yes to every active
    superuser, and in Harbour being a superuser gives no access beyond the admin.
    """
    return rules.has_perm(permission, user, obj)


def permission_required(permission: str) -> Callable[[View], View]:
    """A view decorator: sign in first, then the permission, else 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator


# Opening a child's record: the one answer every page about a child gives.


def refusal(request: HttpRequest, child: Child) -> HttpResponse | None:
    """None when the user may open the child's record. Otherwise the restricted page
    (audited) when the record is restricted and the user is not on its access list, or
    403 (PermissionDenied) when their role does not reach the child."""
    if allowed(request.user, "children.view_child", child):
        return None
    if child.restricted and not on_access_list(child, request.user):
        return refuse_restricted(request, child)
    raise PermissionDenied


def on_access_list(child: Child, user: User) -> bool:
    # An anonymous visitor is on no list.
    return user.is_authenticated and child.access_list.filter(pk=user.pk).exists()


def refuse_restricted(request: HttpRequest, child: Child) -> HttpResponse:
    """Someone not on a restricted record's access list learns only that it exists."""
    auditor.record(
        request.user, "children.restricted_refused", obj=child, details={"path": request.path}
    )
    return render(request, "children/restricted.html", status=403)
