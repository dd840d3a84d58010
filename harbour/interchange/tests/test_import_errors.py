"""Bad input: every problem named as file:line:column, and nothing written."""

# ruff: noqa: E501 (one case per line reads best)

import pytest

from harbour.children.models import Child
from harbour.interchange import bulk
from harbour.interchange.importer import import_folder

from .folders import VALID
from .snapshot import register_snapshot

pytestmark = pytest.mark.django_db

# (file, text to replace in VALID, replacement, the one expected message)
CASES = [
    # children.csv
    (
        "children.csv",
        "2008-11-01,M,",
        "2008-11-01,X,",
        "children.csv:3:sex: unknown code 'X' (expected one of M, F, U)",
    ),
    (
        "children.csv",
        "2008-11-01",
        "2008-11-31",
        "children.csv:3:date_of_birth: is not a real date: '2008-11-31'",
    ),
    (
        "children.csv",
        "2008-11-01",
        "01/11/2008",
        "children.csv:3:date_of_birth: is not a date in the form YYYY-MM-DD: '01/11/2008'",
    ),
    ("children.csv", "C3,Ola", "C1,Ola", "children.csv:4:child_id: repeats the key C1 of line 2"),
    (
        "children.csv",
        "date_of_birth,sex,",
        "date_of_birth,gender,",
        ["children.csv:1:gender: unknown column", "children.csv:1:sex: required column is missing"],
    ),
    (
        "children.csv",
        "date_of_birth,sex,ethnicity",
        "date_of_birth,ethnicity,ethnicity",
        [
            "children.csv:1:ethnicity: duplicated column",
            "children.csv:1:sex: required column is missing",
        ],
    ),
    ("children.csv", "Lee,2008-11-01,M,", "Lee,2008-11-01,,", "children.csv:3:sex: is required"),
    (
        "children.csv",
        "Ola,Placed,2006-07-07,U,NOBT",
        "Ola,Placed,2006-07-07,U,nobt",
        "children.csv:4:ethnicity: unknown code 'nobt' (expected one of WBRI, WIRI, WOTH, WIRT, WROM, MWBC, MWBA, MWAS, MOTH, AIND, APKN, ABAN, AOTH, BCRB, BAFR, BOTH, CHNE, OOTH, REFU, NOBT)",
    ),
    # legal_statuses.csv
    (
        "legal_statuses.csv",
        "C2,CP,",
        "C2,cp,",
        "legal_statuses.csv:3:status: unknown code 'cp' (expected one of LAC, CP, CIN)",
    ),
    (
        "legal_statuses.csv",
        "2019-01-01,2019-12-31",
        "2019-01-01,2018-12-31",
        "legal_statuses.csv:3:end_date: is before start_date (2019-01-01)",
    ),
    (
        "legal_statuses.csv",
        "C2,CP,2019-01-01",
        "C7,CP,2019-01-01",
        "legal_statuses.csv:3:child_id: refers to 'C7', which is neither in children.csv nor in the register",
    ),
    (
        "legal_statuses.csv",
        "C3,LAC,2017-05-01",
        "C1,LAC,2018-01-01",
        "legal_statuses.csv:4:child_id: repeats the key C1, LAC, 2018-01-01 of line 2",
    ),
    (
        "legal_statuses.csv",
        "2019-12-31,,",
        "2019-12-31,874,",
        "legal_statuses.csv:3:responsible_la: must be empty when status is CP (only for LAC)",
    ),
    (
        "legal_statuses.csv",
        ",874,RESIDENTIAL",
        ",87,RESIDENTIAL",
        "legal_statuses.csv:4:responsible_la: is not a three-digit DfE local authority number: '87'",
    ),
    # episodes.csv
    (
        "episodes.csv",
        "E2,C2,ABSENT",
        "E2,C2,AWOL",
        "episodes.csv:3:category: unknown code 'AWOL' (expected one of MISSING, ABSENT)",
    ),
    (
        "episodes.csv",
        "2019-03-31T00:20",
        "2019-03-31 00:20",
        "episodes.csv:3:started_at: is not a date-time in the form YYYY-MM-DDTHH:MM[:SS] with an optional Z or +HH:MM offset: '2019-03-31 00:20'",
    ),
    # A real time whose Europe/London date would be before year 1: the reader once failed
    # with an OverflowError deriving the episode's start date.
    (
        "episodes.csv",
        "2019-03-31T00:20",
        "0001-01-01T00:00Z",
        "episodes.csv:3:started_at: is outside the years 1 to 9999 in UTC or in Europe/London: '0001-01-01T00:00Z'",
    ),
    (
        "episodes.csv",
        "2019-06-04T10:00:01+01:00",
        "2019-06-01T09:59:59+01:00",
        "episodes.csv:4:ended_at: is before started_at (2019-06-01T10:00:00+01:00)",
    ),
    (
        "episodes.csv",
        "E3,C3,",
        "E3,C9,",
        "episodes.csv:4:child_id: refers to 'C9', which is neither in children.csv nor in the register",
    ),
    ("episodes.csv", "E3,C3,", "E1,C3,", "episodes.csv:4:episode_id: repeats the key E1 of line 2"),
    (
        "episodes.csv",
        "E2,C2,ABSENT,2019-03-31T00:20",
        "E2,C2,ABSENT,2008-10-31T23:00",
        "episodes.csv:3:started_at: is before the child's date of birth (2008-11-01)",
    ),
    ("episodes.csv", ",found_location", ",location", "episodes.csv:1:location: unknown column"),
    (
        "episodes.csv",
        ",risk_level,found_location",
        ",found_location",
        [f"episodes.csv:{line}:-: has 9 fields; the header has 8" for line in (2, 3, 4)],
    ),
    # return_interviews.csv
    (
        "return_interviews.csv",
        "E2,NOT_OFFERED",
        "E2,REFUSED",
        "return_interviews.csv:3:outcome: unknown code 'REFUSED' (expected one of NOT_REQUIRED, NOT_OFFERED, NO_RESPONSE, DECLINED, ACCEPTED)",
    ),
    (
        "return_interviews.csv",
        "E3,DECLINED,2019-06-05T09:00+01:00",
        "E3,DECLINED,",
        "return_interviews.csv:4:offered_at: is required when the outcome is DECLINED",
    ),
    (
        "return_interviews.csv",
        "E3,DECLINED,2019-06-05T09:00+01:00,",
        "E3,DECLINED,2019-06-05T09:00+01:00,2019-06-06T09:00+01:00",
        "return_interviews.csv:4:completed_at: must be empty when the outcome is DECLINED",
    ),
    (
        "return_interviews.csv",
        "E3,DECLINED,2019-06-05T09:00+01:00",
        "E3,DECLINED,2019-06-04T09:00+01:00",
        "return_interviews.csv:4:offered_at: is before the episode's ended_at (2019-06-04T10:00:01+01:00)",
    ),
    (
        "return_interviews.csv",
        "E2,NOT_OFFERED,",
        "E2,NO_RESPONSE,2019-04-01T10:00",
        "return_interviews.csv:3:outcome: is NO_RESPONSE, but the episode has not ended (no ended_at)",
    ),
    (
        "return_interviews.csv",
        "E3,DECLINED",
        "E8,DECLINED",
        "return_interviews.csv:4:episode_id: refers to 'E8', which is neither in episodes.csv nor in the register",
    ),
    (
        "return_interviews.csv",
        ",,N,Y,,",
        ",,no,Y,,",
        "return_interviews.csv:4:child_engaged: must be Y or N, not 'no'",
    ),
    (
        "return_interviews.csv",
        "2019-10-28T10:00,2019-10-29T10:00",
        "2019-10-29T10:00,2019-10-28T10:00",
        "return_interviews.csv:2:completed_at: is before offered_at (2019-10-29T10:00)",
    ),
    (
        "return_interviews.csv",
        "FRIENDS;SCHOOL",
        "FRIENDS;;SCHOOL",
        "return_interviews.csv:2:reasons: has an empty item in the list 'FRIENDS;;SCHOOL'",
    ),
    (
        "return_interviews.csv",
        "FRIENDS;SCHOOL",
        "SCHOOL; SCHOOL",
        "return_interviews.csv:2:reasons: lists 'SCHOOL' more than once",
    ),
    (
        "return_interviews.csv",
        "FRIENDS;SCHOOL,CSE",
        "FRIENDS;SCHOOL,CSE;GANGS",
        "return_interviews.csv:2:risks: unknown code 'GANGS' (expected one of CSE, CCE, RISKY_ADULTS, OFFENDING, SUBSTANCES, SELF_HARM, TRAFFICKING, ONLINE, RADICALISATION, OTHER)",
    ),
    # meetings.csv
    (
        "meetings.csv",
        "M2,C1,STRATEGY,,CSE",
        "M2,C1,STRATEGY,LONG_MISSING,CSE",
        "meetings.csv:3:trigger: must be empty when kind is STRATEGY (only for MISSING_MAM)",
    ),
    (
        "meetings.csv",
        "2019-06-05,2019-06-10",
        "2019-06-05,2019-06-04",
        "meetings.csv:2:held_on: is before requested_on (2019-06-05)",
    ),
    (
        "meetings.csv",
        "M2,C1,STRATEGY",
        "M2,C1,PANEL",
        "meetings.csv:3:kind: unknown code 'PANEL' (expected one of MISSING_MAM, STRATEGY)",
    ),
    ("meetings.csv", "M2,C1", "M1,C1", "meetings.csv:3:meeting_id: repeats the key M1 of line 2"),
    # referrals.csv
    (
        "referrals.csv",
        "R1,C1,2019-09-01,CSE",
        "R1,C1,2019-09-01,CSA",
        "referrals.csv:2:concern: unknown code 'CSA' (expected one of CSE, CCE, BOTH, OTHER)",
    ),
    (
        "referrals.csv",
        "R2,C2",
        "R2,C22",
        "referrals.csv:3:child_id: refers to 'C22', which is neither in children.csv nor in the register",
    ),
    (
        "referrals.csv",
        "2019-09-02",
        "2019-02-30",
        "referrals.csv:3:received_on: is not a real date: '2019-02-30'",
    ),
    # risk_assessments.csv
    (
        "risk_assessments.csv",
        "2019-09-10,HIGH",
        "2019-09-10,SEVERE",
        "risk_assessments.csv:2:risk: unknown code 'SEVERE' (expected one of NONE, LOW, MEDIUM, HIGH)",
    ),
    (
        "risk_assessments.csv",
        ",risk\n",
        ",risk,notes\n",
        "risk_assessments.csv:1:notes: unknown column",
    ),
    # panel_listings.csv
    (
        "panel_listings.csv",
        "HIGH,Y",
        "HIGH,y",
        "panel_listings.csv:2:nrm_referral: must be Y or N, not 'y'",
    ),
    (
        "panel_listings.csv",
        "P2,C3,MISSING_HOTSPOTS",
        "P2,C3,HOTSPOTS",
        "panel_listings.csv:3:panel: unknown code 'HOTSPOTS' (expected one of MACE, MASE, MISSING_HOTSPOTS, CONCERNS_NETWORK, EFR_PANEL)",
    ),
]


