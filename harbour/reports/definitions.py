"""Every report row: its stable id, its label and the row its percentage is of.

The ids and definitions are the public contract of shared/spec/metrics.md; programs read
reports by id, never by label. Labels follow the committee tables in shared/seeds/.
"""

from __future__ import annotations

from dataclasses import dataclass

from harbour.exploitation.models import (
    CloseReason,
    Concern,
    Panel,
    Provider,
    ReferralReason,
    Source,
)
from harbour.interviews.models import Reason, Risk


@dataclass(frozen=True)
class RowDefinition:
    id: str
    label: str
    base: str | None = None  # the id of the row this one is a percentage of


R = RowDefinition

QUARTERLY: tuple[RowDefinition, ...] = (
    R("episodes_total", "Total number of missing episodes"),
    R(
        "episodes_ola",
        "Episodes of children looked after by other authorities (OLA)",
        "episodes_total",
    ),
    R("episodes_host", "Episodes of this authority's children", "episodes_total"),
    R("episodes_host_lac", "(of this authority's episodes) looked after", "episodes_host"),
    R("episodes_host_cp", "(of this authority's episodes) child protection plan", "episodes_host"),
    R("individuals_total", "Number of missing individuals"),
    R(
        "individuals_ola",
        "Individuals looked after by other authorities (OLA)",
        "individuals_total",
    ),
    R("individuals_host", "This authority's individuals", "individuals_total"),
    R("individuals_host_lac", "(of this authority's individuals) looked after", "individuals_host"),
    R(
        "individuals_host_cp",
        "(of this authority's individuals) child protection plan",
        "individuals_host",
    ),
    R("duration_max_days", "Maximum missing (days)"),
    R("duration_under_1_day", "Missing less than 1 day", "episodes_total"),
    R("duration_1_to_2_days", "Missing 1 to less than 2 days", "episodes_total"),
    R("duration_2_to_3_days", "Missing 2 to less than 3 days", "episodes_total"),
    R("duration_3_days_or_more", "Missing 3 days or more", "episodes_total"),
    R("episodes_open", "Still missing", "episodes_total"),
    R("age_youngest", "Youngest age missing"),
    R("age_average", "Average age"),
    R("rhi_offered", "Offered interview", "episodes_host"),
    R("rhi_declined", "Declined interview", "episodes_host"),
    R("rhi_accepted", "Accepted interview", "episodes_host"),
    R("rhi_completed", "Interview completed (of those accepted)", "rhi_accepted"),
    R("rhi_within_72_hours", "Completed within 72 hours (of those accepted)", "rhi_accepted"),
    R("rhi_within_1_week", "Completed within 1 week (of those accepted)", "rhi_accepted"),
    R("rhi_longest_days", "Longest time to interview in days"),
)

GROUPS = (("ola", "looked after by other authorities"), ("lac", "looked after"),
          ("cp", "child protection plan"), ("cin", "child in need"),
          ("none", "not known to social care"))  # fmt: skip

