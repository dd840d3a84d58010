"""Publication safety: small numbers suppressed so that no child can be singled out.

Primary suppression hides every count from 1 to the threshold (default 5), shown as [c].
Secondary suppression hides more cells wherever a hidden one could otherwise be worked out:

- **Exact sums** (a total is the sum of its parts, as readers of the definitions know: OLA
  + host = all; the duration bands and open episodes; the five groups; the concerns; the
  sources): if exactly one cell of a sum is hidden, the smallest other part is hidden too
  (or the total, when every part is hidden but one).
- **Sums with an unpublished remainder** (host = LAC + CP + others; offered = declined +
  accepted + no response; accepted >= completed >= within a week >= within 72 hours;
  all = girls + boys + not stated): when every published cell is shown, the remainder
  can be computed; if it is a small number, the smallest shown part is hidden.
- **Percentages** of a hidden count are hidden, and so are percentages whose base is
  hidden (a count and its percentage give the base back).
- **Statistics of a hidden population** (youngest and mean age, longest duration, longest
  wait, most common age) are hidden when the count they describe is.

The rules are applied until nothing changes. Zero is never suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from harbour.common.publication import SMALL_NUMBER_THRESHOLD
from harbour.exploitation.models import CloseReason, Concern, Provider, Source

from .definitions import AGE_BANDS, base_of
from .engine import Report, ReportRow

DEFAULT_THRESHOLD = SMALL_NUMBER_THRESHOLD

# (total, parts): a sum of cells.
Relation = tuple[str, tuple[str, ...]]

GROUPS = ("ola", "lac", "cp", "cin", "none")
SMC = "strategy_meeting_children_cse"

# (total, parts): the parts add up to the total exactly.
EXACT_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("episodes_total", ("episodes_ola", "episodes_host")),
    ("individuals_total", ("individuals_ola", "individuals_host")),
    (
        "episodes_total",
        (
            "duration_under_1_day",
            "duration_1_to_2_days",
            "duration_2_to_3_days",
            "duration_3_days_or_more",
            "episodes_open",
        ),
    ),
    ("episodes_total", tuple(f"episodes_group_{g}" for g in GROUPS)),
    ("individuals_total", tuple(f"individuals_group_{g}" for g in GROUPS)),
    ("referrals_total", tuple(f"referrals_concern_{c.lower()}" for c in Concern.values)),
    (
        "referrals_total",
        (*(f"referrals_source_{c.lower()}" for c in Source.values), "referrals_source_unknown"),
    ),
    ("risk_assessments", ("risk_assessments_cse", "risk_assessments_ce")),
    # The exploitation report.
    (SMC, tuple(f"strategy_children_cse_group_{g}" for g in GROUPS)),
    (SMC, tuple(f"strategy_children_cse_age_{band}" for band, _ in AGE_BANDS)),
    *(
        (
            f"strategy_children_cse_{sex}",
            tuple(f"strategy_children_cse_{sex}_age_{band}" for band, _ in AGE_BANDS),
        )
        for sex in ("female", "male")
    ),
    ("cse_periods_closed", tuple(f"cse_periods_closed_{c.lower()}" for c in CloseReason.values)),
    ("referrals_total", tuple(f"referrals_age_{band}" for band, _ in AGE_BANDS)),
    (
        "support_referrals",
        tuple(f"support_referrals_provider_{c.lower()}" for c in Provider.values),
    ),
    ("cse_open", tuple(f"cse_open_group_{g}" for g in GROUPS)),
)

# (total, parts): the parts add up to the total with a remainder that is not published.
SUMS_WITH_REMAINDER: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("episodes_host", ("episodes_host_lac", "episodes_host_cp")),
    ("individuals_host", ("individuals_host_lac", "individuals_host_cp")),
    ("rhi_offered", ("rhi_declined", "rhi_accepted")),
    ("episodes_host", ("rhi_offered",)),
    ("rhi_accepted", ("rhi_completed",)),
    ("rhi_completed", ("rhi_within_1_week",)),
    ("rhi_within_1_week", ("rhi_within_72_hours",)),
    ("episodes_total", ("episodes_female", "episodes_male")),
    ("rhi_required_home", ("rhi_completed_home",)),
    ("rhi_required_lac", ("rhi_completed_lac", "rhi_advice_only_lac")),
    ("rhi_completed_host", ("rhi_engaged",)),
    (
        "notifications_timed_missing",
        ("notified_within_24_hours_missing", "notified_24_to_72_hours_missing"),
    ),
    ("notifications_timed_absent", ("notified_within_24_hours_absent",)),
    ("mam_requested", ("mam_held",)),
    ("lac_children", ("lac_children_missing",)),
    ("referral_children", ("referral_children_new",)),
    ("individuals_total", ("individuals_repeat",)),
    # The exploitation report.
    (SMC, ("strategy_children_cse_female", "strategy_children_cse_male")),
    (SMC, ("cse_periods_open_at_end",)),
    ("referral_children_cse", ("referral_children_cse_new",)),
    ("support_referrals", ("support_rereferrals",)),
    ("support_referrals", ("support_referrals_male",)),
    ("support_referrals", ("support_referrals_age_14_17",)),
    ("missing_children_known", ("missing_children_screened",)),
    ("cse_open", ("cse_open_female", "cse_open_male")),
    ("cse_open", ("cse_open_with_missing",)),
)

# Statistics that describe the population counted by another row.
STATISTICS_OF: dict[str, str] = {
    "duration_max_days": "episodes_total",
    "age_youngest": "episodes_total",
    "age_average": "episodes_total",
    "age_peak": "individuals_total",
    "rhi_longest_days": "rhi_completed",
    "rate_episodes_per_10k": "episodes_total",
    "rate_individuals_per_10k": "individuals_total",
    # The exploitation report: ages describe the children (or referrals) counted.
    "strategy_children_cse_age_min": SMC,
    "strategy_children_cse_age_max": SMC,
    "strategy_children_cse_age_peak": SMC,
    **{
        f"strategy_children_cse_{sex}_age_{end}": f"strategy_children_cse_{sex}"
        for sex in ("female", "male")
        for end in ("min", "max")
    },
    "support_referrals_age_min": "support_referrals",
    "support_referrals_age_max": "support_referrals",
    "cse_open_age_min": "cse_open",
    "cse_open_age_max": "cse_open",
}


def suppress(report: Report, threshold: int = DEFAULT_THRESHOLD) -> Report:
    """The report for publication: suppressed values and percentages become None, and each
    row says which of its figures were suppressed."""
    values = {row.id: row.value for row in report.rows}
    hidden = hidden_cells(
        values,
        threshold,
        exact_sums=EXACT_SUMS,
        sums_with_remainder=SUMS_WITH_REMAINDER,
        statistics_of={statistic: (count,) for statistic, count in STATISTICS_OF.items()},
    )
    return with_cells_hidden(report, hidden, lambda row_id: base_of(report.kind, row_id))


def hidden_cells(
    values: Mapping[str, Any],
    threshold: int,
    *,
    exact_sums: Iterable[Relation],
    sums_with_remainder: Iterable[Relation],
    statistics_of: Mapping[str, tuple[str, ...]],
) -> set[str]:
    """The cells to suppress: every count from 1 to `threshold`, then whatever would give
    one away (the module's rules), until nothing changes. A statistic (an average, an age)
    is never small itself; it is hidden when a count it is worked out from is. Relations
    naming a cell the report does not have are left out."""
    hidden = {
        cell
        for cell, value in values.items()
        if cell not in statistics_of and _is_small(value, threshold)
    }
    exact = _present(exact_sums, values)
    with_remainder = _present(sums_with_remainder, values)
    changed = True
    while changed:
        changed = False
        for total, parts in exact:
            cells = (total, *parts)
            if sum(cell in hidden for cell in cells) == 1:
                hidden.add(_another_to_hide(values, cells, hidden, total))
                changed = True
        for total, parts in with_remainder:
            cells = (total, *parts)
            if any(cell in hidden for cell in cells):
                continue
            remainder = values[total] - sum(values[part] for part in parts)
            if _is_small(remainder, threshold):
                hidden.add(_another_to_hide(values, cells, hidden, total))
                changed = True
        for statistic, counts in statistics_of.items():
            if (
                statistic in values
                and statistic not in hidden
                and any(count in hidden for count in counts)
            ):
                hidden.add(statistic)
                changed = True
    return hidden


def with_cells_hidden(
    report: Report, hidden: set[str], base_of_row: Callable[[str], str | None]
) -> Report:
    """The report with the hidden cells' values, and the percentages of a hidden value or
    of a hidden base, replaced by None and marked as suppressed."""
    rows = []
    for row in report.rows:
        value_hidden = row.id in hidden
        percent_hidden = row.percent is not None and (value_hidden or base_of_row(row.id) in hidden)
        rows.append(
            ReportRow(
                row.id,
                row.label,
                None if value_hidden else row.value,
                None if percent_hidden else row.percent,
                value_hidden,
                percent_hidden,
            )
        )
    return replace(report, rows=tuple(rows), for_publication=True)


def _is_small(value: object, threshold: int) -> bool:
    return isinstance(value, int) and 1 <= value <= threshold


def _present(relations: Iterable[Relation], values: Mapping[str, Any]) -> list[Relation]:
    return [
        (total, parts)
        for total, parts in relations
        if total in values and all(part in values for part in parts)
    ]


def _another_to_hide(
    values: Mapping[str, Any], cells: tuple[str, ...], hidden: set[str], total: str
) -> str:
    """The smallest shown part that is not zero; else the total."""
    parts = [cell for cell in cells if cell != total and cell not in hidden and values[cell] != 0]
    if parts:
        return min(parts, key=lambda cell: (values[cell], cell))
    return total
