"""The SSDA903 missing rules agree with the open validator's inline tests.

Each rule's cases are the situations of its inline test in data-to-insight/csc-validator-be-903
(lac_validator/rules/lac2022_23/rule_NNN.py; INT04 and INT13 use lac_validator/fixtures.py),
written again with our own children and dates and the same pass or fail. Collection year
2023 runs from 1 April 2023 to 31 March 2024. Rows are named by where they sit, as the
command reports them: missing.csv:2 is the first row of the MISSING table.
"""

# ruff: noqa: E501 (the DfE's messages and one case per line read best)

from __future__ import annotations

from collections.abc import Sequence

import pytest

from harbour.returns.ssda903.rules import RULES, check, periods_of_care
from harbour.returns.ssda903.tables import Row, Source, Tables

YEAR = 2023

# The issue's list of rules (issue 14, section 1).
ISSUE_CODES = {
    "1004", "1005", "1006", "564", "565", "566", "567", "570", "571", "574", "575", "576",
    "577", "578", "580", "581", "586", "1012", "INT04", "INT13",
}  # fmt: skip


def rows(table: str, values: Sequence[dict[str, str]]) -> list[Row]:
    return [
        Row(dict(row), Source(file=f"{table}.csv", line=number))
        for number, row in enumerate(values, start=2)
    ]


def make(
    missing: Sequence[dict[str, str]] = (),
    episodes: Sequence[dict[str, str]] = (),
    header: Sequence[dict[str, str]] = (),
    year: int = YEAR,
) -> Tables:
    return Tables(
        year=year,
        header=rows("header", header),
        episodes=rows("episodes", episodes),
        missing=rows("missing", missing),
    )


def mis(
    child: str = "K1", start: str = "", end: str = "", missing: str = "M", dob: str = ""
) -> dict[str, str]:
    return {"CHILD": child, "MISSING": missing, "MIS_START": start, "MIS_END": end, "DOB": dob}


def epi(child: str, decom: str, dec: str = "", rec: str = "") -> dict[str, str]:
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "REC": rec}


def failing(code: str, tables: Tables, previous: Tables | None = None) -> list[str]:
    return [str(failure.source) for failure in RULES[code].check(tables, previous)]


def fails(code: str, row: dict[str, str]) -> bool:
    """Whether a MISSING table of this one row fails `code`."""
    return failing(code, make(missing=[row])) == ["missing.csv:2"]


# --- The registry ------------------------------------------------------------------------


def test_every_rule_the_issue_lists_is_registered_and_no_other() -> None:
    assert set(RULES) == ISSUE_CODES
    assert all(code == rule.code for code, rule in RULES.items())


# Typed from the validator's rule_definition messages (the DfE's "description to display").
DFE_MESSAGES = {
    "1004": "The start date of the missing episode or episode that the child was away from placement without authorisation is not a valid date.",
    "1005": "The end date of the missing episode or episode that the child was away from placement without authorisation is not a valid date.",
    "1006": "Missing type invalid.",
    "564": "Child was missing or away from placement without authorisation and the date started is blank.",
    "565": "The date that the child started to be missing or away from placement without authorisation has been completed but whether the child was missing or away from placement without authorisation has not been completed.",
    "566": "The date that the child's episode of being missing or away from placement without authorisation ended has been completed but whether the child was missing or away without authorisation has not been completed.",
    "567": "The date that the missing episode or episode that the child was away from placement without authorisation ended is before the date that it started.",
    "570": "The date that the child started to be missing or away from placement without authorisation is after the end of the collection year.",
    "571": "The date that the child ceased to be missing or away from placement without authorisation is before the start or after the end of the collection year.",
    "574": "A new missing/away from placement without authorisation period cannot start when the previous missing/away from placement without authorisation period is still open. Missing/away from placement without authorisation periods should also not overlap.",
    "575": "If the placement from which the child goes missing/away from placement without authorisation ends, the missing/away from placement without authorisation period in the missing module must also have an end date.",
    "576": "There is an open missing/away from placement without authorisation period in last year\u2019s return and there is no corresponding period recorded at the start of this year.",
    "577": "Child ceased to be looked after but there is a missing/away from placement without authorisation period without an end date.",
    "578": "The date that the child started to be missing is after the child ceased to be looked after.",
    "580": "Child is missing when cease being looked after but reason episode ceased not \u2018E8\u2019.",
    "581": "Child is missing but has not yet started to be looked after.",
    "586": "Dates of missing periods are before child\u2019s date of birth.",
    "1012": "No other data should be returned for OC3 children who had no episodes in the current year",
    "INT04": "Internal Check: Child in Missing does not exist in Header.",
    "INT13": "Internal Check: DOB in Missing is different to DOB in Header.",
}  # fmt: skip


