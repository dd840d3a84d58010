"""Uploading a police CSV extract: the file, the force's column mapping, the preview with
every problem named and a choice for every row, then recording it all at once.

Thin views: harbour.missing.upload's other modules read, check, match and write. A held file is
seen only by the person who uploaded it (anyone else gets 404), and only until it is
recorded, discarded or 24 hours old."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from harbour.accounts.permissions import permission_required, visible_to
from harbour.audit import services as auditor
from harbour.common.display import date_text, when_text
from harbour.common.services import Conflict

from .. import services
from ..models import Category, Episode, PoliceForce, PoliceUpload, RiskLevel
from ..views import merge_note
from . import files
from .commit import CommitRefused, commit
from .files import MAX_BYTES, MAX_ROWS, UPLOAD_HOURS, UploadRefused, headers_of, receive
from .forms import (
    CATEGORY_FIELDS,
    FORMAT_FIELDS,
    RISK_FIELDS,
    SEX_CHOICES,
    ChoicesForm,
    MappingForm,
    UploadForm,
)
from .mappings import (
    FIELDS,
    MappingMismatch,
    first_values,
    mapping_for,
    save_mapping,
)
from .preview import Preview, build_preview, record_refusals
from .rows import Row

PERMISSION = "missing.manage_episodes"

RESULT_KEY = "police_upload_result"


def _uploader(request: HttpRequest) -> User:
    """The person signed in, who alone sees the files they upload."""
    if not isinstance(request.user, User):
        # Cannot happen: permission_required sends anyone not signed in to sign in first.
        raise PermissionDenied
    return request.user


def _held(request: HttpRequest, pk: int) -> PoliceUpload:
    files.purge_expired()
    upload = (
        PoliceUpload.objects.select_related("force")
        .filter(pk=pk, uploaded_by=_uploader(request))
        .first()
    )
    if upload is None:
        raise Http404("No such upload")
    return upload


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def upload(request: HttpRequest) -> HttpResponse:
    files.purge_expired()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                held = receive(
                    _uploader(request), form.cleaned_data["force"], form.cleaned_data["file"]
                )
            except UploadRefused as problem:
                form.add_error("file", str(problem))
            else:
                return redirect("police_upload_preview", pk=held.pk)
    else:
        form = UploadForm()
    context = {
        "form": form,
        "force_choices": [("", "Select a police force")]
        + [(force.pk, force.name) for force in PoliceForce.objects.all()],
        "max_mb": MAX_BYTES // (1024 * 1024),
        "max_rows": MAX_ROWS,
        "hours": UPLOAD_HOURS,
        "has_errors": bool(form.errors),
    }
    return render(request, "missing/upload_file.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    held = _held(request, pk)
    try:
        headers = headers_of(held)
    except UploadRefused as problem:
        return _unreadable(request, held, str(problem))
    current = mapping_for(held.force)
    conflict = ""
    reason = request.GET.get("reason", "")
    if request.method == "POST":
        form = MappingForm(request.POST, headers=headers)
        if form.is_valid():
            try:
                save_mapping(request.user, held.force, headers=headers, **form.mapping_values())
                return redirect("police_upload_preview", pk=held.pk)
            except Conflict as problem:
                conflict = str(problem)
                # The form is bound to request.POST, which cannot be changed: it shows a copy
                # holding the version the mapping has now (as text, as it was posted).
                data = request.POST.copy()
                data["version"] = str(current.version) if current else ""
                form.data = data
            except ValidationError as problem:
                for name, messages in problem.message_dict.items():
                    form.add_error(name if name in form.fields else None, messages)
    else:
        form = MappingForm(initial=MappingForm.initial_for(current, headers), headers=headers)
    context = {
        "form": form,
        "upload": held,
        "fields": FIELDS,
        "category_fields": CATEGORY_FIELDS,
        "risk_fields": RISK_FIELDS,
        "format_fields": FORMAT_FIELDS,
        "format_examples": form.format_examples(first_values(held)),
        "has_mapping": current is not None,
        "reason": reason,
        "conflict": conflict,
        "has_errors": bool(form.errors or conflict),
    }
    return render(
        request,
        "missing/upload_mapping.html",
        context,
        status=400 if context["has_errors"] else 200,
    )


@require_http_methods(["GET", "POST"])
@permission_required(PERMISSION)
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    held = _held(request, pk)
    try:
        built = build_preview(held, request.user)
    except MappingMismatch as problem:
        if request.method == "POST":
            return _refused(request, held, [str(problem)])
        return redirect(f"{reverse('police_upload_mapping', args=[held.pk])}?reason=mismatch")
    except UploadRefused as problem:
        return _unreadable(request, held, str(problem))
    # Restricted children a row named: refused (and audited) once per request.
    record_refusals(request.user, built, request.path)
    refused: list[str] = []
    if request.method == "POST":
        form = ChoicesForm(request.POST, preview=built)
        if form.is_valid():
            try:
                # The preview just built is the one checked and recorded: read once.
                result = commit(
                    request.user,
                    held,
                    choices=form.choices(),
                    sexes=form.sexes(),
                    mapping_version=form.cleaned_data["mapping_version"],
                    offered=form.offered(),
                    preview=built,
                )
            except CommitRefused as problem:
                refused = problem.problems
                auditor.record(
                    request.user,
                    "missing.police_upload_refused",
                    obj=held,
                    details={"problems": len(problem.problems)},
                )
            else:
                request.session[RESULT_KEY] = {
                    "force": str(held.force),
                    **result.counts(),
                    "overlapping": result.overlapping,
                }
                return redirect("police_upload_done")
    else:
        form = ChoicesForm(initial={"mapping_version": built.mapping.version}, preview=built)
    auditor.record(
        request.user,
        "missing.police_upload_previewed",
        obj=held,
        children=built.children_shown(),
        details={"force": held.force.code, **built.counts()},
    )
    context = _preview_context(built, form, refused)
    return render(
        request,
        "missing/upload_preview.html",
        context,
        status=400 if context["has_errors"] else 200,
    )


def _merge_note(row: Row, name: str, episode: Episode) -> str:
    """What recording the row for this child does to the child's open episode."""
    return merge_note(name, episode, row.started_at, row.risk_level)


