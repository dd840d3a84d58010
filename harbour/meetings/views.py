"""Multi-agency missing meetings: the tasks needing a meeting, a task, a meeting.

Every page needs meetings.manage_meetings; a task or meeting page also needs the child
(children.view_child), and a restricted child's page shows only that it exists. Every page
writes one audit event naming the children it shows. Writes go through services.py.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from harbour.accounts.permissions import allowed, permission_required, refusal, visible_to
from harbour.audit import services as auditor
from harbour.common.display import date_text, episode_when, when_text
from harbour.common.forms import refuse_and_reload
from harbour.common.paging import first_rows
from harbour.common.time import HOUR, local_date

from . import services
from .forms import ActionForm, DoneForm, HeldForm, ReasonForm, RequestMeetingForm, ScheduleForm
from .models import (
    Agency,
    Meeting,
    MeetingAction,
    MeetingKind,
    MeetingTask,
    TaskEpisode,
    TaskTrigger,
)
from .queries import LAPSED_AFTER_DAYS, lapsed_meetings, planned_meetings
from .thresholds import trigger_words

PERMISSION = "meetings.manage_meetings"
LIST_ROWS = 100


def url_for(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def _messages(request: HttpRequest) -> list[Any]:
    return list(messages.get_messages(request))


@require_GET
@permission_required(PERMISSION)
def meetings_list(request: HttpRequest) -> HttpResponse:
    visible = visible_to(request.user)
    today = local_date(timezone.now())
    # The first LIST_ROWS of each list, earliest first: years of records can leave
    # thousands of meetings never recorded as held (docs/performance.md).
    listed_tasks = first_rows(
        MeetingTask.objects.filter(visible, closed_at__isnull=True, meeting__isnull=True)
        .select_related("child")
        .annotate(episode_count=Count("links__episode", distinct=True))
        .order_by("due_on", "pk"),
        LIST_ROWS,
    )
    listed_meetings = first_rows(
        Meeting.objects.filter(visible, planned_meetings(today))
        .select_related("child")
        .order_by("requested_on", "pk"),
        LIST_ROWS,
    )
    # Requested long ago and never recorded as held or cancelled: not "planned" any more.
    listed_lapsed = first_rows(
        Meeting.objects.filter(visible, lapsed_meetings(today))
        .select_related("child")
        .order_by("requested_on", "pk"),
        LIST_ROWS,
    )
    tasks, meetings = listed_tasks.rows, listed_meetings.rows
    task_rows = [
        {
            "task": task,
            "child": task.child,
            "trigger": trigger_words(task.trigger),
            "episodes": task.episode_count,
            "raised": when_text(task.raised_at),
            "due": date_text(task.due_on),
            "overdue": task.due_on < today,
        }
        for task in tasks
    ]
    meeting_rows = [
        {
            "meeting": meeting,
            "child": meeting.child,
            "trigger": trigger_words(meeting.trigger) if meeting.trigger else "",
            "requested": date_text(meeting.requested_on),
            "scheduled": when_text(meeting.scheduled_at),
        }
        for meeting in meetings
    ]
    lapsed_rows = [
        {
            "meeting": meeting,
            "child": meeting.child,
            "requested": date_text(meeting.requested_on),
        }
        for meeting in listed_lapsed.rows
    ]
    shown = (
        {task.child_id for task in tasks}
        | {meeting.child_id for meeting in meetings}
        | {meeting.child_id for meeting in listed_lapsed.rows}
    )
    auditor.record(
        request.user,
        "meetings.worklist_viewed",
        children=sorted(shown),
        details={
            "tasks": len(tasks),
            "meetings": len(meetings),
            "lapsed": len(listed_lapsed.rows),
        },
    )
    context = {
        "task_rows": task_rows,
        "meeting_rows": meeting_rows,
        "lapsed_rows": lapsed_rows,
        "tasks_listed": listed_tasks,
        "meetings_listed": listed_meetings,
        "lapsed_listed": listed_lapsed,
        "lapsed_days": LAPSED_AFTER_DAYS,
        "config": {
            "long_hours": settings.HARBOUR_LONG_MISSING_HOURS,
            "repeat_words": trigger_words(TaskTrigger.REPEAT_MISSING).lower(),
        },
    }
    return render(request, "meetings/index.html", context)


def _steps(task: MeetingTask) -> list[dict[str, Any]]:
    """The task's steps in the GOV.UK task list pattern: request, schedule, record."""
    todo = "govuk-tag--blue"
    meeting = task.meeting
    if task.closed_at is not None and meeting is None:
        return []  # withdrawn or not needed: nothing happens next
    if meeting is None:
        return [
            {
                "name": "Request the meeting",
                "status": "Not yet started",
                "href": "#request",
                "tag": todo,
            },
            {"name": "Schedule the meeting", "status": "Cannot start yet", "href": "", "tag": ""},
            {
                "name": "Record the meeting as held",
                "status": "Cannot start yet",
                "href": "",
                "tag": "",
            },
        ]
    meeting_url = url_for("meetings_meeting", meeting.pk)
    open_meeting = meeting.held_on is None and meeting.cancelled_at is None
    return [
        {"name": "Request the meeting", "status": "Completed", "href": meeting_url, "tag": ""},
        {
            "name": "Schedule the meeting",
            "status": "Completed" if meeting.scheduled_at else "Not yet started",
            "href": url_for("meetings_meeting_schedule", meeting.pk) if open_meeting else "",
            "tag": "" if meeting.scheduled_at else todo,
        },
        {
            "name": "Record the meeting as held",
            "status": "Completed" if meeting.held_on else "Not yet started",
            "href": meeting_url,
            "tag": "" if meeting.held_on else todo,
        },
    ]


