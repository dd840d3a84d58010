"""The audit trail's filters (GET: a filtered page is a link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from harbour.common.time import LONDON

from .models import AuditEvent, AuditSubject

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


class TrailFilterForm(forms.Form):
    person_id = forms.CharField(
        label="Child's person id",
        required=False,
        max_length=64,
        help_text="The case-management id. An erased child has none any more: find their "
        "events from an event that names them.",
    )
    user = forms.CharField(
        label="User", required=False, max_length=150, help_text="Username, as shown in the trail"
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text="For example children.child.view, or the start of one: children.",
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example 1/4/2026",
        error_messages={"invalid": "The start date must be a real date, like 1/4/2026"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example 30/6/2026",
        error_messages={"invalid": "The end date must be a real date, like 30/6/2026"},
    )
    # Set by the child's and the user's pages (their internal ids).
    child = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    TEXT_FIELDS = ("person_id", "user", "action")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in self.TEXT_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data

    def events(self, person_id_pks: list[int] | None = None) -> QuerySet[AuditEvent]:
        """The events the filters select, newest first (none while a filter is wrong)."""
        if not self.is_valid():
            return AuditEvent.objects.none()
        data = self.cleaned_data
        events = AuditEvent.objects.all()
        for child_pks in (person_id_pks, [data["child"]] if data.get("child") else None):
            if child_pks is not None:
                events = events.filter(
                    pk__in=AuditSubject.objects.filter(child_pk__in=child_pks).values("event_id")
                )
        if data.get("actor"):
            events = events.filter(actor_id=data["actor"])
        if data.get("user"):
            events = events.filter(actor_name=data["user"])
        if data.get("action"):
            events = events.filter(action__startswith=data["action"])
        if data.get("date_from"):
            events = events.filter(occurred_at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(occurred_at__lt=_start_of(data["date_to"] + dt.timedelta(1)))
        return events.order_by("-sequence")

    def audited_filters(self) -> dict[str, Any]:
        """The filters as the trail may keep them: not the person id (personal data; the
        children it found are the event's subjects instead)."""
        data = self.cleaned_data if self.is_valid() else {}
        kept = {}
        for name, value in data.items():
            if name == "person_id" or value in (None, ""):
                continue
            kept[name] = value.isoformat() if isinstance(value, dt.date) else value
        if data.get("person_id"):
            kept["person_id_given"] = True
        return kept


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Europe/London day, as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), LONDON)
