"""The tables of the interchange format: columns, keys, references and row rules.

One Table per file of shared/spec/interchange.md, declared in import order (a file's
references point only to files before it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from harbour.children.models import Child, Ethnicity, LegalStatus, LegalStatusKind, Placement, Sex
from harbour.children.names import STORED_KEYS
from harbour.common.time import local_date, local_iso
from harbour.exploitation.models import (
    AssessedRisk,
    AssessmentKind,
    AssessmentStage,
    CloseReason,
    Concern,
    ConcernPeriod,
    DecisionMaker,
    Disruption,
    DisruptionChild,
    DisruptionOutcome,
    ExploitationModel,
    ExploitationType,
    FirstResponder,
    GroundsDecision,
    Indicator,
    LeadAgency,
    ListingDecision,
    NrmReferral,
    Panel,
    PanelListing,
    PanelMeeting,
    PanelRisk,
    Pathway,
    PeriodOpenedBy,
    Provider,
    Referral,
    ReferralDecision,
    ReferralForm,
    ReferralReason,
    RiskAssessment,
    Source,
    SubjectKind,
    SupportReferral,
    Tactic,
)
from harbour.interviews.models import (
    OFFERED_OUTCOMES,
    Method,
    Outcome,
    Reason,
    ReturnInterview,
    Risk,
)
from harbour.meetings.models import (
    Agency,
    Meeting,
    MeetingKind,
    StrategyConcern,
    StrategyFormat,
    StrategyOutcome,
    Trigger,
)
from harbour.missing.models import Category, Episode, RiskLevel

from .cells import (
    Parser,
    code_list_parser,
    code_parser,
    key_list_parser,
    parse_date,
    parse_datetime,
    parse_la_code,
    parse_yes_no,
    text_parser,
)

Values = dict[str, Any]
# A batch's values, column by column (every column of the table, None where empty).
Columns = Mapping[str, Sequence[Any]]
Problem = tuple[str, str]  # (column, message)
# The records a row's references name, by reference column: each a dict of the fields
# the rules read (with "pk"), or None for an optional reference left empty.
Refs = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser
    required: bool = False
    # The model field the value is stored in, when it is not named like the column.
    field: str | None = None
    # Rows on which this column may have a value: (column, allowed values).
    only_when: tuple[str, tuple[str, ...]] | None = None
    # A `;`-separated code list (stored as `;CODE;`).
    multi: bool = False
    # What an empty cell stores in a field that cannot be NULL, when not "" (a default).
    empty: Any = None
    # Not a field of the record: link rows (Table.link).
    linked: bool = False

    @property
    def model_field(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Reference:
    """A column naming a record of an earlier table, resolved to its primary key."""

    column: str
    table: str  # file name of the referenced table
    field: str  # the model's foreign key field; an empty optional cell stores NULL


@dataclass(frozen=True)
class Link:
    """A `;`-separated list of keys of an earlier table, stored as rows of a link model
    (`through`: owner -> target). The link rows of a record the folder lists are made
    exactly the cell's (a column left out leaves them as they are)."""

    column: str
    table: str  # file name of the linked table
    through: type[models.Model]
    owner: str  # the link model's foreign key to this table's record
    target: str  # the link model's foreign key to the linked record


@dataclass(frozen=True)
class Table:
    file_name: str
    model: type[models.Model]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required_file: bool = False
    references: tuple[Reference, ...] = ()
    # Stored derived fields, each with the column it is derived from.
    derived: dict[str, str] = field(default_factory=dict)
    # Rules within one row (after each cell parsed); references are checked elsewhere.
    row_rules: Callable[[Values, ImportClock], list[Problem]] = lambda values, clock: []
    # Whether no row of a batch breaks row_rules, decided on whole columns: quicker for a
    # large file than row_rules row by row, which then finds and words the problems
    # (reader._FileReader._checked_by_column). None: row_rules is used row by row.
    # test_reader_columns holds each to the same answer as row_rules.
    rules_pass: Callable[[Columns, ImportClock], bool] | None = None
    # The model fields that identify a record in the database (for upserts).
    unique_fields: tuple[str, ...] = ()
    # Fields of this table's records that rules of referring rows read.
    lookup_fields: tuple[str, ...] = ()
    # Rules that need the referenced records (by reference column), and the columns of
    # this table they read.
    cross_record_rules: Callable[[Values, Refs], list[Problem]] = lambda values, refs: []
    cross_record_columns: tuple[str, ...] = ()
    # Values stored in fields the format does not carry, on records the import creates
    # (an update leaves them as they are).
    created_with: dict[str, Any] = field(default_factory=dict)
    # The file's rows are checked together against the register before any is written
    # (importer.WHOLE_FILE_CHECKS), so they are held until the file has been read.
    checked_as_a_whole: bool = False
    # Written only by an export that asks for it (export_interchange --include-intelligence).
    intelligence: bool = False
    # Groups of optional columns that a header gives all or none of: rules between them
    # can be judged only when all are there, and a column left out keeps its stored value.
    together: tuple[tuple[str, ...], ...] = ()
    # A column naming several records of an earlier table, stored as link rows.
    link: Link | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