ANNUAL: tuple[RowDefinition, ...] = (
    R("episodes_total", "Missing episodes"),
    R("individuals_total", "Children who went missing"),
    R("episodes_female", "Episodes of girls", "episodes_total"),
    R("episodes_male", "Episodes of boys", "episodes_total"),
    *(R(f"episodes_group_{g}", f"Episodes: {label}", "episodes_total") for g, label in GROUPS),
    *(
        R(f"individuals_group_{g}", f"Children: {label}", "individuals_total")
        for g, label in GROUPS
    ),
    R("individuals_repeat", "Children missing 3 or more times", "individuals_total"),
    R("age_peak", "Most common age"),
    R("duration_under_4_hours", "Episodes under 4 hours", "episodes_total"),
    R("rhi_required_home", "Return interviews required: missing from home"),
    R("rhi_completed_home", "Return interviews completed: missing from home", "rhi_required_home"),
    R("rhi_required_lac", "Return interviews required: looked after"),
    R("rhi_completed_lac", "Return interviews completed: looked after", "rhi_required_lac"),
    R(
        "rhi_advice_only_lac",
        "Advice and support without an interview: looked after",
        "rhi_required_lac",
    ),
    R("rhi_completed_host", "Return interviews completed"),
    R("rhi_engaged", "Interviews in which the child took part", "rhi_completed_host"),
    *(
        R(f"reason_{code.lower()}", f"Reason for going missing: {label}", "rhi_completed_host")
        for code, label in Reason.choices
    ),
    *(
        R(f"risk_{code.lower()}", f"Risk identified: {label}", "rhi_completed_host")
        for code, label in Risk.choices
    ),
    R("lac_children", "Children looked after during the period"),
    R("lac_children_missing", "Looked-after children who went missing", "lac_children"),
    R("notifications_timed_missing", "Police notifications of missing episodes (timed)"),
    R(
        "notified_within_24_hours_missing",
        "Notified within 24 hours",
        "notifications_timed_missing",
    ),
    R(
        "notified_24_to_72_hours_missing",
        "Notified after 24 and within 72 hours",
        "notifications_timed_missing",
    ),
    R("notifications_timed_absent", "Police notifications of absences (timed)"),
    R(
        "notified_within_24_hours_absent",
        "Absences notified within 24 hours",
        "notifications_timed_absent",
    ),
    R("mam_requested", "Multi-agency missing meetings requested"),
    R("mam_held", "Multi-agency missing meetings held", "mam_requested"),
    R("strategy_meetings", "Exploitation strategy meetings held"),
    R("strategy_meeting_children", "Children discussed at strategy meetings"),
    R("referrals_total", "Exploitation referrals received"),
    *(
        R(f"referrals_concern_{code.lower()}", f"Referrals: {label}", "referrals_total")
        for code, label in Concern.choices
    ),
    *(
        R(f"referrals_source_{code.lower()}", f"Referred by: {label}", "referrals_total")
        for code, label in Source.choices
    ),
    R("referrals_source_unknown", "Referred by: not recorded", "referrals_total"),
    R("referral_children", "Children referred"),
    R("referral_children_new", "Children referred for the first time", "referral_children"),
    R("risk_assessments", "Exploitation risk assessments completed"),
    R("risk_assessments_cse", "Risk assessments: child sexual exploitation", "risk_assessments"),
    R("risk_assessments_ce", "Risk assessments: child exploitation", "risk_assessments"),
    R("panel_children", "Children considered at MACE or MASE panels"),
    R("rate_episodes_per_10k", "Missing episodes per 10,000 children"),
    R("rate_individuals_per_10k", "Children missing per 10,000 children"),
)

# The exploitation report (metrics.md, "Exploitation report", then the guidance rows of
# exploitation.md §3 as docs/reports.md defines them). Age bands: under 10, each year from
# 10 to 17, and 18 or over (the ages the seeds publish lie between 10 and 17).
AGE_BANDS: tuple[tuple[str, str], ...] = (
    ("under_10", "under 10"),
    *((str(age), f"aged {age}") for age in range(10, 18)),
    ("18_or_over", "18 or over"),
)
SEXES = (("female", "girls"), ("male", "boys"))
SMC = "strategy_meeting_children_cse"

