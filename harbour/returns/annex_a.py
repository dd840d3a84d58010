"""Ofsted's ILACS Annex A, List 8 (children in care), as far as the register holds it.

`python manage.py export_annex_a --on DATE FILE.xlsx` (docs/returns.md, "Ofsted Annex A").

Where the column headers come from
----------------------------------
Ofsted publishes Annex A as an Excel template; no copy of the template's own text could be
read with the search tools (the one stored copy, SocialFinanceDigitalLabs/liia-tools
liiatools/annex_a_pipeline/spec/samples/Annex_A.xlsx, is binary and was not readable).
The header texts below were read, in the same order, from three published lists of the
template's List 8 columns, which agree with each other word for word:

- SocialFinanceDigitalLabs/liia-tools-pipeline docs/file_headers_by_dataset/annex_a_headers.md
- SocialFinanceDigitalLabs/liia-tools liiatools/annex_a_pipeline/spec/Annex_A_schema.yml
- CSCDP/AnnexA_CiNCensus_Cleaner config/annex_a_merge.yml

Those lists write every apostrophe and quote as the ASCII character ('). The template is
Ofsted's, and Ofsted's text sets typographic ones: its drop-down values, as
liia-tools-pipeline's schema records them, read "o) K1: Secure Children\u2019s Homes" and
"p) K2: Children\u2019s Homes" (with the right single quotation mark, U+2019), and that
schema matches the four headers that carry a quote with patterns that skip the quote
character. Following the issue (which says the headers carry typographic quotes), those
four headers are written here with U+2019 for the apostrophe ("Child\u2019s Category of
Need", "Child\u2019s Legal Status") and U+2018 ... U+2019 around "Missing" and "Absent" in
the two missing-episode headers. THIS CHARACTER-LEVEL FORM IS NOT VERIFIED against the
template: compare HEADERS with the current Ofsted template before relying on it; a change
is one edit to HEADERS (and to the test that types them).

The drop-down answers are the template's lettered values: "a) Yes" / "b) No", "a) Male",
"a) WBRI" and so on (the values used by data-to-insight/ssd-data-model
admin/tools-ssd_dfe_returns/AnnexA_sqlserver_ontemp.sql, List 8, and listed in the
liia-tools schema).

Who is listed, and what each figure means, is set out in docs/returns.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from harbour.audit import services as auditor
from harbour.children.models import Child, LegalStatus, LegalStatusKind
from harbour.common.time import completed_years
from harbour.interviews.models import OFFERED_OUTCOMES, Outcome
from harbour.missing.models import Category, Episode
from harbour.missing.queries import own_authority_code, status_in_force

AUDIT_ACTION = "returns.annex_a_exported"
SHEET_TITLE = "List 8"

CHILD_UNIQUE_ID = "Child Unique ID"
GENDER = "Gender"
ETHNICITY = "Ethnicity"
DATE_OF_BIRTH = "Date of Birth"
AGE = "Age of Child (Years)"
UASC = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"
DISABILITY = "Does the Child have a Disability"
STARTED_LOOKED_AFTER = "Date Started to be Looked After"
CATEGORY_OF_NEED = "Child\u2019s Category of Need"
SECOND_PERIOD = (
    "Is this a second or subsequent period of being a Looked After Child within the last "
    "12 months (Y/N)"
)
LEGAL_STATUS_START = "Start date of current legal status"
LEGAL_STATUS = "Child\u2019s Legal Status"
LATEST_REVIEW = "Date of Latest Statutory Review"
LAST_VISIT = "Date of Last Social Work Visit"
PERMANENCE_PLAN = "What is the permanence plan for this child?"
LAST_IRO = "Date of Last IRO Visit / Contact to the Child"
LAST_HEALTH = "Date of Last Health Assessment"
LAST_DENTAL = "Date of Last Dental Check"
PLACEMENTS_12_MONTHS = "Number of Placements in the Last 12 months"
CEASED = "Date Ceased to be Looked After"
CEASED_REASON = "Reason Ceased to be Looked After"
PLACEMENT_START = "Start Date of Most Recent Placement"
PLACEMENT_TYPE = "Placement Type"
PLACEMENT_PROVIDER = "Placement Provider"
PLACEMENT_POSTCODE = "Placement postcode"
PLACEMENT_URN = "URN of Placement"
PLACEMENT_LOCATION = "Placement Location"
PLACEMENT_LA = "LA of Placement"
MISSING_COUNT = (
    "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement "
    "in the last 12 months"
)
ABSENT_COUNT = (
    "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement "
    "in the last 12 months"
)
RHI_OFFERED = "Was the child offered a Return Interview after their last missing episode (Y/N)?"
RHI_ACCEPTED = "Did the child accept a Return Interview after their last missing episode (Y/N)?"
ALLOCATED_TEAM = "Allocated Team"
ALLOCATED_WORKER = "Allocated Worker"

# List 8's columns in the template's order (see the module's docstring for the source).
HEADERS: tuple[str, ...] = (
    CHILD_UNIQUE_ID,
    GENDER,
    ETHNICITY,
    DATE_OF_BIRTH,
    AGE,
    UASC,
    DISABILITY,
    STARTED_LOOKED_AFTER,
    CATEGORY_OF_NEED,
    SECOND_PERIOD,
    LEGAL_STATUS_START,
    LEGAL_STATUS,
    LATEST_REVIEW,
    LAST_VISIT,
    PERMANENCE_PLAN,
    LAST_IRO,
    LAST_HEALTH,
    LAST_DENTAL,
    PLACEMENTS_12_MONTHS,
    CEASED,
    CEASED_REASON,
    PLACEMENT_START,
    PLACEMENT_TYPE,
    PLACEMENT_PROVIDER,
    PLACEMENT_POSTCODE,
    PLACEMENT_URN,
    PLACEMENT_LOCATION,
    PLACEMENT_LA,
    MISSING_COUNT,
    ABSENT_COUNT,
    RHI_OFFERED,
    RHI_ACCEPTED,
    ALLOCATED_TEAM,
    ALLOCATED_WORKER,
)

# The columns the register fills; every other column is left blank (docs/returns.md says
# why for each).
FILLED = frozenset(
    {
        CHILD_UNIQUE_ID,
        GENDER,
        ETHNICITY,
        DATE_OF_BIRTH,
        AGE,
        STARTED_LOOKED_AFTER,
        CEASED,
        PLACEMENT_POSTCODE,
        MISSING_COUNT,
        ABSENT_COUNT,
        RHI_OFFERED,
        RHI_ACCEPTED,
        ALLOCATED_WORKER,
    }
)

YES = "a) Yes"
NO = "b) No"
GENDERS = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
# The template's lettered ethnicity values, in its order.
ETHNICITIES = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqrst",
        (
            "WBRI",
            "WIRI",
            "WIRT",
            "WOTH",
            "WROM",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "BCRB",
            "BAFR",
            "BOTH",
            "CHNE",
            "OOTH",
            "REFU",
            "NOBT",
        ),
        strict=True,
    )
}
DATE_FORMAT = "dd/mm/yyyy"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | dt.date | None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, or the last day of that month when it
    is shorter: 31 August less 6 months is 28 February (29 in a leap year)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Windows:
    """The dates the list is drawn for, all Europe/London calendar dates.

    on: the inspection date (DATE).
    left_from: a child who left care is listed when their last day looked after lies in
        [left_from, on), left_from = DATE less 6 calendar months.
    episodes_after: an episode counts when its local start date lies in
        (episodes_after, on], episodes_after = DATE less 12 calendar months: an episode
        that started on that very day a year before does not count, one that started the
        day after does, and so does one that started on DATE itself.
    """

    on: dt.date
    left_from: dt.date
    episodes_after: dt.date

    @classmethod
    def for_date(cls, on: dt.date) -> Windows:
        return cls(on=on, left_from=months_before(on, 6), episodes_after=months_before(on, 12))


@dataclass(frozen=True)
class CareSpell:
    """A child's time looked after by this authority: their LAC statuses joined end to end
    (the next starting no later than the day after the last ended)."""

    started: dt.date
    ended: dt.date | None  # the last day looked after; None while still looked after


def _own_lac() -> QuerySet[LegalStatus]:
    return LegalStatus.objects.filter(
        status=LegalStatusKind.LAC, responsible_la__in=["", own_authority_code()]
    )


def _spells(periods: Iterable[tuple[dt.date, dt.date | None]]) -> list[CareSpell]:
    spells: list[CareSpell] = []
    for start, end in sorted(periods, key=lambda period: period[0]):
        if spells:
            last = spells[-1]
            if last.ended is None or start <= last.ended + dt.timedelta(days=1):
                ended = None if last.ended is None or end is None else max(last.ended, end)
                spells[-1] = CareSpell(last.started, ended)
                continue
        spells.append(CareSpell(start, end))
    return spells


def care_spells(windows: Windows) -> dict[int, CareSpell]:
    """The children on the list (internal ids) with the spell that puts them there: the
    spell in force on DATE, or else the one that ended in [left_from, on).

    One query: every LAC status of this authority that started on or before DATE, of the
    children with one that had not ended before left_from."""
    on = windows.on
    candidates = (
        _own_lac()
        .filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=windows.left_from))
        .values("child_id")
    )
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    for child_pk, start, end in (
        _own_lac()
        .filter(start_date__lte=on, child_id__in=candidates)
        .values_list("child_id", "start_date", "end_date")
    ):
        periods.setdefault(child_pk, []).append((start, end))
    listed: dict[int, CareSpell] = {}
    for child_pk, child_periods in periods.items():
        for spell in reversed(_spells(child_periods)):
            if spell.ended is None or spell.ended >= on:
                listed[child_pk] = spell
                break
            if windows.left_from <= spell.ended < on:
                listed[child_pk] = spell
                break
    return listed


def _counted_episodes(windows: Windows) -> QuerySet[Episode]:
    """The episodes List 8 counts: started (local date) in (episodes_after, on] while the
    child was looked after by this authority (from their placement)."""
    in_care = _own_lac().filter(status_in_force(LegalStatusKind.LAC, OuterRef("started_on")))
    return Episode.objects.filter(
        started_on__gt=windows.episodes_after, started_on__lte=windows.on
    ).filter(Exists(in_care))


def episode_counts(windows: Windows, child_pks: Sequence[int]) -> dict[int, tuple[int, int]]:
    """{child: (missing episodes, absent episodes)} in the window: one grouped query."""
    counts = (
        _counted_episodes(windows)
        .filter(child_id__in=child_pks)
        .values("child_id")
        .annotate(
            missing=Count("pk", filter=Q(category=Category.MISSING)),
            absent=Count("pk", filter=Q(category=Category.ABSENT)),
        )
    )
    return {row["child_id"]: (row["missing"], row["absent"]) for row in counts}


def _children(windows: Windows, child_pks: Sequence[int]) -> QuerySet[Child]:
    """The listed children, each with their last counted missing episode (latest last
    seen, then latest recorded) and that episode's return interview outcome: one query."""
    last_missing = (
        _counted_episodes(windows)
        .filter(child=OuterRef("pk"), category=Category.MISSING)
        .order_by("-started_at", "-pk")
    )
    return (
        Child.objects.filter(pk__in=child_pks)
        .select_related("allocated_social_worker")
        .annotate(
            last_missing_pk=Subquery(last_missing.values("pk")[:1]),
            last_missing_outcome=Subquery(last_missing.values("return_interview__outcome")[:1]),
        )
        .order_by("child_id", "pk")
    )


