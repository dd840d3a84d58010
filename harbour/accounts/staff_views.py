"""Staff pages, for administrators: who has an account, with which roles, and the actions
an administrator takes on an account (all through accounts/services.py, so all audited).

Every page here needs the permission accounts.manage_users, except the two set-password
pages, which are for the new member of staff following their one-time link (they have no
password yet, so they cannot be signed in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Lower
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from harbour.audit import services as auditor
from harbour.common.display import staff_name, when_text

from . import services
from .models import GrantRequest, Lockout, Role, StaffProfile
from .permissions import permission_required
from .staff_forms import (
    AddStaffForm,
    OrganisationForm,
    RolesForm,
    StaffFilterForm,
    StaffSetPasswordForm,
)

View = Callable[..., HttpResponseBase]


class _StaffAnnotations(TypedDict):
    has_authenticator: bool
    locked_out: bool


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A member of staff as `_staff` reads them.
    StaffMember = WithAnnotations[User, _StaffAnnotations]

# Where a new set-password link waits, server-side, to be shown once on the staff page.
NEW_LINK_SESSION_KEY = "harbour_staff_set_password_link"


def administrators_only(view: View) -> View:
    """Anonymous visitors go to the sign-in page; signed-in users without the permission
    get 403."""
    return permission_required("accounts.manage_users")(view)


def _error_list(form: Form, ids: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The error summary's items: the first error of each field, linking to the field."""
    ids = ids or {}
    items = [{"text": str(error)} for error in form.non_field_errors()]
    for name in form.fields:
        if name in form.errors:
            items.append({"text": str(form.errors[name][0]), "href": "#" + ids.get(name, name)})
    return items


