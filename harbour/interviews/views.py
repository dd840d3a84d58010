"""Return interview pages: the worklist, allocating an interview, recording it.

Thin: access through harbour.accounts.permissions, reads through queries.py, writes
through services.py. Every page that shows children writes one audit event naming them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from harbour.accounts.models import Role, StaffProfile
from harbour.accounts.permissions import (
    allowed,
    own_work,
    permission_required,
    refusal,
    works_own_allocations,
)
from harbour.audit import services as auditor
from harbour.authorities import queries as ola_queries
from harbour.common.dates import OFFSET_CHOICES
from harbour.common.display import episode_when, when_text
from harbour.common.durations import hours_in_words
from harbour.common.paging import CappedPaginator, CountedWithPagePaginator, page_href
from harbour.common.services import Conflict
from harbour.common.time import instant_of
from harbour.missing.models import Episode

from . import queries, services
from .forms import AllocationForm, InterviewForm, WorklistFilterForm, initial_for
from .models import Allocation, Method, Outcome, Reason, ReturnInterview, Risk


class _WorklistAnnotations(TypedDict):
    status: str
    interview_seconds: int
    due_epoch: int
    seconds_left: int
    group: str
    placing_authority: str | None


class _OlaAnnotations(_WorklistAnnotations):
    ola_status: str
    authority_name: str | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # An episode as the worklist's queries read it, and as the OLA table's read it.
    WorklistEpisode = WithAnnotations[Episode, _WorklistAnnotations]
    OlaEpisode = WithAnnotations[Episode, _OlaAnnotations]

PAGE_SIZE = 50
OLA_LIMIT = 50


def time_tag(seconds_left: int) -> dict[str, str]:
    """Hours left or overdue, elapsed time, whole hours rounded down. Exactly at the due
    instant is still on time."""
    if seconds_left < 0:
        hours = -seconds_left // 3600
        text = "Less than 1 hour overdue" if hours == 0 else _hours(hours) + " overdue"
        return {"text": text, "classes": "govuk-tag--red"}
    hours = seconds_left // 3600
    text = (
        "Due now"
        if seconds_left == 0
        else ("Less than 1 hour left" if hours == 0 else _hours(hours) + " left")
    )
    return {"text": text, "classes": "govuk-tag--yellow" if hours < 24 else "govuk-tag--blue"}


def _hours(hours: int) -> str:
    return hours_in_words(hours)


STATUS_TAGS = {
    queries.WorklistStatus.COMPLETED: "govuk-tag--green",
    queries.WorklistStatus.NOT_REQUIRED: "govuk-tag--grey",
    queries.WorklistStatus.DECLINED: "govuk-tag--grey",
    queries.WorklistStatus.NOTIFY: "govuk-tag--purple",
    queries.WorklistStatus.OVERDUE: "govuk-tag--red",
    queries.WorklistStatus.OFFERED: "govuk-tag--turquoise",
    queries.WorklistStatus.ALLOCATED: "govuk-tag--blue",
    queries.WorklistStatus.TO_ALLOCATE: "govuk-tag--orange",
}


def _workers() -> list[tuple[Any, str]]:
    """Active return interview workers, for the allocation and filter lists."""
    users = (
        get_user_model()
        ._default_manager.filter(is_active=True, role_assignments__role=Role.RHI_WORKER)
        .order_by("first_name", "last_name", "username")
    )
    return [(user, _person(user)) for user in users]


def _person(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def _organisations() -> list[str]:
    staff = StaffProfile.objects.exclude(organisation="").values_list("organisation", flat=True)
    return sorted(set(staff.distinct()) | set(queries.allocated_organisations()), key=str.lower)


def _row(episode: WorklistEpisode, user: Any) -> dict[str, Any]:
    status = queries.WorklistStatus(episode.status)
    allocation = getattr(episode, "allocation", None)
    interview = getattr(episode, "return_interview", None)
    allocated_to = []
    if allocation is not None:
        if allocation.worker is not None:
            allocated_to.append(_person(allocation.worker))
        if allocation.organisation:
            allocated_to.append(allocation.organisation)
    completed = ""
    if status == queries.WorklistStatus.COMPLETED:
        within = episode.interview_seconds <= queries.RHI_DUE_SECONDS
        completed = (
            "Within 72 hours" if within else f"After {_hours(episode.interview_seconds // 3600)}"
        )
    return {
        "episode": episode,
        "child": episode.child,
        "returned": episode_when(episode, episode.ended_at),
        "due": when_text(instant_of(episode.due_epoch)),
        "time": time_tag(episode.seconds_left) if status not in queries.CLOSED else None,
        "completed": completed,
        "group": queries.GroupFilter.OLA.label
        if episode.group == "OLA"
        else (
            queries.GroupFilter.LAC.label
            if episode.group == "LAC"
            else queries.GroupFilter.HOME.label
        ),
        "status": {"text": status.label, "classes": STATUS_TAGS[status]},
        "allocated_to": ", ".join(allocated_to),
        "placing_authority": episode.placing_authority or "",
        "interview": interview,
    }


def _ola_row(episode: OlaEpisode, user: Any) -> dict[str, Any]:
    """A row of the OLA table: the notification status instead of the interview's."""
    return _row(episode, user) | {
        "ola_status": ola_queries.status_tag(episode.ola_status),
        "authority_name": episode.authority_name or "",
    }


