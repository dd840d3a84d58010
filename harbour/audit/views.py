"""The auditors' pages: the trail with filters, who looked at a child, what a user looked
at, and the same as CSV. Auditors only (audit.view_trail); every page view and download is
itself audited, with the children it showed."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from markupsafe import Markup, escape

from harbour.accounts.permissions import permission_required
from harbour.children.models import Child
from harbour.common.display import when_text
from harbour.common.paging import page_href
from harbour.jinja2 import url
from harbour.reports.formats import safe_cell

from . import services as auditor
from .actions import action_name, filter_choices
from .forms import TrailFilterForm
from .models import AuditEvent, AuditSubject

PAGE_SIZE = 50
EXPORT_CHUNK = 1000

View = Callable[..., HttpResponseBase]


def auditors_only(view: View) -> View:
    """Anonymous visitors go to the sign-in page; signed-in users without the permission
    get 403."""
    return require_GET(permission_required("audit.view_trail")(view))


@dataclass
class ChildLabel:
    pk: int
    person_id: str = ""  # empty once erased
    restricted: bool = False

    @cached_property
    def href(self) -> str:
        return url("audit_child", self.pk)

    @property
    def text(self) -> str:
        return self.person_id or f"erased child #{self.pk}"


@dataclass
class Row:
    event: AuditEvent
    children: list[ChildLabel] = field(default_factory=list)
    # The sealed values: shown, withheld (restricted record), unreadable (erased) or none.
    values: Any = None
    values_state: str = "none"
    # Sealed with a person of concern's key, not a child's (the words for "unreadable").
    sealed_for_person: bool = False

    @property
    def erased(self) -> str:
        """Whose erasure made the sealed values unreadable."""
        return "person of concern" if self.sealed_for_person else "child"

    @property
    def when(self) -> str:
        return when_text(self.event.occurred_at, seconds=True)

    @property
    def children_links(self) -> Markup:
        """Each child as a link to who looked at them, comma-separated. Built here rather
        than in a template loop: one event can name hundreds of children (a dashboard or an
        audit page lists every child it showed), and a page shows fifty events."""
        # Every value in it is escaped here; Markup.format would do the same ten times slower.
        return Markup(  # noqa: S704  # nosec B704
            ", ".join(
                f'<a class="govuk-link" href="{escape(label.href)}">{escape(label.text)}</a>'
                for label in self.children
            )
        )

    @property
    def record(self) -> str:
        event = self.event
        return f"{event.object_type} {event.object_id}".strip()

    @property
    def action_name(self) -> str:
        return action_name(self.event.action)

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """The sealed before and after values, when shown: (what, before, after)."""
        return _changes(self.values) if self.values_state == "shown" else []

    @property
    def value_lines(self) -> list[str]:
        """Sealed values that are not a before and after (a record deleted or exported)."""
        return _value_lines(self.values) if self.values_state == "shown" else []

    @property
    def detail_lines(self) -> list[str]:
        details = self.event.details
        if not isinstance(details, dict):
            return [_readable(details)] if details else []
        return [f"{_label(key)}: {_readable(value, key)}" for key, value in details.items()]

    @property
    def details_text(self) -> str:
        """The details as JSON, for the CSV (a program reads it)."""
        return _compact(self.event.details) if self.event.details else ""


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


DETAIL_LABELS = {"fields": "Fields changed"}


def _label(name: str) -> str:
    """A field or detail name as a person reads it: "given_name" is "Given name"."""
    if name in DETAIL_LABELS:
        return DETAIL_LABELS[name]
    words = str(name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _readable(value: Any, key: str = "") -> str:
    """A value as words: yes and no, lists joined, pairs of dates as a range, no JSON."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        if key == "fields":
            return ", ".join(_label(item) for item in value)
        if len(value) == 2 and all(isinstance(item, str) for item in value) and key == "":
            return f"{value[0]} to {value[1]}"
        return ", ".join(_readable(item) for item in value) if value else "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_readable(v, k)}" for k, v in value.items())
    return str(value)


def _changes(values: Any) -> list[tuple[str, str, str]]:
    if not isinstance(values, dict) or not isinstance(values.get("changes"), dict):
        return []
    rows = []
    for name, pair in values["changes"].items():
        if isinstance(pair, list) and len(pair) == 2:
            rows.append((_label(name), _readable(pair[0]), _readable(pair[1])))
        else:
            rows.append((_label(name), "", _readable(pair)))
    return rows


