"""Publication safety: no suppressed figure can be worked out from the published table."""

import random

import pytest

from harbour.reports.arithmetic import percent
from harbour.reports.definitions import REPORTS, base_of
from harbour.reports.engine import Report, ReportRow
from harbour.reports.periods import Period
from harbour.reports.suppression import (
    EXACT_SUMS,
    STATISTICS_OF,
    SUMS_WITH_REMAINDER,
    suppress,
)

THRESHOLD = 5


def split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative numbers, often with small ones."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def consistent_values(rng: random.Random, kind: str) -> dict[str, int]:
    """Figures that respect every relation a reader knows, with many small numbers."""
    v: dict[str, int] = {}
    size = rng.choice([3, 8, 20, 60, 200])
    v["episodes_total"] = rng.randint(0, size)
    v["episodes_ola"], v["episodes_host"] = split(rng, v["episodes_total"], 2)
    v["episodes_host_lac"], v["episodes_host_cp"], _ = split(rng, v["episodes_host"], 3)
    v["individuals_total"] = rng.randint(0, v["episodes_total"])
    v["individuals_ola"], v["individuals_host"] = split(rng, v["individuals_total"], 2)
    v["individuals_host_lac"], v["individuals_host_cp"], _ = split(rng, v["individuals_host"], 3)
    (
        v["duration_under_1_day"],
        v["duration_1_to_2_days"],
        v["duration_2_to_3_days"],
        v["duration_3_days_or_more"],
        v["episodes_open"],
    ) = split(rng, v["episodes_total"], 5)
    v["rhi_offered"] = rng.randint(0, v["episodes_host"])
    v["rhi_declined"], v["rhi_accepted"], _ = split(rng, v["rhi_offered"], 3)
    v["rhi_completed"] = rng.randint(0, v["rhi_accepted"])
    v["rhi_within_1_week"] = rng.randint(0, v["rhi_completed"])
    v["rhi_within_72_hours"] = rng.randint(0, v["rhi_within_1_week"])
    if kind == "annual":
        groups = split(rng, v["episodes_total"], 5)
        people = split(rng, v["individuals_total"], 5)
        for name, count, children in zip(
            ("ola", "lac", "cp", "cin", "none"), groups, people, strict=True
        ):
            v[f"episodes_group_{name}"] = count
            v[f"individuals_group_{name}"] = children
        v["episodes_female"], v["episodes_male"], _ = split(rng, v["episodes_total"], 3)
        v["referrals_total"] = rng.randint(0, size)
        concerns = split(rng, v["referrals_total"], 4)
        for code, count in zip(("cse", "cce", "both", "other"), concerns, strict=True):
            v[f"referrals_concern_{code}"] = count
        sources = split(rng, v["referrals_total"], 11)
        names = [d.id for d in REPORTS["annual"] if d.id.startswith("referrals_source_")]
        v.update(zip(names, sources, strict=True))
        v["risk_assessments"] = rng.randint(0, size)
        v["risk_assessments_cse"], v["risk_assessments_ce"] = split(rng, v["risk_assessments"], 2)
    return v


def make_report(kind: str, known: dict[str, int], rng: random.Random) -> Report:
    values = {}
    for definition in REPORTS[kind]:
        values[definition.id] = known.get(definition.id, rng.randint(0, 30))
    for statistic in STATISTICS_OF:
        if statistic in values:
            values[statistic] = rng.randint(10, 17)
    rows = tuple(
        ReportRow(
            d.id,
            d.label,
            values[d.id],
            percent(values[d.id], values[d.base]) if d.base else None,
        )
        for d in REPORTS[kind]
    )
    return Report(kind, Period.financial_year(2019), False, rows)


def shown_count(row: ReportRow) -> int:
    """A figure the published table shows: every one is a count here (make_report draws
    whole numbers, statistics included)."""
    assert isinstance(row.value, int), row
    return row.value


def attack(kind: str, published: Report) -> dict[str, int]:
    """Everything a reader can work out: shown cells, then any cell that is the only
    unknown of an exact sum, repeatedly; and bases from a count and its percentage."""
    known = {row.id: shown_count(row) for row in published.rows if not row.value_suppressed}
    changed = True
    while changed:
        changed = False
        for total, parts in EXACT_SUMS:
            cells = (total, *parts)
            if not all(cell in {r.id for r in published.rows} for cell in cells):
                continue
            unknown = [cell for cell in cells if cell not in known]
            if len(unknown) == 1:
                (cell,) = unknown
                if cell == total:
                    known[cell] = sum(known[p] for p in parts)
                else:
                    known[cell] = known[total] - sum(known[p] for p in parts if p != cell)
                changed = True
        for row in published.rows:
            base = base_of(kind, row.id)
            # count / base = percent gives the base exactly when the percentage is 100.
            shown = row.id in known and not row.percent_suppressed
            if shown and row.percent == 100 and base is not None and base not in known:
                known[base] = known[row.id]
                changed = True
    return known