@dataclass(frozen=True)
class ImportClock:
    """'Now' for an import run: nothing may lie in the future."""

    now: dt.datetime
    today: dt.date


def _text(max_length: int) -> Parser:
    return text_parser(max_length)


IDENTIFIER = _text(64)


def _not_before(values: Values, later: str, earlier: str, raw: Values) -> list[Problem]:
    first, then = values.get(earlier), values.get(later)
    if first is not None and then is not None and then < first:
        return [(later, f"is before {earlier} ({raw[earlier]})")]
    return []


def _not_in_future(values: Values, columns: tuple[str, ...], clock: ImportClock) -> list[Problem]:
    return [
        (name, "is in the future")
        for name in columns
        if values.get(name) is not None and values[name] > clock.now
    ]


def _none_before(columns: Columns, later: str, earlier: str) -> bool:
    """Whether _not_before finds nothing in any row."""
    return not any(
        first is not None and then is not None and then < first
        for first, then in zip(columns[earlier], columns[later], strict=True)
    )


def _none_in_future(columns: Columns, names: tuple[str, ...], clock: ImportClock) -> bool:
    """Whether _not_in_future finds nothing in any row."""
    return all(max(filter(None, columns[name]), default=clock.now) <= clock.now for name in names)


def _child_rules(values: Values, clock: ImportClock) -> list[Problem]:
    if values["date_of_birth"] is not None and values["date_of_birth"] > clock.today:
        return [("date_of_birth", "is in the future")]
    return []


def _children_pass(columns: Columns, clock: ImportClock) -> bool:
    return max(filter(None, columns["date_of_birth"]), default=clock.today) <= clock.today


def _legal_status_rules(values: Values, clock: ImportClock) -> list[Problem]:
    return _not_before(values, "end_date", "start_date", values["_raw"])


def _legal_statuses_pass(columns: Columns, clock: ImportClock) -> bool:
    return _none_before(columns, "end_date", "start_date")


EPISODE_INSTANTS = ("started_at", "reported_at", "notified_at", "ended_at")


def _episode_rules(values: Values, clock: ImportClock) -> list[Problem]:
    raw = values["_raw"]
    problems = [
        *_not_before(values, "ended_at", "started_at", raw),
        *_not_before(values, "reported_at", "started_at", raw),
        *_not_before(values, "notified_at", "started_at", raw),
    ]
    return problems + _not_in_future(values, EPISODE_INSTANTS, clock)


def _episodes_pass(columns: Columns, clock: ImportClock) -> bool:
    return (
        _none_before(columns, "ended_at", "started_at")
        and _none_before(columns, "reported_at", "started_at")
        and _none_before(columns, "notified_at", "started_at")
        and _none_in_future(columns, EPISODE_INSTANTS, clock)
    )


def _interview_rules(values: Values, clock: ImportClock) -> list[Problem]:
    problems: list[Problem] = []
    outcome = values["outcome"]
    if outcome in OFFERED_OUTCOMES and values["offered_at"] is None:
        problems.append(("offered_at", f"is required when the outcome is {outcome}"))
    if outcome not in OFFERED_OUTCOMES and values["offered_at"] is not None:
        problems.append(("offered_at", f"must be empty when the outcome is {outcome}"))
    if values["completed_at"] is not None and outcome != Outcome.ACCEPTED:
        problems.append(("completed_at", f"must be empty when the outcome is {outcome}"))
    problems += _not_before(values, "completed_at", "offered_at", values["_raw"])
    return problems + _not_in_future(values, ("offered_at", "completed_at"), clock)