EXPLOITATION_STRATEGY: tuple[RowDefinition, ...] = (
    R("strategy_meetings_cse", "CSE strategy meetings held"),
    R(SMC, "Children considered at CSE strategy meetings"),
    R("strategy_children_cse_female", "Of those children, girls", SMC),
    R("strategy_children_cse_male", "Of those children, boys", SMC),
    R("strategy_children_cse_age_min", "Youngest age at a first CSE strategy meeting"),
    R("strategy_children_cse_age_max", "Oldest age at a first CSE strategy meeting"),
    *(
        R(f"strategy_children_cse_group_{g}", f"Children at CSE strategy meetings: {label}", SMC)
        for g, label in GROUPS
    ),
)
EXPLOITATION_STRATEGY_AGES: tuple[RowDefinition, ...] = (
    R("strategy_children_cse_age_peak", "Most common age at a first CSE strategy meeting"),
    *(
        R(f"strategy_children_cse_age_{band}", f"Children at CSE strategy meetings {label}", SMC)
        for band, label in AGE_BANDS
    ),
    *(
        row
        for sex, label in SEXES
        for row in (
            R(f"strategy_children_cse_{sex}_age_min", f"Youngest age at a first meeting: {label}"),
            R(f"strategy_children_cse_{sex}_age_max", f"Oldest age at a first meeting: {label}"),
            *(
                R(
                    f"strategy_children_cse_{sex}_age_{band}",
                    f"{label.capitalize()} at CSE strategy meetings {band_label}",
                    f"strategy_children_cse_{sex}",
                )
                for band, band_label in AGE_BANDS
            ),
        )
    ),
)
EXPLOITATION_PERIODS: tuple[RowDefinition, ...] = (
    R("cse_periods_open_at_end", "Of those children, CSE concern open on the last day", SMC),
    R("cse_periods_closed", "CSE concern periods closed"),
    *(
        R(
            f"cse_periods_closed_{code.lower()}",
            f"CSE concerns closed: {label}",
            "cse_periods_closed",
        )
        for code, label in CloseReason.choices
    ),
)
EXPLOITATION_REFERRALS: tuple[RowDefinition, ...] = (
    R("referral_children_cse", "Children referred for CSE (CSE or both)"),
    R(
        "referral_children_cse_new",
        "Of those, children new to the front door",
        "referral_children_cse",
    ),
    R("referrals_total", "Exploitation referrals received"),
    *(
        R(f"referrals_concern_{code.lower()}", f"Referrals: {label}", "referrals_total")
        for code, label in Concern.choices
    ),
)
EXPLOITATION_REFERRAL_DETAIL: tuple[RowDefinition, ...] = (
    *(
        R(f"referrals_source_{code.lower()}", f"Referred by: {label}", "referrals_total")
        for code, label in Source.choices
    ),
    R("referrals_source_unknown", "Referred by: not recorded", "referrals_total"),
    *(
        R(f"referrals_reason_{code.lower()}", f"Reason for referral: {label}", "referrals_total")
        for code, label in ReferralReason.choices
    ),
    *(
        R(f"referrals_age_{band}", f"Referrals of children {label}", "referrals_total")
        for band, label in AGE_BANDS
    ),
)
EXPLOITATION_OTHER: tuple[RowDefinition, ...] = (
    R("risk_assessments", "Exploitation risk assessments completed"),
    R("risk_assessments_cse", "Risk assessments: child sexual exploitation", "risk_assessments"),
    R("risk_assessments_ce", "Risk assessments: child exploitation", "risk_assessments"),
    R("panel_children", "Children considered at MACE or MASE panels"),
    *(
        R(f"panel_children_{code.lower()}", f"Children listed at the panel: {label}")
        for code, label in Panel.choices
    ),
    R("children_group_cse", "Children with a CSE concern in organised or group exploitation"),
    R("hotspot_places", "Hotspots: places linked to children"),
    R("hotspot_districts", "Hotspots: postcode districts linked to children"),
    R("rhi_completed_host", "Return interviews completed"),
    R(
        "rhi_with_intelligence",
        "Of those, interviews from which intelligence was submitted",
        "rhi_completed_host",
    ),
    R("missing_children_known", "Children missing while known to social care"),
    R(
        "missing_children_screened",
        "Of those, screened for exploitation within 7 days of return",
        "missing_children_known",
    ),
)
EXPLOITATION_SUPPORT: tuple[RowDefinition, ...] = (
    R("support_referrals", "Referrals to support services"),
    R("support_rereferrals", "Of those, re-referrals", "support_referrals"),
    R("support_referrals_male", "Of those, referrals of boys", "support_referrals"),
    R("support_referrals_age_14_17", "Of those, children aged 14 to 17", "support_referrals"),
    R("support_referrals_age_min", "Youngest age referred for support"),
    R("support_referrals_age_max", "Oldest age referred for support"),
    *(
        R(
            f"support_referrals_provider_{code.lower()}",
            f"Referred to: {label}",
            "support_referrals",
        )
        for code, label in Provider.choices
    ),
    R("support_children", "Children supported during the period"),
)

EXPLOITATION: tuple[RowDefinition, ...] = (
    *EXPLOITATION_STRATEGY,
    *EXPLOITATION_STRATEGY_AGES,
    *EXPLOITATION_PERIODS,
    *EXPLOITATION_REFERRALS,
    *EXPLOITATION_REFERRAL_DETAIL,
    *EXPLOITATION_OTHER,
    *EXPLOITATION_SUPPORT,
)

# The same figures quarter by quarter, without the distributions (ages, sources, reasons).
EXPLOITATION_QUARTERLY: tuple[RowDefinition, ...] = (
    *EXPLOITATION_STRATEGY,
    *EXPLOITATION_PERIODS,
    *EXPLOITATION_REFERRALS,
    *EXPLOITATION_OTHER,
    *EXPLOITATION_SUPPORT,
)

