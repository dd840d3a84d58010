"""Episode pages for missing coordinators: open episodes, recording a police notification
(matching it to a child), an episode, marking a child found, amending an episode.

Views are thin: forms read what was typed, harbour.missing.matching proposes children,
harbour.missing.services writes. Every page that shows a child writes one audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from harbour.accounts.permissions import (
    allowed,
    permission_required,
    refusal,
    visible_children,
    visible_to,
)
from harbour.audit import services as auditor
from harbour.children.models import Child, Sex
from harbour.children.services import save_child
from harbour.common.display import date_text, episode_when, when_text
from harbour.common.paging import CappedPaginator, page_href
from harbour.common.services import Conflict
from harbour.common.time import HOUR, epoch_seconds
from harbour.meetings.thresholds import trigger_words

from . import services
from .forms import (
    AmendForm,
    EpisodeFilterForm,
    FoundForm,
    NotificationForm,
    datetime_initial,
)
from .matching import find_candidates
from .models import Category, Episode, RiskLevel
from .queries import RHI_DUE_SECONDS

PERMISSION = "missing.manage_episodes"
RISK_TAGS = {
    RiskLevel.HIGH: "govuk-tag--red",
    RiskLevel.MEDIUM: "govuk-tag--orange",
    RiskLevel.LOW: "govuk-tag--yellow",
    RiskLevel.NO_APPARENT_RISK: "govuk-tag--green",
}
SORTS = {"longest": "started_epoch", "shortest": "-started_epoch"}
# Rows on a page of the episodes list.
PAGE_SIZE = 50


def risk_tag(level: str) -> dict[str, str]:
    if not level:
        return {"text": "Not graded", "classes": "govuk-tag--grey"}
    risk = RiskLevel(level)
    return {"text": risk.label, "classes": RISK_TAGS[risk]}


def merge_note(name: str, episode: Episode, started_at: dt.datetime | None, risk_level: str) -> str:
    """What recording a notification (last seen `started_at`, graded `risk_level`) for a
    child does to their open episode (services.record_notification merges into it)."""
    added = (
        f"{name} has an open episode, {episode.episode_id}: this notification will be added to it."
    )
    if started_at is not None and started_at < episode.started_at:
        before, after = episode_when(episode, episode.started_at), when_text(started_at)
        seen = f"Its last seen time moves from {before} to {after}."
    else:
        seen = f"Its last seen time stays {episode_when(episode, episode.started_at)}."
    risk = ""
    if risk_level and risk_level != episode.risk_level:
        risk = (
            f" Its risk grade changes from {risk_tag(episode.risk_level)['text']} to "
            f"{RiskLevel(risk_level).label}."
        )
    return f"{added} {seen}{risk}"


def _common(**context: Any) -> dict[str, Any]:
    return {
        "category_choices": Category.choices,
        "risk_choices": RiskLevel.choices,
        "sex_choices": Sex.choices,
        **context,
    }


def _episode_or_refusal(request: HttpRequest, pk: int) -> Episode | HttpResponse:
    episode = get_object_or_404(Episode.objects.select_related("child"), pk=pk)
    return refusal(request, episode.child) or episode


def _searched(term: str) -> Q:
    """Episodes whose police reference, or whose child's given or family name, holds each
    word typed (any case): "alfie smi" finds Alfie Smith, "NWP-1" every reference holding
    it. Deliberately plain: finding a child by a likeness of names is the Find a child box."""
    wanted = Q()
    for word in term.split():
        wanted &= (
            Q(episode_id__icontains=word)
            | Q(child__given_name__icontains=word)
            | Q(child__family_name__icontains=word)
        )
    return wanted


def filtered_episodes(user: Any, filters: dict[str, Any], now: int) -> QuerySet[Episode]:
    """The episodes of the children `user` may see that match the list's filters, each
    with `overlaps` and `hours_missing` (until found, or until `now` while open), in the
    list's order."""
    episodes = Episode.objects.filter(visible_to(user))
    status = filters["status"]
    if status == EpisodeFilterForm.OPEN:
        episodes = episodes.open()
    elif status == EpisodeFilterForm.CLOSED:
        episodes = episodes.closed()
    if filters["category"]:
        episodes = episodes.filter(category=filters["category"])
    # started_on is the UK date of last seen: 23:30 UTC on 30 June is 1 July in summer.
    if filters["seen_from"]:
        episodes = episodes.filter(started_on__gte=filters["seen_from"])
    if filters["seen_to"]:
        episodes = episodes.filter(started_on__lte=filters["seen_to"])
    if filters["search"]:
        episodes = episodes.filter(_searched(filters["search"]))
    order: tuple[str, ...]
    if status == EpisodeFilterForm.OPEN:
        order = (SORTS[filters["sort"]], "pk")
    else:
        # Newest last seen first. started_on leads so the index on it gives the order
        # (the UK date rises with the instant); started_epoch orders within a day.
        order = ("-started_on", "-started_epoch", "-pk")
    return (
        services.with_overlap(episodes)
        .select_related("child")
        .annotate(
            hours_missing=ExpressionWrapper(
                (Coalesce(F("ended_epoch"), Value(now)) - F("started_epoch")) / Value(HOUR),
                output_field=IntegerField(),
            )
        )
        .order_by(*order)
    )