def test_each_rule_carries_the_dfe_message_word_for_word() -> None:
    assert {code: rule.message for code, rule in RULES.items()} == DFE_MESSAGES


def test_a_failure_names_the_rule_its_message_the_table_the_row_and_the_child() -> None:
    tables = make(missing=[mis("K7", start="", missing="M")])
    (failure,) = check(tables, codes=["564"])
    assert (failure.code, failure.message, failure.table, failure.child) == (
        "564",
        DFE_MESSAGES["564"],
        "missing",
        "K7",
    )
    assert failure.source == Source(file="missing.csv", line=2)
    assert failure.as_dict()["source"] == "missing.csv:2"


def test_a_clean_return_passes_every_rule() -> None:
    tables = make(
        header=[{"CHILD": "K1", "DOB": "03/03/2008"}, {"CHILD": "K2", "DOB": "19/11/2009"}],
        episodes=[
            epi("K1", "10/01/2023", "05/06/2023", "P1"),
            epi("K1", "05/06/2023"),
            epi("K2", "01/05/2023", "30/09/2023", "E11"),
        ],
        missing=[
            mis("K1", "20/03/2023", "15/04/2023", "M", "03/03/2008"),
            mis("K1", "06/06/2023", "", "A", "03/03/2008"),
            mis("K2", "02/05/2023", "04/05/2023", "M", "19/11/2009"),
        ],
    )
    previous = make(year=2022, missing=[mis("K1", "20/03/2023")])
    assert check(tables, previous) == []


def test_the_failures_come_in_the_order_of_the_rules_then_of_the_rows() -> None:
    tables = make(
        header=[{"CHILD": "K1", "DOB": "03/03/2008"}],
        episodes=[epi("K1", "10/01/2023")],
        missing=[mis("K1", "", "", "M"), mis("K1", "", "", "X")],
    )
    assert [(failure.code, str(failure.source)) for failure in check(tables)] == [
        ("564", "missing.csv:2"),
        ("574", "missing.csv:3"),
        ("1004", "missing.csv:2"),
        ("1004", "missing.csv:3"),
        ("1006", "missing.csv:3"),
    ]


# --- 1004, 1005, 1006: readable values ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param("05/09/2023", False, id="a_real_date_passes"),
        pytest.param("", True, id="a_blank_start_fails"),
        pytest.param("09/13/2023", True, id="a_month_that_does_not_exist_fails"),
    ],
)
def test_1004_the_start_must_be_a_real_date(start: str, expected: bool) -> None:
    assert fails("1004", mis(start=start)) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("05/09/2023", "05/09/2023", False, id="a_real_date_passes"),
        pytest.param("05/09/2023", "", False, id="a_blank_end_passes_the_episode_is_open"),
        pytest.param("", "12/07/2023", False, id="a_real_end_passes_whatever_the_start"),
        pytest.param("14/11/2023", "14/11/23", True, id="a_two_digit_year_fails"),
    ],
)
def test_1005_an_end_when_given_must_be_a_real_date(start: str, end: str, expected: bool) -> None:
    assert fails("1005", mis(start=start, end=end)) is expected