def _interviews_pass(columns: Columns, clock: ImportClock) -> bool:
    rows = zip(columns["outcome"], columns["offered_at"], columns["completed_at"], strict=True)
    for outcome, offered_at, completed_at in rows:
        # Offered exactly when the outcome is an offer's; completed only when accepted.
        if (outcome in OFFERED_OUTCOMES) != (offered_at is not None):
            return False
        if completed_at is not None and (
            outcome != Outcome.ACCEPTED or (offered_at is not None and completed_at < offered_at)
        ):
            return False
    return _none_in_future(columns, ("offered_at", "completed_at"), clock)


def _meeting_rules(values: Values, clock: ImportClock) -> list[Problem]:
    return _not_before(values, "held_on", "requested_on", values["_raw"])


def _meetings_pass(columns: Columns, clock: ImportClock) -> bool:
    return _none_before(columns, "held_on", "requested_on")


# Where a referral's `forms` are given they must agree with its `concern` (exploitation.md
# §1.1, Rec.): these forms need one of these concerns; the other forms go with any concern.
FORM_NEEDS_CONCERN = {
    "CSE": ("CSE", "BOTH"),
    "CCE": ("CCE", "BOTH"),
    "COUNTY_LINES": ("CCE", "BOTH"),
}


def _referral_rules(values: Values, clock: ImportClock) -> list[Problem]:
    problems: list[Problem] = []
    concern = values["concern"]
    for form in values["forms"] or ():
        needed = FORM_NEEDS_CONCERN.get(form)
        if needed is not None and concern not in needed:
            problems.append(
                ("forms", f"lists {form}, which needs concern {' or '.join(needed)}, not {concern}")
            )
    decision, decided_at = values["decision"], values["decided_at"]
    if decision is not None and decided_at is None:
        problems.append(("decided_at", "is required when decision is given"))
    if decision is None and decided_at is not None:
        problems.append(("decided_at", "must be empty when decision is empty"))
    if decided_at is not None and local_date(decided_at) < values["received_on"]:
        raw = values["_raw"]["received_on"]
        problems.append(("decided_at", f"is before received_on ({raw})"))
    return problems + _not_in_future(values, ("decided_at",), clock)


INDICATOR_LEVELS = ("indicators_high", "indicators_medium", "indicators_low")


def _assessment_rules(values: Values, clock: ImportClock) -> list[Problem]:
    problems: list[Problem] = []
    level_of: dict[str, str] = {}
    for column in INDICATOR_LEVELS:
        for code in values[column] or ():
            if code in level_of:
                problems.append(
                    (column, f"lists {code}, which {level_of[code]} lists too: one level each")
                )
            else:
                level_of[code] = column
    return problems + _not_before(values, "review_due_on", "completed_on", values["_raw"])


def _nrm_rules(values: Values, clock: ImportClock) -> list[Problem]:
    raw = values["_raw"]
    problems = _not_before(values, "rg_on", "referred_on", raw)
    if values["cg_on"] is not None and values["rg_on"] is None:
        problems.append(("cg_on", "needs rg_on: the conclusive grounds follow the reasonable"))
    problems += _not_before(values, "cg_on", "rg_on", raw)
    problems += _not_before(values, "reconsideration_requested_on", "referred_on", raw)
    return problems + _not_before(values, "ictg_referred_on", "referred_on", raw)


def _disruption_rules(values: Values, clock: ImportClock) -> list[Problem]:
    raw = values["_raw"]
    problems = _not_before(values, "served_or_granted_on", "requested_on", raw)
    start = "served_or_granted_on" if values["served_or_granted_on"] else "requested_on"
    return problems + _not_before(values, "expires_on", start, raw)


def _concern_period_rules(values: Values, clock: ImportClock) -> list[Problem]:
    problems = _not_before(values, "closed_on", "opened_on", values["_raw"])
    if values["closed_on"] is not None and values["close_reason"] is None:
        problems.append(("close_reason", "is required when closed_on is given"))
    if values["closed_on"] is None and values["close_reason"] is not None:
        problems.append(("close_reason", "must be empty when closed_on is empty"))
    return problems


def _support_referral_rules(values: Values, clock: ImportClock) -> list[Problem]:
    raw = values["_raw"]
    problems = _not_before(values, "accepted_on", "referred_on", raw)
    start = "accepted_on" if values["accepted_on"] is not None else "referred_on"
    return problems + _not_before(values, "ended_on", start, raw)