@require_GET
@permission_required("interviews.view_worklist")
def worklist(request: HttpRequest) -> HttpResponse:
    workers = _workers()
    organisations = _organisations()
    form = WorklistFilterForm(request.GET, workers=workers, organisations=organisations)
    filters = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    rows = queries.filtered(
        queries.worklist(own_work(request.user), now),
        worker=filters.get("worker"),
        organisation=filters.get("organisation") or "",
        group=filters.get("group") or "",
        status=filters.get("status") or "",
        now=now,
    )
    notify = queries.WorklistStatus.NOTIFY.value
    possible = queries.possible_statuses(filters.get("group") or "", filters.get("status") or "")
    # The status as plain conditions, which the database can estimate (queries.to_notify).
    main = rows.exclude(queries.to_notify()) if possible - {notify} else rows.none()
    # A worker's own worklist starts from their allocations and sorts them all, so its
    # count comes with the page; everyone else's is read along the found-instant index
    # and stops after a page.
    paginate = CountedWithPagePaginator if works_own_allocations(request.user) else CappedPaginator
    paginator = paginate(main, PAGE_SIZE, page=filters.get("page"))
    page = paginator.get_page(filters.get("page"))
    # OLA rows show where the notification log to the placing authority stands, and stay
    # listed until the placing authority has responded (harbour/authorities/queries.py).
    ola = (
        list(
            ola_queries.add_status(rows.filter(queries.to_notify()), timezone.now()).exclude(
                ola_status=ola_queries.OlaStatus.RESPONDED
            )[: OLA_LIMIT + 1]
        )
        if notify in possible
        else []
    )
    main_rows = [_row(episode, request.user) for episode in page.object_list]
    ola_rows = [_ola_row(episode, request.user) for episode in ola[:OLA_LIMIT]]
    shown = {row["child"].pk for row in main_rows + ola_rows}
    auditor.record(
        request.user,
        "interviews.worklist_viewed",
        children=shown,
        details={
            "filters": {
                "worker": filters.get("worker"),
                "organisation": filters.get("organisation") or "",
                "group": filters.get("group") or "",
                "status": filters.get("status") or "",
            },
            "page_number": page.number,
            "rows_shown": len(main_rows) + len(ola_rows),
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()
    context = {
        "form": form,
        "rows": main_rows,
        "ola_rows": ola_rows,
        "ola_more": len(ola) > OLA_LIMIT,
        "page": page,
        "previous_href": page_href(base, page.number - 1) if page.has_previous() else "",
        "next_href": page_href(base, page.number + 1) if page.has_next() else "",
        "may_allocate": allowed(request.user, "interviews.allocate"),
        "may_notify": allowed(request.user, "ola.manage_notifications"),
        "workers": workers,
        "organisations": organisations,
        "groups": queries.GroupFilter.choices,
        "statuses": queries.WorklistStatus.choices,
        "messages": list(messages.get_messages(request)),
        "window_days": settings.HARBOUR_INTERVIEW_WINDOW_DAYS,
    }
    return render(request, "interviews/worklist.html", context)


def _episode(pk: int) -> Episode:
    return get_object_or_404(Episode.objects.select_related("child"), pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required("interviews.allocate")
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    if refused := refusal(request, episode.child):
        return refused
    current = Allocation.objects.filter(episode=episode).select_related("worker").first()
    workers = _workers()
    users = {user.pk: user for user, _label in workers}
    organisations = _organisations()
    initial: dict[str, Any] = {"version": current.version if current else 0}
    if current:
        initial |= {"worker": current.worker_id or "", "organisation": current.organisation}
    conflict = False
    if request.method == "POST":
        form = AllocationForm(request.POST, workers=workers, organisations=organisations)
        if form.is_valid():
            try:
                assert request.user.is_authenticated  # permission_required signed them in
                services.allocate(
                    request.user,
                    episode,
                    worker=users.get(form.cleaned_data["worker"]),
                    organisation=form.cleaned_data["organisation"],
                    version=form.cleaned_data["version"],
                )
            except Conflict as problem:
                conflict = True
                stored = problem.current
                assert stored is None or isinstance(stored, Allocation)  # what allocate saves
                current = stored
                form = _with_version(
                    form,
                    current.version if current else 0,
                    workers=workers,
                    organisations=organisations,
                )
                form.add_error(None, _CONFLICT)
            except ValidationError as problem:
                for name, errors in problem.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Interview for {episode.episode_id} allocated")
                return redirect("interviews_worklist")
    else:
        form = AllocationForm(initial=initial, workers=workers, organisations=organisations)
    auditor.record(
        request.user, "interviews.allocation_viewed", obj=episode, children=[episode.child]
    )
    context = {
        "episode": episode,
        "child": episode.child,
        "returned": episode_when(episode, episode.ended_at),
        "current": current,
        "current_to": _allocated_to(current),
        "conflict": conflict,
        "form": form,
        "error_list": _error_list(form, {"__all__": "current" if conflict else "worker"}),
        "has_errors": bool(form.errors),
    }
    return render(request, "interviews/allocate.html", context, status=400 if form.errors else 200)


def _allocated_to(allocation: Allocation | None) -> str:
    if allocation is None:
        return "Not allocated"
    parts = [_person(allocation.worker)] if allocation.worker else []
    if allocation.organisation:
        parts.append(allocation.organisation)
    return ", ".join(parts)


_CONFLICT = (
    "Someone else changed this record while you were editing it, so your changes have not "
    "been saved. Check what is recorded now, shown below, then save your changes again."
)


def _with_version(form: Any, version: int, **kwargs: Any) -> Any:
    """The same form with what the user entered, now carrying the stored version, so that
    saving again after checking the current record is possible."""
    data = form.data.copy()
    data["version"] = str(version)
    fresh = type(form)(data, **kwargs)
    fresh.is_valid()
    return fresh


def _error_list(form: Any, anchors: dict[str, str]) -> list[dict[str, str]]:
    items = []
    for name, errors in form.errors.items():
        items.append({"text": errors[0], "href": "#" + anchors.get(name, name)})
    return items


@require_http_methods(["GET", "POST"])
@permission_required("interviews.record_interview")
def record(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    if refused := refusal(request, episode.child):
        return refused
    # Seeing the child is not enough: a worker records only the episodes allocated to them.
    if not allowed(request.user, "interviews.record_interview", episode):
        raise PermissionDenied
    current = ReturnInterview.objects.filter(episode=episode).first()
    conflict = False
    if request.method == "POST":
        form = InterviewForm(request.POST)
        if form.is_valid():
            try:
                assert request.user.is_authenticated  # permission_required signed them in
                services.record_interview(request.user, episode, **form.service_values())
            except Conflict as problem:
                conflict = True
                stored = problem.current
                assert stored is None or isinstance(stored, ReturnInterview)  # what it saves
                current = stored
                form = _with_version(form, current.version if current else 0)
                form.service_errors["version"] = _CONFLICT
            except ValidationError as problem:
                form.service_errors.update(
                    {name: errors[0] for name, errors in problem.message_dict.items()}
                )
            else:
                messages.success(request, f"Return interview for {episode.episode_id} saved")
                return redirect("interviews_worklist")
    else:
        form = InterviewForm(initial=initial_for(current))
    auditor.record(
        request.user, "interviews.interview_viewed", obj=episode, children=[episode.child]
    )
    errors = form.errors_by_field() if form.is_bound else {}
    error_list = form.error_list() if form.is_bound else []
    if conflict:
        error_list = [{"text": _CONFLICT, "href": "#current"}]
    context = {
        "episode": episode,
        "child": episode.child,
        "returned": episode_when(episode, episode.ended_at),
        "current": current,
        "current_rows": _interview_summary(current) if conflict else [],
        "conflict": conflict,
        "form": form,
        "value": _values(form),
        "offset_choices": OFFSET_CHOICES,
        "errors": errors,
        "error_list": error_list,
        "has_errors": bool(error_list),
        "outcomes": Outcome.choices,
        "methods": Method.choices,
        "reasons": Reason.choices,
        "risks": Risk.choices,
    }
    return render(request, "interviews/record.html", context, status=400 if error_list else 200)


def _values(form: InterviewForm) -> dict[str, Any]:
    """What each input shows: what was entered, or the stored values."""
    values = {}
    for name in form.fields:
        value = form[name].value()
        values[name] = value if value is not None else ""
    for name in ("reasons", "risks"):
        values[name] = list(values[name] or [])
    return values


def _interview_summary(interview: ReturnInterview | None) -> list[tuple[str, str]]:
    if interview is None:
        return [("Return interview", "Deleted by someone else")]
    yes_no = {True: "Yes", False: "No", None: "Not recorded"}
    reasons = dict(Reason.choices)
    risks = dict(Risk.choices)
    return [
        ("What happened", interview.get_outcome_display()),
        ("Why not required", interview.not_required_reason),
        ("Offered", when_text(interview.offered_at)),
        ("Interview held", when_text(interview.completed_at)),
        ("How", interview.get_method_display() if interview.method else ""),
        ("The child took part", yes_no[interview.child_engaged]),
        ("Advice given", yes_no[interview.advice_given]),
        ("Reasons for going missing", ", ".join(reasons[c] for c in interview.reason_codes)),
        ("Risks identified", ", ".join(risks[c] for c in interview.risk_codes)),
        ("The child's account", interview.child_account),
        ("Onward actions", interview.onward_actions),
    ]
