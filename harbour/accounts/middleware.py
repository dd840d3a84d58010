"""Session rules every request passes through: the second factor, and "sign out
everywhere"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model, logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.middleware import is_verified

from . import two_factor
from .models import StaffProfile
from .permissions import remember_roles

SESSION_GENERATION = "harbour_session_generation"

# What a signed-in user who has not yet given their second factor may reach.
OPEN_BEFORE_SECOND_FACTOR = ("sign_out", "two_factor", "two_factor_set_up", "health")


def session_generation(user: User) -> int:
    profile = StaffProfile.objects.filter(user=user).only("session_generation").first()
    return profile.session_generation if profile else 0


def generation_and_roles(user: Any) -> tuple[int, frozenset[str]]:
    """The user's session generation and roles, in one query: every signed-in request
    needs both (the roles for the page's permission checks and the navigation), and a
    query is about a millisecond of processor time (docs/performance.md, "Load")."""
    rows = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list("staff_profile__session_generation", "role_assignments__role")
    )
    generation = 0
    roles = set()
    for row_generation, role in rows:
        generation = row_generation or 0
        if role is not None:
            roles.add(role)
    return generation, frozenset(roles)


class SignOutEverywhereMiddleware:
    """Ends a session signed in before the user's sessions were all signed out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            signed_in_under = request.session.get(SESSION_GENERATION, 0)
            generation, roles = generation_and_roles(user)
            if signed_in_under != generation:
                logout(request)
                return redirect("sign_in")
            remember_roles(user, roles)
        return self.get_response(request)


class RequireSecondFactorMiddleware:
    """A signed-in user is sent to give (or set up) their second factor before anything
    else, when two factors are required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._open_paths: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open_paths is None:
            self._open_paths = tuple(reverse(name) for name in OPEN_BEFORE_SECOND_FACTOR)
        return self._open_paths

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not is_verified(user)
            and two_factor.required_for(user)
            and request.path not in self.open_paths()
            and not request.path.startswith("/static/")
        ):
            target = "two_factor" if two_factor.has_authenticator(user) else "two_factor_set_up"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
