"""A child's flags: frequently missing, and an exploitation concern.

Flags are query expressions on children (`flag_annotations`), so the child's page and the
dashboard compute them the same way, in SQL, for one child or for a list; `child_flags`
reads them from a child fetched with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from harbour.common.time import one_year_before
from harbour.exploitation.models import (
    AssessedRisk,
    ConcernPeriod,
    PanelListing,
    Pathway,
    Referral,
    RiskAssessment,
)
from harbour.missing.queries import (  # noqa: F401 (the flag's definition, used by casework)
    FREQUENTLY_MISSING_DAYS,
    frequently_missing_since,
    recent_missing_count,
    recent_missing_filter,
)

FREQUENTLY_MISSING_EPISODES = 3


def flag_annotations(today: dt.date) -> dict[str, Any]:
    """Annotations for a Child queryset:

    recent_missing      MISSING episodes starting in the last 90 days
    recent_referral     an exploitation referral received in the last year
    recent_assessment   a risk assessment at medium or high completed in the last year
    recent_panel        a panel listing in the last year
    The last year runs from the same date a year ago to today, both included. The flags
    themselves are `child_flags(child)`.
    """
    year_ago = one_year_before(today)
    return {
        "recent_missing": recent_missing_count(today),
        "recent_referral": Exists(
            Referral.objects.filter(
                child=OuterRef("pk"), received_on__gte=year_ago, received_on__lte=today
            )
        ),
        "recent_assessment": Exists(
            RiskAssessment.objects.filter(
                child=OuterRef("pk"),
                risk__in=["MEDIUM", "HIGH"],
                completed_on__gte=year_ago,
                completed_on__lte=today,
            )
        ),
        "recent_panel": Exists(
            PanelListing.objects.filter(
                child=OuterRef("pk"), panel_date__gte=year_ago, panel_date__lte=today
            )
        ),
    }


def period_annotations() -> dict[str, Any]:
    """Annotations for a Child queryset: the open concern period's pathway and level
    (spec §1.3, the child's exploitation flag), "" when none is open. Subqueries: no
    query of their own."""
    open_period = ConcernPeriod.objects.filter(child=OuterRef("pk"), closed_on__isnull=True)
    return {
        "open_period_pathway": Coalesce(Subquery(open_period.values("pathway")[:1]), Value("")),
        "open_period_level": Coalesce(Subquery(open_period.values("level")[:1]), Value("")),
    }


@dataclass(frozen=True)
class OpenPeriod:
    """The child's open concern period, as the identity bar shows it."""

    pathway: str
    level: str

    @property
    def text(self) -> str:
        """ "Exploitation: CSE, High" (the level's first word; "level not set" before any)."""
        level = AssessedRisk(self.level).label.split(" /")[0] if self.level else "level not set"
        return f"Exploitation: {self.pathway}, {level}"

    @property
    def pathway_label(self) -> str:
        return Pathway(self.pathway).label if self.pathway in Pathway.values else self.pathway


def open_period(child: Any) -> OpenPeriod | None:
    """The open period of a child fetched with `period_annotations`."""
    pathway = getattr(child, "open_period_pathway", "")
    if not pathway:
        return None
    return OpenPeriod(pathway, getattr(child, "open_period_level", "") or "")


@dataclass(frozen=True)
class Flags:
    recent_missing: int
    referral: bool
    assessment: bool
    panel: bool

    @property
    def frequently_missing(self) -> bool:
        return self.recent_missing >= FREQUENTLY_MISSING_EPISODES

    @property
    def exploitation_concern(self) -> bool:
        return self.referral or self.assessment or self.panel

    @property
    def exploitation_reasons(self) -> list[str]:
        return [
            text
            for present, text in (
                (self.referral, "referral"),
                (self.assessment, "risk assessment at medium or high"),
                (self.panel, "panel listing"),
            )
            if present
        ]


def child_flags(child: Any) -> Flags:
    """The flags of a child fetched with `flag_annotations` (a Child with its annotations,
    which the type of Child does not know)."""
    return Flags(
        recent_missing=child.recent_missing,
        referral=bool(child.recent_referral),
        assessment=bool(child.recent_assessment),
        panel=bool(child.recent_panel),
    )