@pytest.mark.parametrize(
    ("missing_type", "expected"),
    [
        pytest.param("M", False, id="missing_passes"),
        pytest.param("A", False, id="away_passes"),
        pytest.param("AWAY", True, id="a_word_fails"),
        pytest.param("NA", True, id="not_applicable_fails"),
        pytest.param("m", True, id="a_small_letter_fails"),
        # The validator's inline test also fails "" because its in-memory data holds it as
        # text; read from a CSV an empty cell is blank there as here, and blank passes 1006.
        pytest.param("", False, id="a_blank_cell_passes"),
    ],
)
def test_1006_the_type_must_be_m_or_a(missing_type: str, expected: bool) -> None:
    assert fails("1006", mis(start="05/09/2023", missing=missing_type)) is expected


# --- 564, 565, 566: type and dates go together ----------------------------------------------


@pytest.mark.parametrize(
    ("missing_type", "start", "expected"),
    [
        pytest.param("M", "", True, id="missing_with_no_start_fails"),
        pytest.param("m", "", True, id="missing_in_small_letters_with_no_start_fails"),
        pytest.param("A", "21/08/2023", False, id="away_with_a_start_passes"),
        pytest.param("", "", False, id="no_type_and_no_start_passes"),
    ],
)
def test_564_a_missing_or_away_episode_needs_a_start(
    missing_type: str, start: str, expected: bool
) -> None:
    assert fails("564", mis(start=start, missing=missing_type)) is expected


@pytest.mark.parametrize(
    ("missing_type", "start", "expected"),
    [
        pytest.param("", "21/08/2023", True, id="a_start_with_no_type_fails"),
        pytest.param("M", "", False, id="a_type_with_no_start_passes"),
        pytest.param("A", "17/08/2023", False, id="a_type_and_a_start_pass"),
        pytest.param("", "", False, id="neither_passes"),
    ],
)
def test_565_a_start_needs_a_type(missing_type: str, start: str, expected: bool) -> None:
    assert fails("565", mis(start=start, missing=missing_type)) is expected


@pytest.mark.parametrize(
    ("missing_type", "end", "expected"),
    [
        pytest.param("", "21/08/2023", True, id="an_end_with_no_type_fails"),
        pytest.param("M", "", False, id="a_type_with_no_end_passes"),
        pytest.param("A", "17/08/2023", False, id="away_with_an_end_passes"),
        pytest.param("M", "11/08/2023", False, id="missing_with_an_end_passes"),
        pytest.param("", "", False, id="neither_passes"),
    ],
)
def test_566_an_end_needs_a_type(missing_type: str, end: str, expected: bool) -> None:
    assert fails("566", mis(end=end, missing=missing_type)) is expected


# --- 567, 570, 571, 586: dates in order -----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("02/10/2023", "06/10/2023", False, id="ending_after_the_start_passes"),
        pytest.param("03/10/2023", "", False, id="an_open_episode_passes"),
        pytest.param("04/10/2023", "02/10/2023", True, id="ending_before_the_start_fails"),
        pytest.param("05/10/2023", "03/10/2023", True, id="ending_two_days_early_fails"),
        pytest.param("", "06/10/2023", False, id="an_end_with_no_start_passes"),
        pytest.param("07/10/2023", "07/10/2023", False, id="ending_the_day_it_starts_passes"),
    ],
)
def test_567_an_episode_cannot_end_before_it_starts(start: str, end: str, expected: bool) -> None:
    assert fails("567", mis(start=start, end=end)) is expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        pytest.param("09/04/2024", True, id="starting_after_31_march_fails"),
        pytest.param("23/07/2024", True, id="starting_months_after_the_year_fails"),
        pytest.param("", False, id="no_start_passes"),
        pytest.param("14/10/2008", False, id="starting_years_before_passes"),
        pytest.param("31/03/2024", False, id="starting_on_31_march_passes"),
    ],
)
def test_570_an_episode_cannot_start_after_the_collection_year(start: str, expected: bool) -> None:
    assert fails("570", mis(start=start)) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("09/03/2023", "09/03/2023", True, id="ending_before_1_april_fails"),
        pytest.param("", "23/06/2024", True, id="ending_after_31_march_fails"),
        pytest.param("23/06/2023", "", False, id="an_open_episode_passes"),
        pytest.param("14/10/2023", "14/10/23", False, id="an_unreadable_end_is_left_to_1005"),
        pytest.param("01/04/2023", "01/04/2023", False, id="ending_on_1_april_passes"),
        pytest.param("30/03/2024", "31/03/2024", False, id="ending_on_31_march_passes"),
    ],
)
def test_571_an_end_must_fall_in_the_collection_year(start: str, end: str, expected: bool) -> None:
    assert fails("571", mis(start=start, end=end)) is expected


