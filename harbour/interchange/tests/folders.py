# ruff: noqa: E501 (CSV rows read best unbroken)

"""A small, valid interchange folder touching every table and every kind of row."""

VALID = {
    "children.csv": """\
        child_id,given_name,family_name,date_of_birth,sex,ethnicity
        C1,"Zoë, Ann",Smith-Jones,2005-02-28,F,WBRI
        C2,Sam,Lee,2008-11-01,M,
        C3,Ola,Placed,2006-07-07,U,NOBT
        """,
    "legal_statuses.csv": """\
        child_id,status,start_date,end_date,responsible_la,placement
        C1,LAC,2018-01-01,,343,FOSTER
        C2,CP,2019-01-01,2019-12-31,,
        C3,LAC,2017-05-01,,874,RESIDENTIAL
        """,
    "episodes.csv": """\
        episode_id,child_id,category,started_at,reported_at,notified_at,ended_at,risk_level,found_location
        E1,C1,MISSING,2019-10-26T20:30,2019-10-26T21:00:00+01:00,2019-10-27T09:00Z,2019-10-27T20:30,MEDIUM,"Station, NG1"
        E2,C2,ABSENT,2019-03-31T00:20,,,,,
        E3,C3,MISSING,2019-06-01T10:00:00+01:00,,,2019-06-04T10:00:01+01:00,HIGH,
        """,
    "return_interviews.csv": """\
        episode_id,outcome,offered_at,completed_at,method,provider,child_engaged,advice_given,reasons,risks
        E1,ACCEPTED,2019-10-28T10:00,2019-10-29T10:00,PHONE,Harbour Youth,Y,Y,FRIENDS;SCHOOL,CSE
        E2,NOT_OFFERED,,,,,,,,
        E3,DECLINED,2019-06-05T09:00+01:00,,,,N,Y,,
        """,
    "meetings.csv": """\
        meeting_id,child_id,kind,trigger,concern,requested_on,held_on
        M1,C3,MISSING_MAM,LONG_MISSING,,2019-06-05,2019-06-10
        M2,C1,STRATEGY,,CSE,2019-11-01,
        """,
    "referrals.csv": """\
        referral_id,child_id,received_on,concern,source
        R1,C1,2019-09-01,CSE,POLICE
        R2,C2,2019-09-02,OTHER,
        """,
    "risk_assessments.csv": """\
        assessment_id,child_id,kind,completed_on,risk
        A1,C1,CSE,2019-09-10,HIGH
        """,
    "panel_listings.csv": """\
        listing_id,child_id,panel,panel_date,risk,nrm_referral
        P1,C1,MACE,2019-09-20,HIGH,Y
        P2,C3,MISSING_HOTSPOTS,2019-07-01,,
        """,
}


def with_changes(**files: str) -> dict[str, str]:
    """VALID with some files replaced (keyword: file name without .csv)."""
    folder = dict(VALID)
    for name, content in files.items():
        folder[f"{name}.csv"] = content
    return folder