def _listing_at_its_meeting(values: Values, refs: Refs) -> list[Problem]:
    meeting = refs["panel_meeting_id"]
    if meeting is None:
        return []
    problems: list[Problem] = []
    if values["panel"] != meeting["panel"]:
        problems.append(("panel", f"is not the panel meeting's panel ({meeting['panel']})"))
    if values["panel_date"] != meeting["date"]:
        problems.append(
            ("panel_date", f"is not the panel meeting's date ({meeting['date'].isoformat()})")
        )
    return problems


def _nrm_listing_of_the_child(values: Values, refs: Refs) -> list[Problem]:
    listing = refs["listing_id"]
    if listing is not None and listing["child_id"] != refs["child_id"]["pk"]:
        return [("listing_id", "is a listing of another child")]
    return []


def _episode_after_birth(values: Values, refs: Refs) -> list[Problem]:
    birth = refs["child_id"]["date_of_birth"]
    if local_date(values["started_at"]) < birth:
        return [("started_at", f"is before the child's date of birth ({birth.isoformat()})")]
    return []


def _interview_after_return(values: Values, refs: Refs) -> list[Problem]:
    ended_at = refs["episode_id"]["ended_at"]
    outcome, offered_at = values["outcome"], values["offered_at"]
    if ended_at is None and outcome not in (Outcome.NOT_REQUIRED, Outcome.NOT_OFFERED):
        return [("outcome", f"is {outcome}, but the episode has not ended (no ended_at)")]
    if ended_at is not None and offered_at is not None and offered_at < ended_at:
        return [("offered_at", f"is before the episode's ended_at ({local_iso(ended_at)})")]
    return []


CHILD_REFERENCE = Reference("child_id", "children.csv", "child")