@pytest.mark.parametrize(
    ("dob", "start", "expected"),
    [
        pytest.param("02/05/2010", "", False, id="no_start_passes"),
        pytest.param("03/05/2010", "08/05/2010", False, id="starting_after_birth_passes"),
        pytest.param("05/05/2010", "04/05/2010", True, id="starting_the_day_before_birth_fails"),
        pytest.param("08/05/2010", "02/05/2010", True, id="starting_days_before_birth_fails"),
        pytest.param("09/05/2010", "14/05/2010", False, id="starting_days_after_birth_passes"),
        pytest.param("10/05/2010", "10/05/2010", True, id="starting_on_the_day_of_birth_fails"),
    ],
)
def test_586_an_episode_cannot_start_before_the_child_was_born(
    dob: str, start: str, expected: bool
) -> None:
    assert fails("586", mis(start=start, dob=dob)) is expected


# --- 574: a child's episodes do not overlap ------------------------------------------------


@pytest.mark.parametrize(
    ("episodes", "failing_rows"),
    [
        pytest.param(
            [("02/07/2023", "06/07/2023"), ("05/07/2023", "")],
            [0],
            # In order of end (an open episode's end taken as its start) the open one comes
            # first, so the closed one is the episode that follows an open one.
            id="a_closed_episode_that_overlaps_an_open_one_fails",
        ),
        pytest.param(
            [("04/07/2023", "05/07/2023"), ("05/07/2023", ""), ("08/07/2023", "10/07/2023")],
            [2],
            id="an_episode_after_an_open_one_fails_and_starting_on_the_last_end_day_passes",
        ),
        pytest.param(
            [("03/07/2023", "05/07/2023"), ("04/07/2023", "10/07/2023")],
            [1],
            id="an_episode_starting_before_the_previous_ended_fails",
        ),
        pytest.param(
            [
                ("07/07/2023", "09/07/2023"),
                ("11/07/2023", "11/07/2023"),
                ("09/07/2023", "11/09/2023"),
            ],
            [2],
            id="an_episode_overlapping_the_one_that_ends_before_it_fails",
        ),
        pytest.param(
            [("", "06/07/2023"), ("", "06/07/2023")],
            [],
            id="episodes_with_no_start_pass",
        ),
    ],
)
def test_574_a_childs_episodes_must_not_overlap_or_follow_an_open_one(
    episodes: list[tuple[str, str]], failing_rows: list[int]
) -> None:
    tables = make(missing=[mis("K4", start, end) for start, end in episodes])
    assert failing("574", tables) == [f"missing.csv:{row + 2}" for row in failing_rows]


def test_574_episodes_of_different_children_are_not_compared() -> None:
    tables = make(missing=[mis("K1", "05/07/2023", ""), mis("K2", "08/07/2023", "10/07/2023")])
    assert failing("574", tables) == []


# --- 575: an open episode in a placement that has ended ------------------------------------


