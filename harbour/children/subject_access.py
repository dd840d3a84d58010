"""Subject access: everything the register holds about one child, in one download.

A ZIP with `record.json` (machine-readable, every field of every record) and
`record.html` (the same, readable). What is left out, and why, is `NOT_EXPORTED`: chiefly
the audit trail's events about the child, which record staff actions and are given on
request through the auditor.
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

from harbour.authorities.models import OlaLog, OlaNotification
from harbour.common.codes import stored_codes
from harbour.common.time import local_iso
from harbour.exploitation.models import (
    ConcernPeriod,
    DisruptionChild,
    FoundLocationDecision,
    GroupMember,
    Intelligence,
    IntelligenceMention,
    NrmReferral,
    PanelAction,
    PanelListing,
    PersonChildLink,
    PlaceChildLink,
    Referral,
    RiskAssessment,
    ScreeningTask,
    SupportReferral,
)
from harbour.interviews.models import Allocation, ReturnInterview
from harbour.meetings.models import Meeting, MeetingAction, MeetingTask, TaskEpisode
from harbour.missing.models import Episode, NotificationReference

from .models import Child, LegalStatus

# (title, model, the path from a record to its child), in the order the export shows them.
SECTIONS: tuple[tuple[str, type[models.Model], str], ...] = (
    ("Legal statuses", LegalStatus, "child"),
    ("Missing and absent episodes", Episode, "child"),
    ("Police references", NotificationReference, "episode__child"),
    ("Return interview allocations", Allocation, "episode__child"),
    ("Return interviews", ReturnInterview, "episode__child"),
    ("Notifications to the placing authority", OlaNotification, "log__episode__child"),
    ("Meeting tasks", MeetingTask, "child"),
    ("Episodes that raised meeting tasks", TaskEpisode, "task__child"),
    ("Meetings", Meeting, "child"),
    ("Meeting actions", MeetingAction, "meeting__child"),
    ("Exploitation referrals", Referral, "child"),
    ("Risk assessments", RiskAssessment, "child"),
    ("Screening tasks", ScreeningTask, "child"),
    ("Exploitation concern periods", ConcernPeriod, "child"),
    ("Panel listings", PanelListing, "child"),
    ("Panel actions", PanelAction, "listing__child"),
    ("National Referral Mechanism referrals", NrmReferral, "child"),
    ("Disruption actions protecting the child", DisruptionChild, "child"),
    ("Support referrals", SupportReferral, "child"),
    # The child's links (spec §4, subject access: "a child's export includes their links").
    ("Persons of concern linked to the child", PersonChildLink, "child"),
    ("Places linked to the child", PlaceChildLink, "child"),
    ("Found-at places set aside as not of concern", FoundLocationDecision, "episode__child"),
    ("Groups the child is in", GroupMember, "child"),
    ("Intelligence submitted about the child", Intelligence, "child"),
    ("What the intelligence mentions", IntelligenceMention, "intelligence__child"),
)

# Records about a child that are deliberately not in the export, and why. Every other model
# that reaches a child (tests/test_subject_access_export.py follows the foreign keys) must
# be in SECTIONS, so that a new kind of record cannot be left out by accident.
NOT_EXPORTED: dict[str, str] = {
    # The audit trail records what staff did; it is given on request through the auditor
    # (docs/audit.md), with the child's sealed values opened there.
    "audit.AuditEvent": "the audit trail: staff actions, given through the auditor",
    "audit.AuditSubject": "which audit events are about the child: part of the audit trail",
    # A secret, not information about the child: exporting it would unseal the trail.
    "audit.ChildKey": "the key that seals the child's values in the audit trail",
    # Who on the staff may open a restricted record: access control, about staff. That the
    # record is restricted is exported (the child's "restricted" field).
    "children.Child_access_list": "the staff on a restricted record's access list",
    # Likewise: a place on that list, waiting for a second administrator.
    "accounts.GrantRequest": "requests to put a member of staff on the access list",
    # Holds only the log's version and, derived from its entries, the latest instant of each
    # kind; the entries themselves, notes included, are exported.
    "authorities.OlaLog": "derived from its entries, which are exported in full",
}

# Records with no name of their own, shown in a row by the record they belong to: an OLA
# log by its episode (the police reference), as every other record of an episode is.
SHOWN_BY: dict[type[models.Model], str] = {OlaLog: "episode"}

# Code lists stored as ";CODE;CODE;" (harbour/common/codes.py), exported as lists.
CODE_LISTS = ("reasons", "risks", "attendees")


def _value(record: models.Model, field: models.Field) -> Any:
    value = getattr(record, field.attname)
    if isinstance(value, dt.datetime):
        return local_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if field.name in CODE_LISTS:
        return stored_codes(value)
    if field.is_relation:
        related = getattr(record, field.name)
        if related is not None and field.related_model in SHOWN_BY:
            related = getattr(related, SHOWN_BY[field.related_model])
        return str(related) if related is not None else None
    return value


def _name(field: models.Field) -> str:
    if field.is_relation and field.related_model in SHOWN_BY:
        shown = field.related_model._meta.get_field(SHOWN_BY[field.related_model])
        assert isinstance(shown, models.Field)  # SHOWN_BY names fields, not relations
        return str(shown.verbose_name)
    return str(field.verbose_name)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "access_list"
    ]


def _rows(record: models.Model) -> dict[str, Any]:
    return {_name(field): _value(record, field) for field in _fields(type(record))}


def _records_of(child: Child, model: type[models.Model], path: str) -> models.QuerySet:
    # The records named in a row (the episode, the meeting, a member of staff) are read in
    # the same query, not one query a row.
    related = [
        f"{field.name}__{SHOWN_BY[field.related_model]}"
        if field.related_model in SHOWN_BY
        else field.name
        for field in _fields(model)
        if field.is_relation
    ]
    return model._default_manager.filter(**{path: child}).select_related(*related).order_by("pk")


def collect(child: Child) -> dict[str, Any]:
    return {
        "produced_at": local_iso(timezone.now()),
        "child": _rows(child),
        "records": {
            title: [_rows(record) for record in _records_of(child, model, path)]
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