TABLES: tuple[Table, ...] = (
    Table(
        file_name="children.csv",
        model=Child,
        required_file=True,
        key=("child_id",),
        unique_fields=("child_id",),
        columns=(
            Column("child_id", IDENTIFIER, required=True),
            Column("given_name", _text(200)),
            Column("family_name", _text(200)),
            Column("date_of_birth", parse_date, required=True),
            Column("sex", code_parser(Sex.values), required=True),
            Column("ethnicity", code_parser(Ethnicity.values)),
        ),
        derived={
            "birth_ymd": "date_of_birth",
            **{
                f"{name}_{key}": f"{name}_name"
                for name in ("given", "family")
                for key in STORED_KEYS
            },
        },
        row_rules=_child_rules,
        rules_pass=_children_pass,
        lookup_fields=("date_of_birth",),
    ),
    Table(
        file_name="legal_statuses.csv",
        model=LegalStatus,
        key=("child_id", "status", "start_date"),
        unique_fields=("child", "status", "start_date"),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("child_id", IDENTIFIER, required=True),
            Column("status", code_parser(LegalStatusKind.values), required=True),
            Column("start_date", parse_date, required=True),
            Column("end_date", parse_date),
            Column("responsible_la", parse_la_code, only_when=("status", ("LAC",))),
            Column("placement", code_parser(Placement.values), only_when=("status", ("LAC",))),
        ),
        row_rules=_legal_status_rules,
        rules_pass=_legal_statuses_pass,
    ),
    Table(
        file_name="episodes.csv",
        model=Episode,
        required_file=True,
        key=("episode_id",),
        unique_fields=("episode_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("episode_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("category", code_parser(Category.values), required=True),
            Column("started_at", parse_datetime, required=True),
            Column("reported_at", parse_datetime),
            Column("notified_at", parse_datetime),
            Column("ended_at", parse_datetime),
            Column("risk_level", code_parser(RiskLevel.values)),
            Column("found_location", _text(200)),
        ),
        derived={
            "started_on": "started_at",
            "started_ymd": "started_at",
            "started_epoch": "started_at",
            "reported_epoch": "reported_at",
            "notified_epoch": "notified_at",
            "ended_epoch": "ended_at",
        },
        row_rules=_episode_rules,
        rules_pass=_episodes_pass,
        lookup_fields=("ended_at",),
        cross_record_rules=_episode_after_birth,
        cross_record_columns=("started_at",),
    ),
    Table(
        file_name="return_interviews.csv",
        model=ReturnInterview,
        key=("episode_id",),
        unique_fields=("episode",),
        references=(Reference("episode_id", "episodes.csv", "episode"),),
        columns=(
            Column("episode_id", IDENTIFIER, required=True),
            Column("outcome", code_parser(Outcome.values), required=True),
            Column("offered_at", parse_datetime),
            Column("completed_at", parse_datetime),
            Column("method", code_parser(Method.values)),
            Column("provider", _text(200)),
            Column("child_engaged", parse_yes_no),
            Column("advice_given", parse_yes_no),
            Column("reasons", code_list_parser(Reason.values), multi=True),
            Column("risks", code_list_parser(Risk.values), multi=True),
        ),
        derived={"completed_epoch": "completed_at"},
        row_rules=_interview_rules,
        rules_pass=_interviews_pass,
        cross_record_rules=_interview_after_return,
        cross_record_columns=("outcome", "offered_at"),
    ),
    Table(
        file_name="meetings.csv",
        model=Meeting,
        key=("meeting_id",),
        unique_fields=("meeting_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("meeting_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("kind", code_parser(MeetingKind.values), required=True),
            Column("trigger", code_parser(Trigger.values), only_when=("kind", ("MISSING_MAM",))),
            Column(
                "concern", code_parser(StrategyConcern.values), only_when=("kind", ("STRATEGY",))
            ),
            Column("requested_on", parse_date, required=True),
            Column("held_on", parse_date),
            # exploitation.md §1.3 (additive), STRATEGY only
            *(
                Column(name, parse, only_when=("kind", ("STRATEGY",)), multi=multi)
                for name, parse, multi in (
                    ("format", code_parser(StrategyFormat.values), False),
                    ("s47", parse_yes_no, False),
                    ("outcomes", code_list_parser(StrategyOutcome.values), True),
                    ("next_review_on", parse_date, False),
                )
            ),
        ),
        row_rules=_meeting_rules,
        rules_pass=_meetings_pass,
    ),
    Table(
        file_name="referrals.csv",
        model=Referral,
        key=("referral_id",),
        unique_fields=("referral_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("referral_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("received_on", parse_date, required=True),
            Column("concern", code_parser(Concern.values), required=True),
            Column("source", code_parser(Source.values)),
            # exploitation.md §1.1 (additive)
            Column("forms", code_list_parser(ReferralForm.values), multi=True),
            Column("reasons", code_list_parser(ReferralReason.values), multi=True),
            Column("decision", code_parser(ReferralDecision.values)),
            Column("decided_at", parse_datetime),
        ),
        row_rules=_referral_rules,
        together=(("decision", "decided_at"),),
    ),
    Table(
        file_name="risk_assessments.csv",
        model=RiskAssessment,
        key=("assessment_id",),
        unique_fields=("assessment_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("assessment_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("kind", code_parser(AssessmentKind.values), required=True),
            Column("completed_on", parse_date, required=True),
            Column("risk", code_parser(AssessedRisk.values), required=True),
            # exploitation.md §1.2 (additive)
            Column("stage", code_parser(AssessmentStage.values)),
            *(
                Column(name, code_list_parser(Indicator.values), multi=True)
                for name in (*INDICATOR_LEVELS, "indicators_historic")
            ),
            Column("model", code_list_parser(ExploitationModel.values), multi=True),
            Column("review_due_on", parse_date),
        ),
        row_rules=_assessment_rules,
        together=(INDICATOR_LEVELS,),
    ),
    Table(
        file_name="panel_meetings.csv",
        model=PanelMeeting,
        key=("panel_meeting_id",),
        unique_fields=("panel_meeting_id",),
        columns=(
            Column("panel_meeting_id", IDENTIFIER, required=True),
            Column("panel", code_parser(Panel.values), required=True),
            Column("date", parse_date, required=True),
            Column("chairs", _text(300)),
            Column("agencies_present", code_list_parser(Agency.values), multi=True),
        ),
        lookup_fields=("panel", "date"),
        # A panel meets at most once a day (importer.py, whole_file.py).
        checked_as_a_whole=True,
        cross_record_columns=("panel", "date"),
    ),
    Table(
        file_name="panel_listings.csv",
        model=PanelListing,
        key=("listing_id",),
        unique_fields=("listing_id",),
        references=(
            CHILD_REFERENCE,
            Reference("panel_meeting_id", "panel_meetings.csv", "panel_meeting"),
        ),
        columns=(
            Column("listing_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("panel", code_parser(Panel.values), required=True),
            Column("panel_date", parse_date, required=True),
            Column("risk", code_parser(PanelRisk.values)),
            Column("nrm_referral", parse_yes_no),
            # exploitation.md §1.3 (additive)
            Column("panel_meeting_id", IDENTIFIER),
            Column("threshold_met", parse_yes_no),
            Column("decision", code_parser(ListingDecision.values)),
            Column("review_on", parse_date),
        ),
        cross_record_rules=_listing_at_its_meeting,
        cross_record_columns=("panel", "panel_date"),
        lookup_fields=("child_id",),
        # A child is listed at most once at a panel meeting (importer.py, whole_file.py).
        checked_as_a_whole=True,
    ),
)