def _add_service_error(form: Form, error: ValidationError) -> None:
    """A service's refusal, shown against the field it is about where the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _messages(request: HttpRequest) -> list[Any]:
    return list(messages.get_messages(request))


def _staff() -> QuerySet[StaffMember]:
    # Two factors are set up when there is a confirmed authenticator (as two_factor.py has it).
    authenticator = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    locked = Lockout.objects.filter(
        kind=Lockout.Kind.ACCOUNT,
        key=Lower(OuterRef("username")),
        until__gt=timezone.now(),
        unlocked_at__isnull=True,
    )
    return (
        get_user_model()
        ._default_manager.annotate(
            has_authenticator=Exists(authenticator), locked_out=Exists(locked)
        )
        .select_related("staff_profile")
        .prefetch_related("role_assignments")
        .order_by(Lower("username"))
    )


def _roles_of(user: User) -> list[Role]:
    held = {assignment.role for assignment in user.role_assignments.all()}
    return [role for role in Role if role in held]


def _organisation_of(user: User) -> str:
    try:
        return user.staff_profile.organisation
    except StaffProfile.DoesNotExist:
        return ""


def _row(user: StaffMember) -> dict[str, Any]:
    return {
        "user": user,
        "name": user.get_full_name(),
        "roles": _roles_of(user),
        "organisation": _organisation_of(user),
        "active": user.is_active,
        "locked_out": user.locked_out,
        "two_factor": user.has_authenticator,
    }


@administrators_only
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET)
    role = form.cleaned_data["role"] if form.is_valid() else ""
    users = _staff()
    if role:
        users = users.filter(role_assignments__role=role)
    lockouts = [
        {
            "lockout": lockout,
            "locked_at": when_text(lockout.locked_at),
            "until": when_text(lockout.until),
        }
        for lockout in services.active_lockouts()
    ]
    context = {
        "rows": [_row(user) for user in users],
        "role": role,
        "role_choices": Role.choices,
        "role_label": Role(role).label if role else "",
        "lockouts": lockouts,
        "waiting": len(services.pending_grants()),
        "messages": _messages(request),
    }
    return render(request, "accounts/staff/list.html", context)


@administrators_only
@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_staff_user(request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            request.session[NEW_LINK_SESSION_KEY] = {
                "user_id": created.user.pk,
                "path": created.set_password_path,
            }
            messages.success(request, f"{created.user.get_full_name()} has been added")
            for asked in created.requested:
                _say_it_waits(request, created.user, asked)
            return redirect("staff_detail", user_pk=created.user.pk)
    context = {
        "form": form,
        "errors": _error_list(form) if form.is_bound else [],
        "role_choices": Role.choices,
    }
    return render(request, "accounts/staff/add.html", context)


def _detail(
    request: HttpRequest,
    user: User,
    *,
    errors: list[dict[str, str]] | None = None,
    roles_form: RolesForm | None = None,
    organisation_form: OrganisationForm | None = None,
    action_error: str = "",
) -> HttpResponse:
    user = _staff().get(pk=user.pk)
    row = _row(user)
    new_link = None
    if request.method == "GET":
        waiting = request.session.get(NEW_LINK_SESSION_KEY)
        if waiting and waiting.get("user_id") == user.pk:
            del request.session[NEW_LINK_SESSION_KEY]
            new_link = request.build_absolute_uri(waiting["path"])
    lockouts = [
        lockout
        for lockout in services.active_lockouts()
        if lockout.kind == Lockout.Kind.ACCOUNT and lockout.key == user.get_username().lower()
    ]
    roles_form = roles_form or RolesForm(initial={"roles": [str(r) for r in row["roles"]]})
    organisation_form = organisation_form or OrganisationForm(
        initial={"organisation": row["organisation"]}
    )
    context = {
        **row,
        "new_link": new_link,
        "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "locked_until": when_text(max(lockout.until for lockout in lockouts)) if lockouts else "",
        "has_password": user.has_usable_password(),
        "last_login": when_text(user.last_login),
        "date_joined": when_text(user.date_joined),
        "is_self": user.pk == request.user.pk,
        "guarded": services.holds_guarded_role(user),
        "waiting": [
            {"grant": grant, "could_sign_in_as": _could_sign_in_as(grant)}
            for grant in services.pending_grants()
            if grant.user_id == user.pk
        ],
        "roles_form": roles_form,
        "selected_roles": _selected(roles_form, "roles"),
        "organisation_form": organisation_form,
        "organisation_value": _value(organisation_form, "organisation"),
        "role_choices": Role.choices,
        "errors": errors or [],
        "action_error": action_error,
        "messages": _messages(request),
    }
    return render(request, "accounts/staff/detail.html", context)


def _selected(form: Form, name: str) -> list[str]:
    value = form[name].value() or []
    return [str(item) for item in value]


def _value(form: Form, name: str) -> str:
    value = form[name].value()
    return "" if value is None else str(value)


def _member(user_pk: int) -> User:
    return get_object_or_404(get_user_model()._default_manager, pk=user_pk)


@administrators_only
@require_GET
def staff_detail(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _detail(request, _member(user_pk))


@administrators_only
@require_POST
def staff_roles(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = _member(user_pk)
    form = RolesForm(request.POST)
    if form.is_valid():
        try:
            change = services.set_roles(request.user, user, form.cleaned_data["roles"])
        except ValidationError as error:
            form.add_error("roles", error.messages)
        else:
            if change.granted or change.revoked:
                messages.success(request, f"Roles of {staff_name(user)} changed")
            for asked in change.requested:
                _say_it_waits(request, user, asked)
            if not change.changed:
                messages.info(request, f"The roles of {staff_name(user)} were already as selected")
            return redirect("staff_detail", user_pk=user.pk)
    return _detail(request, user, errors=_error_list(form), roles_form=form)


@administrators_only
@require_POST
def staff_organisation(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = _member(user_pk)
    form = OrganisationForm(request.POST)
    if form.is_valid():
        try:
            services.set_organisation(request.user, user, form.cleaned_data["organisation"])
        except ValidationError as error:
            form.add_error("organisation", error.messages)
        else:
            messages.success(request, f"Organisation of {staff_name(user)} changed")
            return redirect("staff_detail", user_pk=user.pk)
    return _detail(request, user, errors=_error_list(form), organisation_form=form)


def _say_it_waits(request: HttpRequest, user: User, asked: GrantRequest) -> None:
    if asked.kind == GrantRequest.Kind.ROLE:
        text = f"Giving {staff_name(user)} {asked.what()} needs a second administrator"
    elif asked.kind == GrantRequest.Kind.PASSWORD:
        text = (
            f"A new set-password link for {staff_name(user)} needs a second administrator, who "
            "will be shown the link to give them. Until then their password is unchanged"
        )
    else:
        text = (
            f"Resetting the two factors of {staff_name(user)} needs a second administrator. "
            "Until then their authenticator app and backup codes are unchanged"
        )
    messages.info(request, f"{text}: another administrator must approve it")


def _action(
    request: HttpRequest,
    user_pk: int,
    act: Callable[[User], object],
    success: Callable[[User, object], str],
) -> HttpResponse:
    """Run one button's action; say what happened, or show why it could not be done."""
    user = _member(user_pk)
    try:
        result = act(user)
    except ValidationError as error:
        return _action_refused(request, user, error)
    messages.success(request, success(user, result))
    return redirect("staff_detail", user_pk=user.pk)