@pytest.mark.parametrize(
    ("placements", "episodes", "failing_rows"),
    [
        pytest.param(
            [("02/07/2023", "11/07/2023")],
            [("02/07/2023", "06/07/2023")],
            [],
            id="a_closed_episode_in_a_closed_placement_passes",
        ),
        pytest.param(
            [("09/07/2023", "11/07/2023")],
            [("09/07/2023", "")],
            [0],
            id="an_open_episode_that_started_in_a_closed_placement_fails",
        ),
        pytest.param(
            [("06/07/2023", "11/07/2023")],
            [("06/07/2023", "06/07/2023")],
            [],
            id="an_episode_ending_the_day_it_starts_passes",
        ),
        pytest.param(
            [("07/07/2023", ""), ("08/07/2023", "11/07/2023")],
            [("07/07/2023", "")],
            [],
            id="an_open_episode_that_started_in_an_open_placement_passes",
        ),
        pytest.param(
            [("09/07/2023", "11/07/2023"), ("09/07/2023", "")],
            [("09/07/2023", "06/07/2023"), ("10/07/2023", ""), ("20/07/2023", "06/07/2023")],
            [1],
            id="only_the_open_episode_inside_the_closed_placement_fails",
        ),
    ],
)
def test_575_an_episode_in_a_placement_that_ended_must_end(
    placements: list[tuple[str, str]], episodes: list[tuple[str, str]], failing_rows: list[int]
) -> None:
    tables = make(
        episodes=[epi("K5", decom, dec) for decom, dec in placements],
        missing=[mis("K5", start, end) for start, end in episodes],
    )
    assert failing("575", tables) == [f"missing.csv:{row + 2}" for row in failing_rows]


# --- 576: an episode open at the end of last year is carried over -------------------------


@pytest.mark.parametrize(
    ("last_year", "this_year", "expected"),
    [
        pytest.param(("08/03/2023", "08/03/2023"), ["08/03/2023"], False, id="closed_last_year_passes"),
        pytest.param(("08/03/2023", ""), ["09/03/2023"], True, id="carried_over_with_another_start_fails"),
        pytest.param(("04/03/2023", "08/03/2023"), ["04/03/2023"], False, id="closed_and_repeated_passes"),
        pytest.param(("08/03/2023", ""), [""], True, id="carried_over_with_no_start_fails"),
        pytest.param(("02/03/2023", ""), ["02/03/2023"], False, id="carried_over_with_the_same_start_passes"),
        pytest.param(("14/03/2023", "08/03/2023"), ["14/03/2023"], False, id="ended_before_it_started_last_year_is_not_open"),
        pytest.param(("02/03/2023", ""), ["10/05/2023", "02/03/2023"], False, id="the_earliest_episode_this_year_is_compared"),
    ],
)  # fmt: skip
def test_576_an_episode_open_at_the_end_of_last_year_must_start_this_years(
    last_year: tuple[str, str], this_year: list[str], expected: bool
) -> None:
    previous = make(year=2022, missing=[mis("K6", *last_year)])
    tables = make(missing=[mis("K6", start) for start in this_year])
    assert bool(failing("576", tables, previous)) is expected


def test_576_the_earliest_episode_is_the_row_that_fails() -> None:
    previous = make(year=2022, missing=[mis("K6", "02/03/2023", "")])
    tables = make(missing=[mis("K6", "10/05/2023"), mis("K6", "03/03/2023")])
    assert failing("576", tables, previous) == ["missing.csv:3"]


def test_576_is_not_checked_without_last_years_return() -> None:
    tables = make(missing=[mis("K6", "")])
    assert RULES["576"].needs_previous_year
    assert failing("576", tables) == []


def test_576_a_child_not_in_this_years_missing_table_is_not_checked() -> None:
    previous = make(year=2022, missing=[mis("K6", "02/03/2023", "")])
    tables = make(missing=[mis("K9", "10/05/2023")])
    assert failing("576", tables, previous) == []


# --- 577, 578: periods of care --------------------------------------------------------------


