"""Area counts of the network registers for analysts (exploitation spec §4).

Counts only, by postcode district and ward; SQL aggregation only. Suppression of small
numbers is the caller's (presentation) job: see suppress_cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from harbour.common.publication import SMALL_NUMBER_THRESHOLD
from harbour.exploitation.models.network import Place, PlaceLinkKind


@dataclass(frozen=True)
class AreaRow:
    district: str
    ward: str
    places: int
    children: int
    found_at: int


def area_counts(start: dt.date, end: dt.date) -> list[AreaRow]:
    """One row per (postcode district, ward): places, distinct children linked to those
    places with a link first seen in [start, end], and found-at matches in [start, end]."""
    in_period = Q(child_links__first_seen__gte=start, child_links__first_seen__lte=end)
    rows = (
        Place.objects.values("postcode_district", "ward")
        .annotate(
            places=Count("pk", distinct=True),
            children=Count("child_links__child", filter=in_period, distinct=True),
            found_at=Count(
                "child_links",
                filter=in_period & Q(child_links__kind=PlaceLinkKind.FOUND_AT),
                distinct=True,
            ),
        )
        .order_by("postcode_district", "ward")
    )
    return [
        AreaRow(r["postcode_district"], r["ward"], r["places"], r["children"], r["found_at"])
        for r in rows
    ]


def suppress_cell(count: int) -> str:
    """0 shown as 0; 1..threshold as [c]; above shown. No totals are shown, so no
    secondary suppression is needed."""
    if 1 <= count <= SMALL_NUMBER_THRESHOLD:
        return "[c]"
    return str(count)