def _action_refused(request: HttpRequest, user: User, error: ValidationError) -> HttpResponse:
    text = " ".join(error.messages)
    return _detail(request, user, errors=[{"text": text, "href": "#actions"}], action_error=text)


def _link_or_request(
    request: HttpRequest, user: User, result: str | GrantRequest, done: str
) -> HttpResponse:
    """A new set-password link is kept to be shown once on the staff page; a request made
    instead (the account holds a guarded role) is only announced: its link goes to the
    administrator who approves it."""
    if isinstance(result, GrantRequest):
        _say_it_waits(request, user, result)
    else:
        request.session[NEW_LINK_SESSION_KEY] = {"user_id": user.pk, "path": result}
        messages.success(request, done)
    return redirect("staff_detail", user_pk=user.pk)


@administrators_only
@require_POST
def staff_deactivate(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _action(
        request,
        user_pk,
        lambda user: services.deactivate_user(request.user, user),
        lambda user, _: f"{staff_name(user)} has been deactivated and can no longer sign in",
    )


@administrators_only
@require_POST
def staff_reactivate(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _action(
        request,
        user_pk,
        lambda user: services.reactivate_user(request.user, user),
        lambda user, _: f"{staff_name(user)} has been reactivated and can sign in again",
    )


@administrators_only
@require_POST
def staff_sign_out_everywhere(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _action(
        request,
        user_pk,
        lambda user: services.sign_out_everywhere(request.user, user),
        lambda user, _: f"{staff_name(user)} has been signed out everywhere",
    )


@administrators_only
@require_POST
def staff_reset_two_factor(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = _member(user_pk)
    try:
        result = services.reset_two_factor(request.user, user)
    except ValidationError as error:
        return _action_refused(request, user, error)
    if isinstance(result, GrantRequest):
        _say_it_waits(request, user, result)
    else:
        messages.success(
            request,
            f"Two factors reset for {staff_name(user)}: they will set them up again "
            "when they next sign in",
        )
    return redirect("staff_detail", user_pk=user.pk)


@administrators_only
@require_POST
def staff_unlock(request: HttpRequest, user_pk: int) -> HttpResponse:
    return _action(
        request,
        user_pk,
        lambda user: services.unlock_user(request.user, user.get_username()),
        lambda user, _: f"{staff_name(user)} has been unlocked and can sign in again",
    )


@administrators_only
@require_POST
def staff_set_password_link(request: HttpRequest, user_pk: int) -> HttpResponse:
    user = _member(user_pk)
    try:
        result = services.issue_set_password_link(request.user, user)
    except ValidationError as error:
        return _action_refused(request, user, error)
    return _link_or_request(
        request, user, result, f"New set-password link created for {staff_name(user)}"
    )


@administrators_only
@require_POST
def staff_reset_password(request: HttpRequest, user_pk: int) -> HttpResponse:
    """For someone who has forgotten their password: it stops working and a new one-time
    link is shown, once, as for a new member of staff; or, for someone holding a guarded
    role, that waits for a second administrator, who is shown the link."""
    user = _member(user_pk)
    try:
        result = services.reset_password(request.user, user)
    except ValidationError as error:
        return _action_refused(request, user, error)
    return _link_or_request(request, user, result, f"Password reset for {user.get_username()}")


_ISSUED = {
    "password_link_issued": (
        "issued this account's set-password link",
        "issued its set-password link",
    ),
    "two_factor_reset": ("reset this account's two factors", "reset its two factors"),
}


def _could_sign_in_as(grant: GrantRequest) -> str:
    """The warning an approver reads when the one asking for casework access for an
    account last issued its means to sign in themselves; "" when they did not."""
    issued = services.issued_to_requester(grant)
    if not issued:
        return ""
    # "this account's ..." the first time, "its ..." after: "ada issued this account's
    # set-password link on ... and reset its two factors on ...".
    done = " and ".join(
        f"{_ISSUED[means][min(index, 1)]} on {when_text(at)}"
        for index, (means, at) in enumerate(issued)
    )
    name = staff_name(grant.user)
    return (
        f"{grant.requested_by.get_username()} {done}: they could sign in as it. Approve only "
        f"if you know the account is used by {name}."
    )


def _confirmation(grant: GrantRequest) -> str:
    return (
        "I have checked with the member of staff that they, not "
        f"{grant.requested_by.get_username()}, use this account"
    )


def _requests_page(
    request: HttpRequest,
    errors: list[dict[str, str]] | None = None,
    unconfirmed: int | None = None,
) -> HttpResponse:
    rows = [
        {
            "grant": grant,
            "what": grant.what(),
            "requested_at": when_text(grant.requested_at),
            "about_me": grant.user_id == request.user.pk,
            "mine": grant.requested_by_id == request.user.pk,
            "could_sign_in_as": _could_sign_in_as(grant),
            "confirmation": _confirmation(grant),
            "unconfirmed": grant.pk == unconfirmed,
        }
        for grant in services.pending_grants()
    ]
    context = {"rows": rows, "errors": errors or [], "messages": _messages(request)}
    return render(request, "accounts/staff/requests.html", context, status=400 if errors else 200)


@administrators_only
@require_GET
def staff_requests(request: HttpRequest) -> HttpResponse:
    """Casework access for administrators, waiting for a second administrator."""
    return _requests_page(request)


def _decision(
    request: HttpRequest, pk: int, decide: Callable[..., object], done: Callable[[Any], str]
) -> HttpResponse:
    grant = get_object_or_404(GrantRequest.objects.select_related("user", "child"), pk=pk)
    try:
        new_link = decide(request.user, grant)
    except ValidationError as error:
        text = " ".join(error.messages)
        if error.code == "confirm_account_holder":
            return _requests_page(
                request,
                errors=[{"text": text, "href": f"#confirm-{grant.pk}"}],
                unconfirmed=grant.pk,
            )
        return _requests_page(request, errors=[{"text": text, "href": f"#request-{grant.pk}"}])
    messages.success(request, done(grant))
    if isinstance(new_link, str):
        # Shown once, to the approver alone, on the member of staff's page.
        request.session[NEW_LINK_SESSION_KEY] = {"user_id": grant.user_id, "path": new_link}
        return redirect("staff_detail", user_pk=grant.user_id)
    return redirect("staff_requests")


def _approved(grant: GrantRequest) -> str:
    username = grant.user.get_username()
    if grant.kind == GrantRequest.Kind.PASSWORD:
        return (
            f"Approved: a new set-password link for {username}. Their password no longer "
            "works: give them the link below"
        )
    if grant.kind == GrantRequest.Kind.TWO_FACTOR:
        return (
            f"Approved: the two factors of {username} are reset. They set them up again "
            "when they next sign in"
        )
    return f"Approved: {username} now has {grant.what()}"


@administrators_only
@require_POST
def staff_request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    confirmed = request.POST.get("confirm_account_holder") == "yes"

    def approve(actor: User, grant: GrantRequest) -> str | None:
        return services.approve_grant(actor, grant, confirmed_account_holder=confirmed)

    return _decision(request, pk, approve, _approved)


@administrators_only
@require_POST
def staff_request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def done(grant: GrantRequest) -> str:
        verb = "Withdrawn" if grant.requested_by_id == request.user.pk else "Rejected"
        return f"{verb}: {grant.what()} for {grant.user.get_username()}"

    return _decision(request, pk, services.reject_grant, done)


@administrators_only
@require_POST
def lockout_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """The Unlock buttons of the "Locked out" list, for accounts and addresses alike."""
    lockout = get_object_or_404(Lockout, pk=pk)
    try:
        if lockout.kind == Lockout.Kind.ACCOUNT:
            services.unlock_user(request.user, lockout.key)
        else:
            services.unlock_address(request.user, lockout)
    except ValidationError as error:
        messages.info(request, " ".join(error.messages))
    else:
        what = "The account" if lockout.kind == Lockout.Kind.ACCOUNT else "The address"
        messages.success(request, f"{what} {lockout.key} has been unlocked")
    return redirect(reverse("staff_list") + "#locked-out")


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The new member of staff's one-time link: they choose their password (the
    validators in settings apply). The link works once, and not for a deactivated
    account."""

    template_name = "accounts/staff/set_password.html"
    form_class = StaffSetPasswordForm
    success_url = reverse_lazy("staff_set_password_done")

    def get_user(self, uidb64: str) -> User | None:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        context |= {
            "member": self.user if self.validlink else None,
            "errors": _error_list(form) if form is not None and form.is_bound else [],
            "password_rules": password_validation.password_validators_help_texts(),
        }
        return context

    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            auditor.record(
                form.user,
                "accounts.user.set_password",
                obj=form.user,
                details={"username": form.user.get_username(), "user_id": form.user.pk},
            )
        return response


@require_GET
@login_not_required
def set_password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/staff/set_password_done.html")