def test_periods_of_care_join_episodes_that_follow_on_and_end_with_the_last_one() -> None:
    periods = periods_of_care(
        rows(
            "episodes",
            [
                epi("K9", "12/08/2023", "02/12/2023"),
                epi("K9", "02/01/2023", "05/06/2023"),
                epi("K9", "05/06/2023", "12/08/2023"),
                epi("K9", "23/12/2023", "26/12/2023"),
                epi("K9", "02/01/2024", "23/02/2024"),
                epi("K9", "23/02/2024", ""),
            ],
        )
    )
    assert [(str(p.start), str(p.end)) for p in periods] == [
        ("2023-01-02", "2023-12-02"),
        ("2023-12-23", "2023-12-26"),
        ("2024-01-02", "None"),
    ]


CHILD_3_CARE = [
    ("03/04/2017", "11/01/2019"),
    ("02/04/2023", "12/01/2024"),
    ("12/01/2024", "06/10/2024"),
]
# Three episodes, the third starting before the second ended: one period, 2016 to 2023.
CHILD_5_CARE = [
    ("03/04/2016", "12/01/2019"),
    ("12/01/2019", "12/01/2021"),
    ("02/04/2020", "05/06/2023"),
]
CHILD_9_CARE = [
    ("02/01/2023", "05/06/2023"),
    ("05/06/2023", "12/08/2023"),
    ("12/08/2023", "02/12/2023"),
    ("23/12/2023", "26/12/2023"),
    ("02/01/2024", "23/02/2024"),
    ("23/02/2024", "09/08/2024"),
    ("09/08/2024", ""),
]


@pytest.mark.parametrize(
    ("care", "episodes", "failing_rows"),
    [
        pytest.param(
            [("03/04/2015", "29/03/2019")],
            [("10/01/2019", "")],
            [0],
            id="an_open_episode_after_care_ended_fails",
        ),
        pytest.param(
            [("02/04/2016", "28/03/2019")],
            [("10/01/2019", "02/07/2023")],
            [0],
            id="an_episode_ending_after_care_ended_fails",
        ),
        pytest.param(
            CHILD_3_CARE,
            [("10/01/2019", "04/07/2025"), ("10/01/2019", "04/07/2023")],
            [0],
            id="an_episode_ending_inside_a_later_period_passes_ending_after_all_fails",
        ),
        pytest.param(
            [("02/04/2019", "")],
            [("10/01/2019", "05/07/2023")],
            [],
            id="an_episode_ending_while_care_is_open_passes",
        ),
        pytest.param(
            CHILD_5_CARE,
            [("10/01/2019", "12/01/2020"), ("10/01/2019", "12/01/2022")],
            [],
            id="episodes_ending_inside_one_long_period_pass",
        ),
        pytest.param(
            [("02/04/2020", "05/06/2023")],
            [("10/01/2019", "10/01/2019")],
            [0],
            id="an_episode_ending_before_care_began_fails",
        ),
        pytest.param(
            [("02/04/2020", "05/06/2023")],
            [("", "10/01/2019")],
            [],
            id="an_episode_with_no_start_is_left_to_other_rules",
        ),
        pytest.param(
            [("02/04/2020", "05/06/2023")],
            [("10/01/2019", "")],
            [0],
            id="an_open_episode_for_a_child_whose_care_ended_fails",
        ),
        pytest.param(
            CHILD_9_CARE,
            [("02/01/2023", ""), ("02/01/2024", ""), ("05/06/2023", "05/06/2024")],
            [0],
            id="an_open_episode_from_an_earlier_period_fails_one_in_the_open_period_passes",
        ),
    ],
)
def test_577_an_episode_must_end_within_a_period_of_care(
    care: list[tuple[str, str]], episodes: list[tuple[str, str]], failing_rows: list[int]
) -> None:
    tables = make(
        episodes=[epi("K3", decom, dec) for decom, dec in care]
        + [epi("K88", "01/05/2018", "02/01/2019")],  # another child, no missing rows
        missing=[mis("K3", start, end) for start, end in episodes],
    )
    assert failing("577", tables) == [f"missing.csv:{row + 2}" for row in failing_rows]