def return_interview_answers(has_missing: bool, outcome: str | None) -> tuple[str, str]:
    """(offered, accepted) for the child's last counted missing episode.

    Offered: "a) Yes" when the interview's outcome is one of the offered outcomes
    (Offered, no response; Declined; Accepted: interviews.models.OFFERED_OUTCOMES, the
    outcomes that carry an offered time); "b) No" when it is Not offered or Not required.
    Accepted: "a) Yes" for Accepted; "b) No" for an offer that was declined or had no
    response; blank when no interview was offered. Both blank when the child has no
    counted missing episode, or when no interview outcome is recorded for it (the register
    does not know).
    """
    if not has_missing or not outcome:
        return "", ""
    if outcome not in OFFERED_OUTCOMES:
        return NO, ""
    return YES, (YES if outcome == Outcome.ACCEPTED else NO)


def _worker_name(worker: User | None) -> str:
    if worker is None:
        return ""
    return worker.get_full_name() or worker.get_username()


def list_8(on: dt.date) -> list[dict[str, Cell]]:
    """List 8's rows for DATE, by child id: each a mapping of header to value (None for a
    blank cell). Three queries, whatever the number of children."""
    return _list_8(on)[0]


def _list_8(on: dt.date) -> tuple[list[dict[str, Cell]], list[int]]:
    windows = Windows.for_date(on)
    spells = care_spells(windows)
    child_pks = sorted(spells)
    counts = episode_counts(windows, child_pks)
    rows: list[dict[str, Cell]] = []
    for child in _children(windows, child_pks):
        spell = spells[child.pk]
        in_care = spell.ended is None or spell.ended >= on
        missing, absent = counts.get(child.pk, (0, 0))
        offered, accepted = return_interview_answers(
            child.last_missing_pk is not None,  # type: ignore[attr-defined]
            child.last_missing_outcome,  # type: ignore[attr-defined]
        )
        values: dict[str, Cell] = {
            CHILD_UNIQUE_ID: child.child_id,
            GENDER: GENDERS.get(child.sex, ""),
            ETHNICITY: ETHNICITIES.get(child.ethnicity, ""),
            DATE_OF_BIRTH: child.date_of_birth,
            AGE: completed_years(child.date_of_birth, on),
            STARTED_LOOKED_AFTER: spell.started,
            CEASED: None if in_care else spell.ended,
            PLACEMENT_POSTCODE: child.placement_postcode if in_care else "",
            MISSING_COUNT: missing,
            ABSENT_COUNT: absent,
            RHI_OFFERED: offered,
            RHI_ACCEPTED: accepted,
            ALLOCATED_WORKER: _worker_name(child.allocated_social_worker),
        }
        rows.append({header: _blank_if_empty(values.get(header)) for header in HEADERS})
    return rows, child_pks


def _blank_if_empty(value: Cell) -> Cell:
    """An empty text is a blank cell (None); a count of 0 stays a figure."""
    return None if value is None or value == "" else value


def _safe(value: Cell) -> Cell:
    """Text a spreadsheet would read as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_workbook(rows: Sequence[dict[str, Cell]], path: Path) -> None:
    """One sheet named as the template's, the header row, a row per child. Dates are Excel
    dates shown dd/mm/yyyy. Written to a temporary file beside `path` and moved into place,
    so a failed export leaves no half-written file."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import save_workbook

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append([_safe(row[header]) for header in HEADERS])
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, dt.date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "A2"
    handle, temporary = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        save_workbook(book, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export(on: dt.date, path: Path, actor: auditor.Actor = "command line") -> int:
    """Write List 8 for DATE to `path` and audit it (the date and the number of rows; the
    children listed are the event's children). Returns the number of rows."""
    with transaction.atomic():
        rows, child_pks = _list_8(on)
        write_workbook(rows, path)
        auditor.record(
            actor,
            AUDIT_ACTION,
            details={"on": on.isoformat(), "rows": len(rows)},
            children=child_pks,
        )
    return len(rows)