@pytest.mark.parametrize("kind", ["quarterly", "annual"])
def test_no_suppressed_figure_can_be_recovered_from_the_published_table(kind):
    rng = random.Random(20261121)
    for _ in range(400):
        report = make_report(kind, consistent_values(rng, kind), rng)
        published = suppress(report, THRESHOLD)
        truth = {row.id: row.value for row in report.rows}
        hidden = {row.id for row in published.rows if row.value_suppressed}

        recovered = attack(kind, published)

        assert not (hidden & recovered.keys()), sorted(hidden & recovered.keys())
        for total, parts in SUMS_WITH_REMAINDER:
            if all(cell in truth and cell not in hidden for cell in (total, *parts)):
                remainder = truth[total] - sum(truth[p] for p in parts)
                assert not 1 <= remainder <= THRESHOLD, (total, parts, remainder)


@pytest.mark.parametrize("kind", ["quarterly", "annual"])
def test_every_small_count_and_its_percentage_are_suppressed(kind):
    rng = random.Random(7)
    for _ in range(200):
        report = make_report(kind, consistent_values(rng, kind), rng)
        published = {row.id: row for row in suppress(report, THRESHOLD).rows}
        for row in report.rows:
            if row.id not in STATISTICS_OF and 1 <= row.value <= THRESHOLD:
                assert published[row.id].shown_value == "[c]"
                if row.percent is not None:
                    assert published[row.id].shown_percent == "[c]"


def test_zero_is_never_suppressed_and_large_counts_stand():
    rng = random.Random(1)
    report = make_report("quarterly", consistent_values(rng, "quarterly"), rng)
    rows = [r if r.id != "episodes_open" else ReportRow(r.id, r.label, 0, 0) for r in report.rows]
    published = {
        r.id: r for r in suppress(Report("quarterly", report.period, False, tuple(rows))).rows
    }
    assert published["episodes_open"].shown_value == 0


def test_a_percentage_whose_base_is_suppressed_is_suppressed():
    values = {d.id: 50 for d in REPORTS["quarterly"]}
    values.update(rhi_accepted=4, rhi_completed=4, rhi_within_1_week=0, rhi_within_72_hours=0)
    rows = tuple(
        ReportRow(
            d.id, d.label, values[d.id], percent(values[d.id], values[d.base]) if d.base else None
        )
        for d in REPORTS["quarterly"]
    )
    published = {
        r.id: r for r in suppress(Report("quarterly", Period.quarter(2019, 1), False, rows)).rows
    }
    assert published["rhi_within_72_hours"].shown_value == 0
    assert published["rhi_within_72_hours"].shown_percent == "[c]"


def test_the_threshold_can_be_changed():
    rng = random.Random(3)
    report = make_report("quarterly", consistent_values(rng, "quarterly"), rng)
    published = suppress(report, threshold=0)
    assert not any(row.value_suppressed for row in published.rows)


@pytest.mark.django_db
def test_the_command_publishes_suppressed_figures_as_c():
    import io
    import json

    from django.core.management import call_command

    from .helpers import episode, looked_after_by

    for _ in range(7):
        episode()
    episode(child=looked_after_by("874"))
    out = io.StringIO()
    call_command(
        "report", "quarterly", "--year", "2019", "--quarter", "1",
        "--for-publication", "--format", "json", stdout=out,
    )  # fmt: skip
    rows = {row["id"]: row for row in json.loads(out.getvalue())["rows"]}
    assert rows["episodes_ola"]["value"] is None and rows["episodes_ola"]["value_suppressed"]
    assert rows["episodes_host"]["value_suppressed"]  # 7 would give the 1 away from 8
    assert rows["episodes_total"]["value"] == 8
    text = io.StringIO()
    call_command(
        "report", "quarterly", "--year", "2019", "--quarter", "1", "--for-publication",
        stdout=text,
    )  # fmt: skip
    assert "[c]" in text.getvalue()