# At a date: the children whose CSE concern period is open on it (`--on D`).
EXPLOITATION_ON: tuple[RowDefinition, ...] = (
    R("cse_open", "Children with a CSE concern open"),
    R("cse_open_female", "Of those, girls", "cse_open"),
    R("cse_open_male", "Of those, boys", "cse_open"),
    *(R(f"cse_open_group_{g}", f"Of those, {label}", "cse_open") for g, label in GROUPS),
    R("cse_open_with_missing", "Of those, missing in the year to the date", "cse_open"),
    R("cse_open_age_min", "Youngest age"),
    R("cse_open_age_max", "Oldest age"),
)

REPORTS = {
    "quarterly": QUARTERLY,
    "annual": ANNUAL,
    "exploitation": EXPLOITATION,
    "exploitation_quarterly": EXPLOITATION_QUARTERLY,
    "exploitation_on": EXPLOITATION_ON,
}
# The report's name in JSON and titles (the point-in-time report is "exploitation" too).
REPORT_NAMES = {
    "quarterly": "quarterly",
    "annual": "annual",
    "exploitation": "exploitation",
    "exploitation_quarterly": "exploitation_quarterly",
    "exploitation_on": "exploitation",
}
REPORT_TITLES = {
    "quarterly": "Quarterly report",
    "annual": "Annual report",
    "exploitation": "Exploitation report",
    "exploitation_quarterly": "Exploitation report by quarter",
    "exploitation_on": "Exploitation report at a date",
}

# Definitions quoted in downloads (shared/spec/metrics.md, in short).
COMMON_TERMS = (
    "Episodes in the period: episodes whose start (last seen), as a Europe/London date, lies "
    "in the period; absences are left out unless included. Group of an episode: from the "
    "legal statuses in force on that date, first match: OLA (looked after by another "
    "authority), LAC, CP, CIN, none. Host: every group but OLA; home: CP, CIN or none. "
    "Durations are elapsed time; days are whole days rounded down. Percentages are rounded "
    "half up."
)

NOTES: dict[str, str] = {
    "episodes_total": "Episodes in the period.",
    "episodes_ola": "Episodes of group OLA.",
    "episodes_host": "Host episodes (every group but OLA).",
    "episodes_host_lac": "Episodes of group LAC.",
    "episodes_host_cp": "Episodes of group CP.",
    "individuals_total": "Distinct children with an episode in the period.",
    "individuals_ola": "Children whose latest episode in the period is of group OLA.",
    "individuals_host": "Children whose latest episode in the period is of a host group.",
    "individuals_host_lac": "Children whose latest episode in the period is of group LAC.",
    "individuals_host_cp": "Children whose latest episode in the period is of group CP.",
    "duration_max_days": "Longest duration among ended episodes, in whole days.",
    "duration_under_1_day": "Ended episodes lasting less than 24 hours.",
    "duration_1_to_2_days": "Ended episodes lasting 24 hours or more and less than 48.",
    "duration_2_to_3_days": "Ended episodes lasting 48 hours or more and less than 72.",
    "duration_3_days_or_more": "Ended episodes lasting 72 hours or more.",
    "episodes_open": "Episodes with no time found.",
    "age_youngest": "Lowest age at the start of an episode.",
    "age_average": "Mean age at the start of an episode, one decimal place, half up.",
    "rhi_offered": "Host episodes whose interview was offered (no response, declined, accepted).",
    "rhi_declined": "Host episodes whose interview was declined.",
    "rhi_accepted": "Host episodes whose interview was accepted.",
    "rhi_completed": "Host episodes with an accepted interview that took place.",
    "rhi_within_72_hours": "Completed no more than 72 hours after the child was found.",
    "rhi_within_1_week": "Completed no more than 168 hours after the child was found.",
    "rhi_longest_days": "Longest time from found to interview, in whole days.",
    "individuals_repeat": "Children with 3 or more episodes in the period.",
    "age_peak": "Most common age of children at their first episode (ties: younger).",
    "duration_under_4_hours": "Ended episodes lasting less than 4 hours.",
    "rhi_required_home": "Ended home episodes whose interview was not marked not required.",
    "rhi_completed_home": "Of those, interviews completed.",
    "rhi_required_lac": "Ended LAC episodes whose interview was not marked not required.",
    "rhi_completed_lac": "Of those, interviews completed.",
    "rhi_advice_only_lac": "Of those, not completed but advice and support given.",
    "rhi_completed_host": "Host episodes with a completed interview.",
    "rhi_engaged": "Of those, the child took part and gave their account.",
    "lac_children": "Children looked after by this authority on any day of the period.",
    "lac_children_missing": "Of those, children with an episode of group LAC in the period.",
    "notifications_timed_missing": "Missing episodes with a time the notification arrived.",
    "notified_within_24_hours_missing": "Notified within 24 hours of the report to police.",
    "notified_24_to_72_hours_missing": "Notified after 24 and within 72 hours.",
    "notifications_timed_absent": "Absences with a notification time (0 unless included).",
    "notified_within_24_hours_absent": "Absences notified within 24 hours.",
    "mam_requested": "Multi-agency missing meetings requested in the period.",
    "mam_held": "Of those, meetings held (on any date).",
    "strategy_meetings": "Strategy meetings held in the period.",
    "strategy_meeting_children": "Distinct children with such a meeting.",
    "referrals_total": "Exploitation referrals received in the period.",
    "referral_children": "Distinct children referred in the period.",
    "referral_children_new": "Of those, children with no referral before the period.",
    "risk_assessments": "Exploitation risk assessments completed in the period.",
    "panel_children": "Distinct children listed at a MACE or MASE panel in the period.",
    "rate_episodes_per_10k": "10,000 x episodes / child population (0-17) for the year.",
    "rate_individuals_per_10k": "10,000 x children missing / child population (0-17).",
}