def _value_lines(values: Any) -> list[str]:
    """Sealed values other than "changes": {"values": {...}} as "Field: value"."""
    if not isinstance(values, dict):
        return [_readable(values)]
    lines = []
    for key, content in values.items():
        if key == "changes" and isinstance(content, dict):
            continue
        if key == "values" and isinstance(content, dict):
            lines += [f"{_label(name)}: {_readable(value)}" for name, value in content.items()]
        else:
            lines.append(f"{_label(key)}: {_readable(content, key)}")
    return lines


def _rows(events: Iterable[AuditEvent], user: Any) -> list[Row]:
    """The events with their children's person ids and, where they can be read and the
    user may see them, their sealed values. A few queries, however many events."""
    events = list(events)
    subjects: dict[int, list[int]] = defaultdict(list)
    for event_id, child_pk in AuditSubject.objects.filter(event__in=events).values_list(
        "event_id", "child_pk"
    ):
        subjects[event_id].append(child_pk)
    child_pks = {pk for pks in subjects.values() for pk in pks}
    known = {
        pk: ChildLabel(pk, person_id, restricted)
        for pk, person_id, restricted in Child.objects.filter(pk__in=child_pks).values_list(
            "pk", "child_id", "restricted"
        )
    }
    allowed = set(
        Child.access_list.through.objects.filter(
            child_id__in=[pk for pk, label in known.items() if label.restricted], user_id=user.pk
        ).values_list("child_id", flat=True)
    )
    readable = auditor.unsealed(events)
    persons_withheld = _persons_withheld(events, user)
    rows = []
    for event in events:
        # One label per child however many events name it, so each link is worked out once.
        labels = [known.setdefault(pk, ChildLabel(pk)) for pk in sorted(subjects[event.pk])]
        row = Row(event, labels)
        if event.sealed:
            sealing_child = auditor.child_of_sealed(event)
            label = known.get(sealing_child) if sealing_child is not None else None
            person_pk = auditor.person_of_sealed(event)
            row.sealed_for_person = person_pk is not None
            child_withheld = label is not None and label.restricted and label.pk not in allowed
            if event.pk not in readable:
                row.values_state = "unreadable"
            elif child_withheld or person_pk in persons_withheld:
                row.values_state = "withheld"
            else:
                row.values, row.values_state = readable[event.pk], "shown"
        rows.append(row)
    return rows


def _persons_withheld(events: list[AuditEvent], user: Any) -> set[int]:
    """The persons of concern whose sealed values the user may not see: restricted, and the
    user not on their access list, as for a child. One query. The person model is named by
    label (auditor.PERSON_MODEL), as the auditor names it when sealing: the trail sits below
    the exploitation app."""
    person_pks = {pk for event in events if (pk := auditor.person_of_sealed(event)) is not None}
    if not person_pks:
        return set()
    person = apps.get_model(auditor.PERSON_MODEL)
    listed = person.access_list.through.objects.filter(person=OuterRef("pk"), user_id=user.pk)
    return set(
        person._default_manager.filter(pk__in=person_pks, restricted=True)
        .exclude(Exists(listed))
        .values_list("pk", flat=True)
    )


def _person_id_pks(form: TrailFilterForm) -> list[int] | None:
    person_id = form.cleaned_data.get("person_id") if form.is_valid() else ""
    if not person_id:
        return None
    return list(Child.objects.filter(child_id=person_id).values_list("pk", flat=True))