def _sort_href(request: HttpRequest, sort: str) -> str:
    """The list with the same filters, sorted by `sort`, from its first page."""
    query = request.GET.copy()
    query.pop("page", None)
    query["sort"] = sort
    return f"?{query.urlencode()}"


@require_safe
@permission_required(PERMISSION)
def episode_list(request: HttpRequest) -> HttpResponse:
    form = EpisodeFilterForm(request.GET)
    context: dict[str, Any] = {"form": form, "has_errors": False, "rows": [], "page": None}
    if not form.is_valid():
        # A date that cannot be read lists nothing rather than a list the person did not ask
        # for; the boxes keep what was typed and say what is wrong.
        context["has_errors"] = True
        return render(request, "missing/list.html", context)
    filters = form.cleaned_data
    now = epoch_seconds(timezone.now())
    number = request.GET.get("page")
    paginator = CappedPaginator(
        filtered_episodes(request.user, filters, now), PAGE_SIZE, page=number
    )
    page = paginator.get_page(number)
    episodes = list(page.object_list)
    auditor.record(
        request.user,
        "missing.episodes_viewed",
        children=[episode.child_id for episode in episodes],
        details={
            "count": len(episodes),
            "page_number": page.number,
            # The choices only: the words searched for may be a child's name (docs/audit.md).
            "filters": {
                "status": filters["status"],
                "category": filters["category"],
                "seen_from": filters["seen_from"].isoformat() if filters["seen_from"] else "",
                "seen_to": filters["seen_to"].isoformat() if filters["seen_to"] else "",
                "search": bool(filters["search"]),
                "sort": filters["sort"],
            },
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    base = query.urlencode()
    context.update(
        {
            "rows": [
                {"episode": episode, "risk": risk_tag(episode.risk_level)} for episode in episodes
            ],
            "page": page,
            "status": filters["status"],
            "sort": filters["sort"],
            "filtered": form.is_filtered,
            "previous_href": page_href(base, page.number - 1) if page.has_previous() else "",
            "next_href": page_href(base, page.number + 1) if page.has_next() else "",
            "sort_hrefs": {sort: _sort_href(request, sort) for sort in SORTS},
        }
    )
    return render(request, "missing/list.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def notification_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # Received now unless the coordinator says otherwise: shown, so it can be changed.
        form = NotificationForm(initial=datetime_initial("notified", timezone.now()))
        return render(request, "missing/new.html", _common(form=form, has_errors=False))
    form = NotificationForm(request.POST)
    if not form.is_valid():
        return render(request, "missing/new.html", _common(form=form, has_errors=True), status=400)
    if request.POST.get("step") == "edit":
        return render(request, "missing/new.html", _common(form=form, has_errors=False))
    data = form.cleaned_data
    candidates = find_candidates(
        police_reference=data["police_reference"],
        child_id=data["child_id"],
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["birth"],
        children=visible_children(request.user),
    )
    choice = request.POST.get("choice", "")
    choice_error = ""
    if request.POST.get("step") == "choose":
        by_pk = {str(candidate.child.pk): candidate.child for candidate in candidates}
        if choice in by_pk or choice == "new":
            try:
                # One transaction: a new child is kept only with their notification, even
                # if the database goes away between the two.
                with transaction.atomic():
                    child = by_pk.get(choice) or _new_child(request, form)
                    if child is not None:
                        result = services.record_notification(
                            request.user,
                            child=child,
                            police_reference=data["police_reference"],
                            category=data["category"],
                            started_at=data["started"],
                            reported_at=data["reported"],
                            # Left blank: received when the coordinator records it.
                            notified_at=data["notified"] or timezone.now(),
                            risk_level=data["risk_level"],
                            ended_at=data["found"],
                            found_location=data["found_location"],
                        )
                        return redirect(_recorded_url(result))
            except ValidationError as problem:
                choice_error = " ".join(problem.messages)
        else:
            choice_error = "Select the child this notification is about, or create a new child"
    auditor.record(
        request.user,
        "missing.candidates_viewed",
        children=[candidate.child.pk for candidate in candidates],
        details={"count": len(candidates)},
    )
    open_episodes: dict[int, Episode] = {}
    for episode in (
        Episode.objects.open()
        .filter(child__in=[candidate.child.pk for candidate in candidates])
        .order_by("-started_at", "-pk")
    ):
        # The earliest last, so that it is kept: the one recording merges into.
        open_episodes[episode.child_id] = episode
    merges = {
        candidate.child.pk: merge_note(
            candidate.child.full_name,
            open_episodes[candidate.child.pk],
            data["started"],
            data["risk_level"],
        )
        for candidate in candidates
        if services.joins_open_episode(open_episodes.get(candidate.child.pk), data["found"])
    }
    certain = candidates and candidates[0].score == 100 and not candidates[0].disagreements
    if not choice and certain:
        choice = str(candidates[0].child.pk)
    context = _common(
        form=form,
        candidates=candidates,
        merges=merges,
        choice=choice,
        choice_error=choice_error,
        has_errors=bool(choice_error),
        started=when_text(data["started"]),
        found=when_text(data["found"]),
        birth=date_text(data["birth"]) or "Not given",
    )
    return render(request, "missing/choose.html", context, status=400 if choice_error else 200)


def _new_child(request: HttpRequest, form: NotificationForm) -> Child | None:
    data = form.cleaned_data
    if data["birth"] is None:
        raise ValidationError(
            "Enter the child's date of birth (on the first page) to create a new child"
        )
    child = Child(
        # Without the person id the child is given a Harbour id until it is known.
        child_id=data["child_id"] or services.harbour_child_id(),
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["birth"],
        sex=data["sex"] or Sex.UNKNOWN,
    )
    try:
        return save_child(request.user, child)
    except ValidationError as problem:
        if "child_id" in getattr(problem, "error_dict", {}):
            raise ValidationError(
                f"A child with the person id {data['child_id']} is already on the register, "
                "or the id is not valid: use that child or check the id"
            ) from None
        raise


def _recorded_url(result: services.NotificationResult) -> str:
    from django.urls import reverse

    outcome = "repeated" if result.repeated else "merged" if result.merged else "created"
    return f"{reverse('episode_detail', args=[result.episode.pk])}?recorded={outcome}"


@require_safe
@permission_required(PERMISSION)
def episode_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_or_refusal(request, pk)
    if isinstance(episode, HttpResponse):
        return episode
    overlapping = services.overlapping_episodes(episode)
    references = list(episode.references.all())
    meeting_tasks = list(episode.meeting_tasks.distinct().order_by("raised_at", "pk"))
    auditor.record(request.user, "missing.episode_viewed", obj=episode, children=[episode.child])
    rhi_due = episode.ended_at + dt.timedelta(seconds=RHI_DUE_SECONDS) if episode.ended_at else None
    context = {
        "episode": episode,
        "child": episode.child,
        "references": [(ref.reference, when_text(ref.received_at)) for ref in references],
        "overlapping": [
            (other, episode_when(other, other.started_at), episode_when(other, other.ended_at))
            for other in overlapping
        ],
        "risk": risk_tag(episode.risk_level),
        "times": {
            name: episode_when(episode, getattr(episode, name))
            for name in ("started_at", "reported_at", "notified_at", "ended_at")
        },
        "rhi_due": when_text(rhi_due),
        "meeting_tasks": [
            (task, trigger_words(task.trigger), date_text(task.due_on)) for task in meeting_tasks
        ],
        "recorded": request.GET.get("recorded", ""),
        "changed": request.GET.get("changed", ""),
        # The exploitation referral form reads ?episode= and links the referral to it.
        "may_refer": allowed(request.user, "exploitation.record_referral", episode.child),
    }
    return render(request, "missing/detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def episode_found(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_or_refusal(request, pk)
    if isinstance(episode, HttpResponse):
        return episode
    if not episode.is_open:
        return redirect("episode_amend", pk=episode.pk)
    conflict = ""
    if request.method == "POST":
        form = FoundForm(request.POST)
        if form.is_valid():
            try:
                services.mark_found(
                    request.user,
                    episode,
                    ended_at=form.cleaned_data["ended"],
                    found_location=form.cleaned_data["found_location"],
                    version=form.cleaned_data["version"],
                )
                return redirect(f"{_detail_url(episode)}?changed=found")
            except Conflict as problem:
                conflict = str(problem)
                episode.refresh_from_db()
            except ValidationError as problem:
                _add_service_errors(form, problem, {"ended_at": "ended_day"})
    else:
        form = FoundForm(initial={"version": episode.version})
    auditor.record(request.user, "missing.episode_viewed", obj=episode, children=[episode.child])
    context = {
        "form": form,
        "episode": episode,
        "child": episode.child,
        "last_seen": episode_when(episode, episode.started_at),
        "conflict": conflict,
        "version": episode.version,
        "has_errors": bool(form.errors or conflict),
    }
    return render(
        request, "missing/found.html", context, status=400 if context["has_errors"] else 200
    )


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def episode_amend(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode_or_refusal(request, pk)
    if isinstance(episode, HttpResponse):
        return episode
    conflict = ""
    if request.method == "POST":
        form = AmendForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            changes = {
                "category": data["category"],
                "risk_level": data["risk_level"],
                "started_at": data["started"],
                "found_location": data["found_location"],
            }
            if not episode.is_open or data["ended"] is not None:
                changes["ended_at"] = data["ended"]
            try:
                services.amend_episode(
                    request.user,
                    episode,
                    changes=changes,
                    reason=data["reason"],
                    version=data["version"],
                )
                return redirect(f"{_detail_url(episode)}?changed=amended")
            except Conflict as problem:
                conflict = str(problem)
                episode.refresh_from_db()
            except ValidationError as problem:
                _add_service_errors(
                    form, problem, {"started_at": "started_day", "ended_at": "ended_day"}
                )
    else:
        form = AmendForm(
            initial={
                "category": episode.category,
                "risk_level": episode.risk_level,
                "found_location": episode.found_location,
                "version": episode.version,
                **datetime_initial("started", episode.started_at),
                **datetime_initial("ended", episode.ended_at),
            }
        )
    auditor.record(request.user, "missing.episode_viewed", obj=episode, children=[episode.child])
    context = _common(
        form=form,
        episode=episode,
        child=episode.child,
        conflict=conflict,
        version=episode.version,
        current={
            "category": episode.get_category_display(),
            "risk": risk_tag(episode.risk_level)["text"],
            "started": episode_when(episode, episode.started_at),
            "ended": episode_when(episode, episode.ended_at) or "Not found yet",
            "found_location": episode.found_location,
        },
        has_errors=bool(form.errors or conflict),
    )
    return render(
        request, "missing/amend.html", context, status=400 if context["has_errors"] else 200
    )


def _detail_url(episode: Episode) -> str:
    from django.urls import reverse

    return reverse("episode_detail", args=[episode.pk])


def _add_service_errors(form: Any, problem: ValidationError, fields: dict[str, str]) -> None:
    if hasattr(problem, "error_dict"):
        for name, errors in problem.message_dict.items():
            target = fields.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, problem.messages)
