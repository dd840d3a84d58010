"""A police force's column mapping: which of its file's headers holds each notification
field, the values it writes for each category and risk grade, and the date and time formats
it uses (offered as examples, never as strftime codes). Saved through `save_mapping`
(validated, audited, refusing a stale form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from harbour.audit.services import Actor
from harbour.common.services import Conflict, save_record

from ..models import Category, ColumnMapping, PoliceForce, PoliceUpload, RiskLevel
from .files import read_table


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    hint: str = ""


# The notification fields a mapping gives a column for, in the order the mapping page asks.
FIELDS = [
    Field("police_reference", "Police reference"),
    Field("category", "Missing or absent"),
    Field("last_seen", "Last seen: date and time", "One column holding both. Or use the next two."),
    Field("last_seen_date", "Last seen: date", "Only if the date and time are in two columns."),
    Field("last_seen_time", "Last seen: time", "Only if the date and time are in two columns."),
    Field("reported_at", "Reported to the police: date and time (optional)"),
    Field("risk_level", "Police risk grade (optional)"),
    Field(
        "found_at",
        "Found or returned: date and time (optional)",
        "For notifications that arrive after the child was found: the episode is closed too.",
    ),
    Field("given_name", "Given name"),
    Field("family_name", "Family name"),
    Field("date_of_birth", "Date of birth (optional)"),
    Field(
        "child_id",
        "Person id (optional)",
        "The case-management system's id, if the force has it. A new child without one is "
        "given a Harbour id until it is known.",
    ),
]
LABELS = {item.key: item.label for item in FIELDS}
REQUIRED = ("police_reference", "category", "given_name", "family_name")
# The values a force writes for each code, offered when a mapping is first made.
# Keyed by code as a saved mapping's JSON is, so that either can stand for the other.
DEFAULT_CATEGORY_VALUES: dict[str, list[str]] = {
    Category.MISSING: ["Missing", "M"],
    Category.ABSENT: ["Absent", "A"],
}
DEFAULT_RISK_VALUES: dict[str, list[str]] = {
    RiskLevel.NO_APPARENT_RISK: ["No apparent risk", "None"],
    RiskLevel.LOW: ["Low"],
    RiskLevel.MEDIUM: ["Medium"],
    RiskLevel.HIGH: ["High"],
}
# A date and time with a day over 12, to prove a format holds day, month, year, hour, minute.
SAMPLE = dt.datetime(2026, 11, 23, 14, 35)


class MappingMismatch(Exception):
    """The force has no mapping, or its mapping names headers this file does not have."""

    def __init__(self, message: str, headers: list[str]) -> None:
        super().__init__(message)
        self.headers = headers


def split_values(text: str) -> list[str]:
    """ "Missing, M" -> ["Missing", "M"]."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# The formats offered on the mapping page, each shown as SAMPLE written in it, so that no
# one has to know strftime codes. A force's saved format not in these lists stays offered.
FORMATS = {
    "date and time": [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H%M",
        "%d/%m/%y %H:%M",
        "%d-%m-%Y %H:%M",
        "%d.%m.%Y %H:%M",
        "%d %b %Y %H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%z",
    ],
    "date": ["%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%Y-%m-%d", "%Y%m%d"],
    "time": ["%H:%M", "%H:%M:%S", "%H%M", "%H.%M"],
}


def format_example(fmt: str) -> str:
    """SAMPLE (23 November 2026, 2:35pm) written in this format."""
    sample = SAMPLE.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))) if "%z" in fmt else SAMPLE
    return sample.strftime(fmt)


def format_choices(kind: str, keep: str = "") -> list[tuple[str, str]]:
    """(format, example) for the mapping page's select; `keep`, a format already saved or
    chosen, is added when it is not one of FORMATS and can read this kind of value."""
    formats = list(FORMATS[kind])
    if keep and keep not in formats and not format_problem(keep, kind=kind):
        formats.insert(0, keep)
    return [(fmt, format_example(fmt)) for fmt in formats]


def first_values(upload: PoliceUpload) -> dict[str, str]:
    """The first value in each column of the held file, for the mapping page's examples."""
    headers, body = read_table(bytes(upload.content))
    found: dict[str, str] = {}
    for _number, cells in body:
        for header, cell in zip(headers, cells, strict=False):
            if header and header not in found and cell.strip():
                found[header] = cell.strip()
        if len(found) == len([h for h in headers if h]):
            break
    return found


def format_problem(fmt: str, *, kind: str) -> str:
    """Why a strftime format cannot read this kind of value ("" when it can)."""
    if not fmt.strip():
        return f"Enter the {kind} format"
    sample = SAMPLE.replace(tzinfo=dt.timezone(dt.timedelta(hours=1))) if "%z" in fmt else SAMPLE
    try:
        parsed = dt.datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError:
        parsed = None
    wanted = {
        "date and time": lambda p: p.replace(second=0) == sample,
        "date": lambda p: p.date() == sample.date(),
        "time": lambda p: (p.hour, p.minute) == (sample.hour, sample.minute),
    }[kind]
    if parsed is None or not wanted(parsed):
        needs = {
            "date and time": "a day (%d), month (%m), year (%Y), hour (%H) and minute (%M)",
            "date": "a day (%d), month (%m) and year (%Y)",
            "time": "an hour (%H) and minute (%M)",
        }[kind]
        return f"The {kind} format must include {needs}, like {example_format(kind)}"
    return ""