def _preview_context(built: Preview, form: ChoicesForm, refused: list[str]) -> dict[str, Any]:
    def describe(row: Row) -> dict[str, Any]:
        return {
            "row": row,
            "last_seen": when_text(row.started_at),
            "found": when_text(row.ended_at),
            "born": date_text(row.date_of_birth) or "Not given",
            "risk": RiskLevel(row.risk_level).label if row.risk_level else "Not graded",
            "category": dict(Category.choices).get(row.category, ""),
            "choice": form.value(f"row-{row.number}"),
            "sex": form.value(f"sex-{row.number}") if f"sex-{row.number}" in form.fields else "",
            "errors": form.errors.get(f"row-{row.number}", []),
            "merges": {
                child_pk: _merge_note(row, candidate_name, episode)
                for candidate_name, child_pk, episode in (
                    (c.child.full_name, c.child.pk, row.open_episodes.get(c.child.pk))
                    for c in row.candidates
                )
                if episode is not None and services.joins_open_episode(episode, row.ended_at)
            },
        }

    # Every entry links to an element the page has: a row's first radio, a sex select, or
    # the form itself (id "rows") for the file as a whole.
    errors = [{"text": text, "href": "#rows"} for text in refused]
    errors += form.error_list()
    return {
        "preview": built,
        "upload": built.upload,
        "form": form,
        "counts": built.counts(),
        "problems": built.problems,
        "problem_rows": [describe(row) for row in built.of("problem")],
        "recorded_rows": [describe(row) for row in built.of("recorded")],
        "ready_rows": [describe(row) for row in built.of("ready")],
        "sex_choices": SEX_CHOICES,
        "errors": errors,
        "has_errors": bool(errors),
        "hours": UPLOAD_HOURS,
    }


@require_safe
@permission_required(PERMISSION)
def done(request: HttpRequest) -> HttpResponse:
    result = request.session.pop(RESULT_KEY, None)
    if not result:
        return redirect("police_upload")
    return render(
        request,
        "missing/upload_done.html",
        {"result": result, "overlapping": _overlapping(request, result.get("overlapping", []))},
    )


def _overlapping(request: HttpRequest, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overlaps found while recording, as the episode page shows them: only episodes
    of children the user may open (one query)."""
    wanted = {pk for entry in entries for pk in [entry["episode"], *entry["others"]]}
    if not wanted:
        return []
    episodes = {
        episode.pk: episode
        for episode in Episode.objects.filter(pk__in=wanted).filter(visible_to(request.user))
    }
    shown = []
    for entry in entries:
        episode = episodes.get(entry["episode"])
        others = [
            (other, when_text(other.started_at), when_text(other.ended_at))
            for pk in entry["others"]
            if (other := episodes.get(pk)) is not None
        ]
        if episode is not None and others:
            shown.append({"rows": entry["rows"], "episode": episode, "others": others})
    return shown


@permission_required(PERMISSION)
@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    held = _held(request, pk)
    files.discard(request.user, held)
    return redirect(f"{reverse('police_upload')}?discarded=1")


def _unreadable(request: HttpRequest, held: PoliceUpload, message: str) -> HttpResponse:
    return _refused(request, held, [message])


def _refused(request: HttpRequest, held: PoliceUpload, problems: list[str]) -> HttpResponse:
    context = {"upload": held, "problems": problems}
    return render(request, "missing/upload_refused.html", context, status=400)