def _bad_folder(file_name: str, old: str, new: str) -> dict[str, str]:
    folder = dict(VALID)
    folder["children.csv"] = folder["children.csv"].replace("C2,Sam,", "C2,Samuel,")
    assert old in folder[file_name], f"test case does not apply: {old!r}"
    folder[file_name] = folder[file_name].replace(old, new, 1)
    return folder


@pytest.mark.parametrize(("file_name", "old", "new", "expected"), CASES)
def test_each_invalid_value_is_named_and_nothing_is_written(
    write_folder, file_name, old, new, expected
):
    import_folder(write_folder(VALID))
    before = register_snapshot()

    result = import_folder(write_folder(_bad_folder(file_name, old, new)))

    assert result.errors == (expected if isinstance(expected, list) else [expected])
    assert register_snapshot() == before
    assert Child.objects.get(child_id="C2").given_name == "Sam"


@pytest.mark.parametrize(("file_name", "old", "new", "expected"), CASES)
def test_a_first_bulk_load_reports_exactly_what_an_ordinary_import_does(
    write_folder, monkeypatch, file_name, old, new, expected
):
    folder = write_folder(_bad_folder(file_name, old, new))
    ordinary = import_folder(folder)  # into an empty register; refused, so it stays empty
    assert expected in ordinary.errors or expected == ordinary.errors
    # Every file counted as large: its table's indexes set aside and, on PostgreSQL, its
    # foreign keys too and its rows copied straight in (bulk.py, upsert.py).
    monkeypatch.setattr(bulk, "BULK_ROWS", 2)

    result = import_folder(folder)

    assert result.errors == ordinary.errors
    assert not Child.objects.exists()