# The exploitation report's rows (docs/reports.md, "Exploitation report").
NOTES |= {
    "strategy_meetings_cse": "STRATEGY meetings of concern CSE held in the period.",
    SMC: "Distinct children with such a meeting.",
    "strategy_children_cse_female": "Of those, children of sex F.",
    "strategy_children_cse_male": "Of those, children of sex M.",
    "strategy_children_cse_age_min": "Youngest age, on the day of each child's first meeting.",
    "strategy_children_cse_age_max": "Oldest age, on the day of each child's first meeting.",
    "strategy_children_cse_age_peak": "Most common age at the first meeting (ties: younger).",
    **{
        f"strategy_children_cse_group_{g}": "Group on the day of the child's first meeting."
        for g, _ in GROUPS
    },
    "cse_periods_open_at_end": "Of those children, CSE concern open on the period's last day.",
    "cse_periods_closed": "CSE concern periods closed in the period.",
    "referral_children_cse": "Distinct children with a CSE or BOTH referral in the period.",
    "referral_children_cse_new": "Of those, children with no referral before the period.",
    "referrals_total": "Exploitation referrals received in the period.",
    "risk_assessments": "Exploitation risk assessments completed in the period.",
    "panel_children": "Distinct children listed at a MACE or MASE panel in the period.",
    "missing_children_known": "Children missing (ended episode) while LAC, CP or CIN.",
    "missing_children_screened": "Of those, screened from the return day to 7 x 24 h after.",
    "support_referrals": "Support referrals made in the period (any provider).",
    "support_rereferrals": "Of those, the child had a support referral strictly before.",
    "support_referrals_male": "Of those, referrals of boys.",
    "support_referrals_age_14_17": "Of those, children aged 14 to 17 on the referral date.",
    "support_referrals_age_min": "Youngest age on the referral date.",
    "support_referrals_age_max": "Oldest age on the referral date.",
    "support_children": "Children with support accepted by the last day, not ended before day 1.",
    "cse_open": "Children with a CSE concern open on the date (opened on or before, not closed).",
    "cse_open_female": "Of those, girls.",
    "cse_open_male": "Of those, boys.",
    **{f"cse_open_group_{g}": "Of those, by group on the date." for g, _ in GROUPS},
    "cse_open_with_missing": "Of those, missing in the year to the date (both days included).",
    "cse_open_age_min": "Youngest age on the date.",
    "cse_open_age_max": "Oldest age on the date.",
}


def base_of(kind: str, row_id: str) -> str | None:
    for definition in REPORTS[kind]:
        if definition.id == row_id:
            return definition.base
    raise KeyError(row_id)