def _trail(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    fixed: dict[str, int] | None = None,
    subject: str = "",
) -> HttpResponse:
    fixed = fixed or {}
    data = request.GET.copy()
    for name, value in fixed.items():
        data[name] = str(value)
    form = TrailFilterForm(data)
    form.is_valid()
    person_id_pks = _person_id_pks(form)
    events = form.events(person_id_pks)
    paginator = Paginator(events, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = _rows(page.object_list, request.user)
    shown = {label.pk for row in rows for label in row.children} | set(person_id_pks or [])
    if "child" in fixed:
        shown.add(fixed["child"])
    auditor.record(
        request.user,
        "audit.view",
        children=shown,
        details={
            "page": kind,
            "filters": form.audited_filters(),
            "page_number": page.number,
            "events_shown": len(rows),
        },
    )
    filters = request.GET.copy()
    filters.pop("page", None)
    query = filters.urlencode()
    links = _page_links(page, query)
    context = {
        "kind": kind,
        "title": title,
        "subject": subject,
        "form": form,
        "rows": rows,
        "page": page,
        "pages": links,
        "previous_href": page_href(query, page.number - 1) if page.has_previous() else "",
        "next_href": page_href(query, page.number + 1) if page.has_next() else "",
        "filter_query": _export_query(filters, fixed),
        "error_list": _error_list(form),
        "action_choices": filter_choices(),
        "fixed": fixed,
        "has_errors": bool(form.errors),
    }
    return render(request, "audit/trail.html", context, status=200)


def _export_query(filters: Any, fixed: dict[str, int]) -> str:
    query = filters.copy()
    for name, value in fixed.items():
        query[name] = str(value)
    return query.urlencode()


def _error_list(form: TrailFilterForm) -> list[dict[str, str]]:
    return [
        {"text": str(errors[0]), "href": f"#{name}"}
        for name, errors in form.errors.items()
        if name in form.fields
    ]


def _page_links(page: Page, query: str) -> list[dict[str, Any]]:
    """GOV.UK pagination items: first, last, the current page and its neighbours, with
    ellipses between."""
    count = page.paginator.num_pages
    numbers = sorted(
        {1, count, page.number - 1, page.number, page.number + 1} & set(range(1, count + 1))
    )
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": page_href(query, number),
                "current": number == page.number,
            }
        )
        previous = number
    return items


@auditors_only
def trail(request: HttpRequest) -> HttpResponse:
    return _trail(request, kind="trail", title="Audit trail")


@auditors_only
def child_trail(request: HttpRequest, child_pk: int) -> HttpResponse:
    pk = child_pk
    child = Child.objects.filter(pk=pk).values_list("child_id", flat=True).first()
    subject = f"Person id {child}" if child else f"Erased child #{pk}"
    return _trail(
        request,
        kind="child",
        title="Who looked at this child",
        fixed={"child": pk},
        subject=subject,
    )


@auditors_only
def user_trail(request: HttpRequest, user_pk: int) -> HttpResponse:
    pk = user_pk
    user = get_object_or_404(get_user_model(), pk=pk)
    return _trail(
        request,
        kind="user",
        title="What this user looked at",
        fixed={"actor": pk},
        subject=f"User {user.get_username()}",
    )


# CSV -----------------------------------------------------------------------------------

CSV_HEADER = [
    "sequence",
    "when (UK time)",
    "user",
    "action",
    "record",
    "children",
    "details",
    "values",
    "action (in words)",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(events: Any, user: Any) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    after = None
    while True:
        chunk = events if after is None else events.filter(sequence__lt=after)
        batch = list(chunk[:EXPORT_CHUNK])
        if not batch:
            return
        for row in _rows(batch, user):
            values = {
                "shown": _compact(row.values),
                "withheld": "withheld: restricted record",
                "unreadable": f"unreadable: the {row.erased} was erased",
            }.get(row.values_state, "")
            line = [
                row.event.sequence,
                timezone.localtime(row.event.occurred_at).isoformat(timespec="seconds"),
                row.event.actor_name,
                row.event.action,
                row.record,
                "; ".join(label.text for label in row.children),
                row.details_text,
                values,
                row.action_name,
            ]
            yield writer.writerow([safe_cell(cell) for cell in line])
        after = batch[-1].sequence


@auditors_only
def export_csv(request: HttpRequest) -> HttpResponseBase:
    form = TrailFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "Those filters are not valid.", status=400, content_type="text/plain; charset=utf-8"
        )
    person_id_pks = _person_id_pks(form)
    events = form.events(person_id_pks)
    # The trail as it stands now, without this download's own event.
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    events = events.filter(sequence__lte=last or 0)
    children = set(
        AuditSubject.objects.filter(event__in=events.order_by().values("pk"))
        .values_list("child_pk", flat=True)
        .distinct()
    ) | set(person_id_pks or [])
    auditor.record(
        request.user,
        "audit.export",
        children=children,
        details={"filters": form.audited_filters(), "format": "csv", "events": events.count()},
    )
    response = StreamingHttpResponse(
        _csv_lines(events, request.user), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="harbour-audit-{stamp}.csv"'
    return response