def _episode_rows(task: MeetingTask) -> list[dict[str, Any]]:
    by_episode: dict[int, dict[str, Any]] = {}
    links = (
        TaskEpisode.objects.filter(task=task)
        .select_related("episode")
        .order_by("episode__started_epoch", "episode__pk", "trigger")
    )
    for link in links:
        episode = link.episode
        row = by_episode.setdefault(
            episode.pk,
            {
                "episode": episode,
                "last_seen": episode_when(episode, episode.started_at),
                "found": episode_when(episode, episode.ended_at) or "Still missing",
                "hours": (
                    (episode.ended_epoch - episode.started_epoch) // HOUR
                    if episode.ended_epoch is not None
                    else None
                ),
                "triggers": [],
            },
        )
        row["triggers"].append(trigger_words(link.trigger))
    return list(by_episode.values())


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(MeetingTask.objects.select_related("child", "meeting"), pk=pk)
    if (refused := refusal(request, task.child)) is not None:
        return refused
    form = RequestMeetingForm(
        request.POST if request.method == "POST" else None,
        initial={"version": task.version},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                meeting = services.request_meeting(
                    request.user,
                    task,
                    requested_on=form.cleaned_data["requested_on"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                refuse_and_reload(form, error, task)
            else:
                messages.success(request, "The meeting has been requested.")
                return redirect("meetings_meeting", pk=meeting.pk)
        status = 400
    elif not form.is_bound:
        today = local_date(timezone.now())
        form = RequestMeetingForm(
            initial={
                "version": task.version,
                "requested_on-day": today.day,
                "requested_on-month": today.month,
                "requested_on-year": today.year,
            }
        )
    auditor.record(request.user, "meetings.task_viewed", obj=task, children=[task.child_id])
    context = {
        "task": task,
        "child": task.child,
        "trigger": trigger_words(task.trigger),
        "triggered": when_text(task.triggered_at),
        "raised": when_text(task.raised_at),
        "due": date_text(task.due_on),
        "overdue": task.is_open and task.due_on < local_date(timezone.now()),
        "closed": when_text(task.closed_at),
        "episode_rows": _episode_rows(task),
        "steps": _steps(task),
        "form": form,
        "errors": form.error_list() if form.is_bound else [],
        "messages": _messages(request),
    }
    return render(request, "meetings/task.html", context, status=status)


def _held_initial(meeting: Meeting) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "version": meeting.version,
        "attendees": meeting.attendee_codes,
        "attended_by": meeting.attended_by,
        "minutes": meeting.minutes,
        "outcome": meeting.outcome,
    }
    if meeting.held_on:
        initial.update(
            {
                "held_on-day": meeting.held_on.day,
                "held_on-month": meeting.held_on.month,
                "held_on-year": meeting.held_on.year,
            }
        )
    return initial


def _handle_meeting_post(
    request: HttpRequest, meeting: Meeting
) -> tuple[HttpResponse | None, HeldForm | None, ActionForm | None, str | None]:
    """Returns (redirect on success, else None; the bound form that failed; a problem with
    an action's button)."""
    which = request.POST.get("form")
    if which == "held":
        form = HeldForm(request.POST)
        if form.is_valid():
            try:
                services.record_held(
                    request.user,
                    meeting,
                    held_on=form.cleaned_data["held_on"],
                    attendees=form.cleaned_data["attendees"],
                    outcome=form.cleaned_data["outcome"],
                    minutes=form.cleaned_data["minutes"],
                    attended_by=form.cleaned_data["attended_by"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                refuse_and_reload(form, error, meeting)
            else:
                messages.success(request, "The meeting has been recorded as held.")
                return redirect("meetings_meeting", pk=meeting.pk), None, None, None
        return None, form, None, None
    if which == "action":
        action_form = ActionForm(request.POST)
        if action_form.is_valid():
            try:
                services.add_action(
                    request.user,
                    meeting,
                    description=action_form.cleaned_data["description"],
                    owner=action_form.cleaned_data["owner"],
                    due_on=action_form.cleaned_data["due_on"],
                )
            except ValidationError as error:
                action_form.refuse(error)
            else:
                messages.success(request, "The action has been added.")
                return redirect("meetings_meeting", pk=meeting.pk), None, None, None
        return None, None, action_form, None
    if which == "done":
        done = DoneForm(request.POST)
        action = None
        if done.is_valid():
            action = meeting.actions.filter(pk=done.cleaned_data["action"]).first()
        if action is None:
            return None, None, None, "Choose an action of this meeting to mark as done."
        try:
            services.complete_action(
                request.user,
                action,
                done_on=local_date(timezone.now()),
                version=done.cleaned_data["version"],
            )
        except ValidationError as error:
            return None, None, None, error.messages[0]
        messages.success(request, "The action has been marked as done.")
        return redirect("meetings_meeting", pk=meeting.pk), None, None, None
    return None, None, None, "Choose what to do."


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(
        Meeting.objects.select_related("child").prefetch_related(
            Prefetch("actions", queryset=MeetingAction.objects.order_by("pk"))
        ),
        pk=pk,
    )
    if (refused := refusal(request, meeting.child)) is not None:
        return refused
    # An exploitation strategy discussion is recorded on its own page (the s47 decision,
    # outcomes, conference due date): whoever may work on it goes there; anyone else with
    # this page sees it without the missing meeting's forms.
    strategy = meeting.kind == MeetingKind.STRATEGY
    if strategy and allowed(request.user, "exploitation.manage_strategy", meeting.child):
        return redirect("strategy_detail", pk=meeting.pk)
    held_form = action_form = None
    action_error = None
    if request.method == "POST" and strategy:
        action_error = (
            "A strategy discussion is recorded by an exploitation lead or the child's "
            "social worker."
        )
    elif request.method == "POST":
        done, held_form, action_form, action_error = _handle_meeting_post(request, meeting)
        if done is not None:
            return done
        meeting = get_object_or_404(
            Meeting.objects.select_related("child").prefetch_related("actions"), pk=pk
        )
    failed = held_form or action_form
    errors = failed.error_list() if failed else []
    if action_error:
        errors.append({"text": action_error, "href": "#actions"})
    held_form = held_form or HeldForm(initial=_held_initial(meeting))
    action_form = action_form or ActionForm()
    tasks = list(
        meeting.tasks.order_by("raised_at", "pk").annotate(
            episode_count=Count("links__episode", distinct=True)
        )
    )
    auditor.record(
        request.user, "meetings.meeting_viewed", obj=meeting, children=[meeting.child_id]
    )
    context = {
        "meeting": meeting,
        "child": meeting.child,
        "kind": meeting.get_kind_display(),
        "trigger": trigger_words(meeting.trigger) if meeting.trigger else "",
        "requested": date_text(meeting.requested_on),
        "held": date_text(meeting.held_on),
        "scheduled": when_text(meeting.scheduled_at),
        "cancelled": when_text(meeting.cancelled_at),
        "planned": meeting.held_on is None and meeting.cancelled_at is None,
        "attendees": meeting.attendee_labels,
        "actions": [
            {"action": action, "due": date_text(action.due_on), "done": date_text(action.done_on)}
            for action in meeting.actions.all()
        ],
        "tasks": [
            {"task": task, "trigger": trigger_words(task.trigger), "episodes": task.episode_count}
            for task in tasks
        ],
        "held_form": held_form,
        "action_form": action_form,
        "strategy": strategy,
        "agency_choices": Agency.choices,
        "selected_agencies": held_form["attendees"].value() or [],
        "errors": errors,
        "action_error": action_error,
        "messages": _messages(request),
    }
    return render(request, "meetings/meeting.html", context, status=400 if errors else 200)


# ------------------------------------------------------------ close, cancel, schedule


def _reason_step(
    request: HttpRequest,
    record: MeetingTask | Meeting,
    write: Any,
    *,
    required_message: str,
    done_message: str,
    page_name: str,
    action_name: str,
    page: dict[str, str],
) -> HttpResponse:
    """A step that takes one reason and writes it through `write(actor, record, reason=,
    version=)`: closing a task as not needed, cancelling a meeting. A refusal (a stale
    version among them) comes back on the form with the version now stored."""
    form = ReasonForm(
        request.POST if request.method == "POST" else None,
        initial={"version": record.version},
        required_message=required_message,
    )
    if request.method == "POST" and form.is_valid():
        try:
            write(
                request.user,
                record,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            refuse_and_reload(form, error, record)
        else:
            messages.success(request, done_message)
            return redirect(page_name, pk=record.pk)
    context = {
        **page,
        "child": record.child,
        "form": form,
        "errors": form.error_list() if form.is_bound else [],
        "action": url_for(action_name, record.pk),
        "back": url_for(page_name, record.pk),
    }
    # A bound form reaches here only when it was refused.
    return render(request, "meetings/reason.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a task as not needed, with the reason."""
    task = get_object_or_404(MeetingTask.objects.select_related("child"), pk=pk)
    if (refused := refusal(request, task.child)) is not None:
        return refused
    if task.closed_at is not None or task.meeting_id is not None:
        return redirect("meetings_task", pk=task.pk)
    return _reason_step(
        request,
        task,
        services.close_task_not_needed,
        required_message="Enter why a meeting is not needed",
        done_message="The task has been closed as not needed.",
        page_name="meetings_task",
        action_name="meetings_task_close",
        page={
            "page_title": "Close the task as not needed",
            "caption": f"Meeting needed: {trigger_words(task.trigger)}",
            "label": "Why is a meeting not needed?",
            "hint": "For example, the child is already the subject of a strategy meeting.",
            "button": "Close the task",
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a planned meeting, with the reason."""
    meeting = get_object_or_404(Meeting.objects.select_related("child"), pk=pk)
    if (refused := refusal(request, meeting.child)) is not None:
        return refused
    if meeting.held_on is not None or meeting.cancelled_at is not None:
        return redirect("meetings_meeting", pk=meeting.pk)
    return _reason_step(
        request,
        meeting,
        services.cancel_meeting,
        required_message="Enter why the meeting is cancelled",
        done_message="The meeting has been cancelled.",
        page_name="meetings_meeting",
        action_name="meetings_meeting_cancel",
        page={
            "page_title": "Cancel the meeting",
            "caption": f"Meeting {meeting.meeting_id}",
            "label": "Why is the meeting cancelled?",
            "hint": "Any task the meeting was for is listed again as needing a meeting.",
            "button": "Cancel the meeting",
        },
    )


def _schedule_initial(meeting: Meeting) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "version": meeting.version,
        "venue": meeting.venue,
        "chair": meeting.chair,
        "invitees": meeting.invitees,
    }
    if meeting.scheduled_at:
        local = timezone.localtime(meeting.scheduled_at)
        initial.update(
            {
                "scheduled_on-day": local.day,
                "scheduled_on-month": local.month,
                "scheduled_on-year": local.year,
                "time": f"{local:%H:%M}",
            }
        )
    return initial


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def meeting_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """When and where a planned meeting takes place, who chairs it, who is invited."""
    meeting = get_object_or_404(Meeting.objects.select_related("child"), pk=pk)
    if (refused := refusal(request, meeting.child)) is not None:
        return refused
    if meeting.held_on is not None or meeting.cancelled_at is not None:
        return redirect("meetings_meeting", pk=meeting.pk)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid() and form.cleaned_data["scheduled_at"] is not None:
            try:
                services.schedule_meeting(
                    request.user,
                    meeting,
                    scheduled_at=form.cleaned_data["scheduled_at"],
                    venue=form.cleaned_data["venue"],
                    chair=form.cleaned_data["chair"],
                    invitees=form.cleaned_data["invitees"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                refuse_and_reload(form, error, meeting)
            else:
                messages.success(request, "The meeting has been scheduled.")
                return redirect("meetings_meeting", pk=meeting.pk)
    else:
        form = ScheduleForm(initial=_schedule_initial(meeting))
    context = {
        "meeting": meeting,
        "child": meeting.child,
        "form": form,
        "errors": form.error_list() if form.is_bound else [],
    }
    return render(request, "meetings/schedule.html", context, status=400 if form.is_bound else 200)