def test_577_a_child_with_no_episodes_is_left_to_1012() -> None:
    tables = make(missing=[mis("K3", "10/01/2019", "")])
    assert failing("577", tables) == []


@pytest.mark.parametrize(
    ("care", "starts", "failing_rows"),
    [
        pytest.param(
            [("03/04/2015", "29/03/2019")],
            ["02/06/2023"],
            [0],
            id="starting_after_care_ended_fails",
        ),
        pytest.param(
            CHILD_3_CARE,
            ["04/06/2025", "04/06/2023"],
            [0],
            id="starting_inside_a_later_period_passes_after_all_periods_fails",
        ),
        pytest.param(
            [("02/04/2019", "")], ["05/06/2023"], [], id="starting_while_care_is_open_passes"
        ),
        pytest.param(
            CHILD_5_CARE,
            ["12/01/2020", "12/01/2022"],
            [],
            id="starting_inside_one_long_period_passes",
        ),
        pytest.param(
            [("02/04/2020", "05/06/2023")],
            ["10/01/2019"],
            [0],
            id="starting_before_care_began_fails",
        ),
        pytest.param(
            [("02/04/2020", "05/06/2023"), ("05/06/2023", "")],
            ["01/01/2049"],
            [],
            id="starting_any_time_in_a_period_still_open_passes",
        ),
    ],
)
def test_578_an_episode_must_start_within_a_period_of_care(
    care: list[tuple[str, str]], starts: list[str], failing_rows: list[int]
) -> None:
    tables = make(
        episodes=[epi("K3", decom, dec) for decom, dec in care]
        + [epi("K88", "01/05/2018", "02/01/2019")],
        missing=[mis("K3", start) for start in starts],
    )
    assert failing("578", tables) == [f"missing.csv:{row + 2}" for row in failing_rows]


def test_578_a_child_with_no_episodes_is_left_to_1012() -> None:
    tables = make(missing=[mis("K77", "10/01/2019")])
    assert failing("578", tables) == []


# --- 580: missing on the day care ends at 18 -----------------------------------------------


@pytest.mark.parametrize(
    ("dob", "mis_end", "missing_type", "dec", "rec", "expected"),
    [
        pytest.param("14/09/2005", "14/09/2023", "M", "14/09/2023", "E7", True, id="care_ending_at_18_for_another_reason_fails"),
        pytest.param("05/10/2005", "05/10/2023", "M", "05/10/2023", "E8", False, id="care_ending_at_18_with_e8_passes"),
        pytest.param("06/10/2005", "06/10/2023", "M", "06/10/2023", "E4A", True, id="another_reason_fails"),
        pytest.param("21/10/2005", "21/10/2023", "M", "20/10/2023", "E4A", False, id="care_ending_another_day_passes"),
        pytest.param("19/11/2005", "19/11/2023", "A", "19/11/2023", "E7", True, id="away_episodes_count_too"),
        pytest.param("29/02/2004", "28/02/2022", "M", "28/02/2022", "E7", True, id="born_29_february_turns_18_on_28_february"),
    ],
)  # fmt: skip
def test_580_a_child_missing_when_care_ends_at_18_must_leave_care_for_reason_e8(
    dob: str, mis_end: str, missing_type: str, dec: str, rec: str, expected: bool
) -> None:
    tables = make(
        episodes=[epi("K8", "01/01/2021", dec, rec)],
        missing=[mis("K8", "01/09/2021", mis_end, missing_type, dob)],
    )
    assert failing("580", tables) == (["episodes.csv:2"] if expected else [])


def test_580_names_the_episode_once_whatever_the_missing_rows() -> None:
    tables = make(
        episodes=[epi("K8", "01/01/2021", "14/09/2023", "E7")],
        missing=[
            mis("K8", "10/09/2023", "14/09/2023", "M", "14/09/2005"),
            mis("K8", "14/09/2023", "14/09/2023", "A", "14/09/2005"),
        ],
    )
    (failure,) = RULES["580"].check(tables)
    assert (failure.table, str(failure.source), failure.child) == (
        "episodes",
        "episodes.csv:2",
        "K8",
    )