def example_format(kind: str) -> str:
    return {"date and time": "%d/%m/%Y %H:%M", "date": "%d/%m/%Y", "time": "%H:%M"}[kind]


def mapping_problems(
    columns: Mapping[str, str],
    category_values: Mapping[str, list[str]],
    risk_values: Mapping[str, list[str]],
    formats: Mapping[str, str],
    headers: list[str] | None = None,
) -> dict[str, str]:
    """{form field: what is wrong} for a proposed mapping (empty when it can be saved)."""
    problems: dict[str, str] = {}
    columns = {key: header for key, header in columns.items() if header}
    for key in REQUIRED:
        if key not in columns:
            problems[key] = f"Select the column that holds the {LABELS[key].lower()}"
    split = "last_seen_date" in columns or "last_seen_time" in columns
    if "last_seen" in columns and split:
        problems["last_seen"] = (
            "Select either one column for the date and time last seen, or separate date and "
            "time columns, not both"
        )
    elif not split and "last_seen" not in columns:
        problems["last_seen"] = "Select the column that holds the date and time last seen"
    elif split:
        for key in ("last_seen_date", "last_seen_time"):
            if key not in columns:
                problems[key] = f"Select the column that holds the {LABELS[key].lower()}"
    seen: dict[str, str] = {}
    for key, header in columns.items():
        if headers is not None and header not in headers:
            problems[key] = f"The file has no column '{header}'. Select one of its columns"
        elif header in seen:
            problems[key] = (
                f"The column '{header}' is already used for the {LABELS[seen[header]].lower()}. "
                "Select a different column for each field"
            )
        seen.setdefault(header, key)
    if not category_values.get(Category.MISSING):
        problems["category_MISSING"] = "Enter the values the force writes for a missing child"
    for name, values in (("category", category_values), ("risk", risk_values)):
        owner: dict[str, str] = {}
        for code, texts in values.items():
            for text in texts:
                if text.lower() in owner and owner[text.lower()] != code:
                    problems[f"{name}_{code}"] = (
                        f"'{text}' is given for two different values. Give each value once"
                    )
                owner[text.lower()] = code
    kinds = {"datetime_format": "date and time", "date_format": "date", "time_format": "time"}
    for name, kind in kinds.items():
        if name == "time_format" and not split:
            continue
        if message := format_problem(formats.get(name, ""), kind=kind):
            problems[name] = message
    return problems


MAPPING = "force's column mapping"


def _locked_mapping(force: PoliceForce) -> ColumnMapping | None:
    return ColumnMapping.objects.select_for_update().filter(force=force).first()


def save_mapping(
    actor: Actor,
    force: PoliceForce,
    *,
    columns: Mapping[str, str],
    category_values: Mapping[str, list[str]],
    risk_values: Mapping[str, list[str]],
    formats: Mapping[str, str],
    version: int | None,
    headers: list[str] | None = None,
) -> ColumnMapping:
    """Create or change a force's mapping. `version` is the one the form was loaded with
    (None for a force that had no mapping); a stale one raises Conflict."""
    problems = mapping_problems(columns, category_values, risk_values, formats, headers)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        mapping = _locked_mapping(force)
        if (mapping.version if mapping else None) != version:
            raise Conflict(MAPPING, current=mapping)
        mapping = mapping or ColumnMapping(force=force)
        mapping.columns = {key: header for key, header in columns.items() if header}
        mapping.category_values = {code: list(v) for code, v in category_values.items() if v}
        mapping.risk_values = {code: list(v) for code, v in risk_values.items() if v}
        mapping.datetime_format = formats.get("datetime_format", "")
        mapping.date_format = formats.get("date_format", "")
        mapping.time_format = formats.get("time_format", "") or "%H:%M"
        mapping.updated_at = timezone.now()
        mapping.updated_by = actor if isinstance(actor, User) and actor.pk else None
        try:
            # Headers and formats are not personal data: the changes are kept in plain
            # details. Two coordinators saving a force's first mapping at once both find
            # none, and the second insert breaks the force's one-mapping rule.
            save_record(
                actor, mapping, action="missing.column_mapping_saved", details={"force": force.code}
            )
        except IntegrityError:
            raise Conflict(MAPPING) from None
        except ValidationError as error:
            # The other's insert committed before this one was validated.
            if "force" in getattr(error, "error_dict", {}):
                raise Conflict(MAPPING) from None
            raise
    return mapping


def mapping_for(force: PoliceForce) -> ColumnMapping | None:
    return ColumnMapping.objects.filter(force=force).select_related("force").first()
