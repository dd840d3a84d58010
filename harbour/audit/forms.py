"""The audit trail's filters (GET: a filtered page is a link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from harbour.common.dates import DATE_PARTS, DateEntryError, read_date
from harbour.common.time import LONDON

from .models import AuditEvent, AuditSubject

DATE_ENDS = {"from": ("date_from", "the start date"), "to": ("date_to", "the end date")}
# Only the dates read from the boxes are kept in the trail's record of a search.
DATE_PART_FIELDS = {f"{end}_{part}" for end in DATE_ENDS for part in DATE_PARTS}


def _part() -> forms.CharField:
    return forms.CharField(required=False, max_length=4, strip=True)


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
        help_text="What was done. The code beside each event is what this matches.",
    )
    # The dates, each typed as day, month and year (GOV.UK date input), UK calendar days.
    from_day = _part()
    from_month = _part()
    from_year = _part()
    to_day = _part()
    to_month = _part()
    to_year = _part()
    # Set by the child's and the user's pages (their internal ids).
    child = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    actor = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    TEXT_FIELDS = ("person_id", "user", "action")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data, never None
        for name in self.TEXT_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        for end, (name, description) in DATE_ENDS.items():
            parts = {part: data.get(f"{end}_{part}") or "" for part in DATE_PARTS}
            try:
                data[name] = read_date(parts, description, required=False, past_only=False)
            except DateEntryError as problem:
                data[name] = None
                self.add_error(f"{end}_day", problem.message)
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and last < first:
            self.add_error("to_day", "The end date must be the same as or after the start date")
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
            if name == "person_id" or name in DATE_PART_FIELDS or value in (None, ""):
                continue
            kept[name] = value.isoformat() if isinstance(value, dt.date) else value
        if data.get("person_id"):
            kept["person_id_given"] = True
        return kept


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of a Europe/London day, as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), LONDON)
