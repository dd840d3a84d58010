"""Subject access: everything the register holds about one child, in one download.

A ZIP with `record.json` (machine-readable, every field of every record) and
`record.html` (the same, readable). The audit trail's events about the child are not
included: they record staff actions, and are given on request through the auditor.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from harbour.common.codes import stored_codes
from harbour.common.time import local_iso
from harbour.exploitation.models import PanelListing, Referral, RiskAssessment
from harbour.interviews.models import ReturnInterview
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode

from .models import Child, LegalStatus

SECTIONS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("Legal statuses", LegalStatus, "child"),
    ("Missing and absent episodes", Episode, "child"),
    ("Return interviews", ReturnInterview, "episode__child"),
    ("Meetings", Meeting, "child"),
    ("Exploitation referrals", Referral, "child"),
    ("Risk assessments", RiskAssessment, "child"),
    ("Panel listings", PanelListing, "child"),
)


def _value(record: models.Model, field: models.Field) -> Any:
    value = getattr(record, field.attname)
    if isinstance(value, dt.datetime):
        return local_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if field.name in ("reasons", "risks"):
        return stored_codes(value)
    if field.is_relation:
        related = getattr(record, field.name)
        return str(related) if related is not None else None
    return value


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "access_list"
    ]


def _rows(record: models.Model) -> dict[str, Any]:
    return {field.verbose_name: _value(record, field) for field in _fields(type(record))}


def collect(child: Child) -> dict[str, Any]:
    return {
        "produced_at": local_iso(timezone.now()),
        "child": _rows(child),
        "records": {
            title: [
                _rows(record)
                for record in model._default_manager.filter(**{path: child}).order_by("pk")
            ]
            for title, model, path in SECTIONS
        },
    }


def export(child: Child) -> bytes:
    data = collect(child)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("record.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("record.html", render_to_string("children/subject_access.html", data))
    return buffer.getvalue()