TABLES += (
    Table(
        file_name="concern_periods.csv",
        model=ConcernPeriod,
        key=("period_id",),
        unique_fields=("period_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("period_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("pathway", code_parser(Pathway.values), required=True),
            Column("opened_on", parse_date, required=True),
            Column("level", code_parser(AssessedRisk.values)),
            Column("closed_on", parse_date),
            Column("close_reason", code_parser(CloseReason.values)),
        ),
        row_rules=_concern_period_rules,
        created_with={"opened_by": PeriodOpenedBy.RECORD},
        # Two periods of a child may not both be open on any date (importer.py).
        checked_as_a_whole=True,
        cross_record_columns=("opened_on", "closed_on", "close_reason"),
    ),
    Table(
        file_name="support_referrals.csv",
        model=SupportReferral,
        key=("support_referral_id",),
        unique_fields=("support_referral_id",),
        references=(CHILD_REFERENCE,),
        columns=(
            Column("support_referral_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("provider", code_parser(Provider.values), required=True),
            Column("referred_on", parse_date, required=True),
            Column("accepted_on", parse_date),
            Column("ended_on", parse_date),
        ),
        row_rules=_support_referral_rules,
    ),
)

TABLES += (
    Table(
        file_name="disruptions.csv",
        model=Disruption,
        key=("disruption_id",),
        unique_fields=("disruption_id",),
        columns=(
            Column("disruption_id", IDENTIFIER, required=True),
            Column("subject_kind", code_parser(SubjectKind.values), required=True),
            Column("subject_description", _text(300), required=True),
            Column("tactic", code_parser(Tactic.values), required=True),
            Column("lead_agency", code_parser(LeadAgency.values), required=True),
            Column("requested_on", parse_date, required=True),
            Column("served_or_granted_on", parse_date),
            Column("expires_on", parse_date),
            Column(
                "outcome",
                code_parser(DisruptionOutcome.values),
                empty=DisruptionOutcome.PLANNED,
            ),
            Column("children", key_list_parser(64), linked=True),
        ),
        row_rules=_disruption_rules,
        link=Link("children", "children.csv", DisruptionChild, "disruption", "child"),
        cross_record_columns=("children",),
    ),
    Table(
        # Criminal-offence and immigration data (exploitation.md §4): exported only with
        # export_interchange --include-intelligence; imported whenever present.
        file_name="nrm_referrals.csv",
        model=NrmReferral,
        intelligence=True,
        key=("nrm_id",),
        unique_fields=("nrm_id",),
        references=(CHILD_REFERENCE, Reference("listing_id", "panel_listings.csv", "listing")),
        columns=(
            Column("nrm_id", IDENTIFIER, required=True),
            Column("child_id", IDENTIFIER, required=True),
            Column("listing_id", IDENTIFIER),
            Column("referred_on", parse_date, required=True),
            Column("first_responder", code_parser(FirstResponder.values), required=True),
            Column("exploitation_types", code_list_parser(ExploitationType.values), multi=True),
            Column("decision_maker", code_parser(DecisionMaker.values), required=True),
            Column("rg_decision", code_parser(GroundsDecision.values), required=True),
            Column("rg_on", parse_date),
            Column("cg_decision", code_parser(GroundsDecision.values)),
            Column("cg_on", parse_date),
            Column("reconsideration_requested_on", parse_date),
            Column("ictg_referred_on", parse_date),
            Column("ictg_service", _text(200)),
            Column("age_disputed", parse_yes_no, empty=False),
        ),
        row_rules=_nrm_rules,
        cross_record_rules=_nrm_listing_of_the_child,
    ),
)

TABLES_BY_FILE = {table.file_name: table for table in TABLES}