# --- 581: missing before care began -------------------------------------------------------


@pytest.mark.parametrize(
    ("care", "starts", "failing_rows"),
    [
        pytest.param([("02/07/2023", "11/07/2023")], ["02/07/2023"], [], id="starting_the_day_care_began_passes"),
        pytest.param([("09/07/2023", "11/07/2023")], ["09/07/2023"], [], id="starting_inside_an_episode_passes"),
        pytest.param([("07/07/2023", "11/07/2023")], ["06/07/2023"], [0], id="starting_before_care_fails"),
        pytest.param([("07/07/2023", ""), ("08/07/2023", "11/07/2023")], ["13/07/2023"], [], id="starting_in_an_open_episode_passes"),
        pytest.param([("09/07/2023", "11/07/2023"), ("13/07/2023", "")], ["09/07/2023", "12/07/2023", "20/07/2023"], [1], id="starting_between_episodes_fails"),
        pytest.param([("16/07/2023", "21/07/2023")], ["22/07/2023"], [0], id="starting_after_care_ended_fails"),
    ],
)  # fmt: skip
def test_581_an_episode_must_start_while_the_child_is_looked_after(
    care: list[tuple[str, str]], starts: list[str], failing_rows: list[int]
) -> None:
    tables = make(
        episodes=[epi("K1", decom, dec) for decom, dec in care],
        missing=[mis("K1", start) for start in starts],
    )
    assert failing("581", tables) == [f"missing.csv:{row + 2}" for row in failing_rows]


def test_581_leaves_a_child_with_no_episodes_to_1012_and_a_blank_start_to_564() -> None:
    tables = make(
        episodes=[epi("K1", "09/07/2023", "11/07/2023")],
        missing=[mis("K2", "01/07/2023"), mis("K1", "")],
    )
    assert failing("581", tables) == []


# --- 1012, INT04, INT13: the tables agree --------------------------------------------------


def test_1012_a_child_in_missing_with_no_episode_this_year_fails() -> None:
    tables = make(
        episodes=[epi("K1", "02/05/2023"), epi("K3", "02/05/2023"), epi("K3", "09/05/2023")],
        missing=[mis("K1", "03/05/2023"), mis("K2", "03/05/2023"), mis("K3", "10/05/2023")],
    )
    assert failing("1012", tables) == ["missing.csv:3"]


# The validator's fixture: a header with some children twice and some dates blank.
INT_HEADER = [
    {"CHILD": "H101", "DOB": "02/05/2011"},
    {"CHILD": "H102", "DOB": ""},
    {"CHILD": "H103", "DOB": "02/05/2011"},
    {"CHILD": "H104", "DOB": ""},
    {"CHILD": "H101", "DOB": "02/05/2011"},
    {"CHILD": "H102", "DOB": ""},
    {"CHILD": "H103", "DOB": "02/05/2011"},
    {"CHILD": "H104", "DOB": ""},
    {"CHILD": "H106", "DOB": ""},
]
INT_MISSING = [
    mis("H101", "03/06/2023", dob="02/05/2011"),  # same DOB
    mis("H102", "03/06/2023", dob=""),  # no DOB on either side
    mis("H103", "03/06/2023", dob="05/02/2011"),  # day and month swapped
    mis("H105", "03/06/2023", dob="02/05/2011"),  # not in the header
]


def test_int04_a_child_in_missing_but_not_in_the_header_fails() -> None:
    tables = make(header=INT_HEADER, missing=INT_MISSING)
    assert failing("INT04", tables) == ["missing.csv:5"]


def test_int13_a_date_of_birth_that_differs_from_the_headers_fails() -> None:
    tables = make(header=INT_HEADER, missing=INT_MISSING)
    assert failing("INT13", tables) == ["missing.csv:4"]
