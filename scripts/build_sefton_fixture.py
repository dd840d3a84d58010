"""Build the Sefton 2019/20 Quarter 1 fixture: a synthetic register that reproduces Table 1.

What this is
------------
``harbour/reports/tests/fixtures/sefton_2019_q1/`` is an interchange folder
(``shared/spec/interchange.md``) for an invented authority. Imported into a register run
with ``LOCAL_AUTHORITY_CODE=343`` (Sefton), the quarterly report for 2019/20 Quarter 1
(1 April to 30 June 2019, absences left out), computed exactly as
``shared/spec/metrics.md`` defines it, gives every figure of the Quarter 1 column of
Table 1 of Sefton's 2020 exploitation and missing report
(``shared/seeds/sefton-2020-exploitation-and-missing-report.txt``): 209 episodes, 104
individuals, the group, duration, age and return interview rows.

Everything in it is synthetic: ids are invented (``C0001``, ``E00001``, ...), names are
left empty, dates of birth, legal statuses, times and interviews are generated from a
fixed seed. It is not Sefton's data; only the totals match the published table.

Besides the counted episodes, the folder carries records that must NOT change the
figures, and records on the edges of every definition, so that a wrong implementation
gives a wrong number:

* period edges: ``2019-03-31T23:10Z`` (local 1 April 00:10, inside), an episode at
  ``2019-03-31T23:30+01:00`` (outside), one at ``2019-06-30T23:15Z`` (local 1 July 00:15,
  outside), an episode started in March and ended in April, one started in March that
  lasted 40 days, one across the March clock change;
* ``ABSENT`` episodes inside the quarter (left out by default; one lasts 36 days, one
  child aged 9 has only absences, one child's only in-period change of group happens on
  an absence);
* groups: other authorities' ``LAC`` (340, 341, 342, 344, 350, 352, 359, 888), own
  ``LAC`` with ``responsible_la`` empty or written as ``343``; statuses starting or ending
  on the local date of an episode (in force), statuses that ended the day before or
  long before, a status that starts on the local date of an episode whose UTC date is the
  day before, an own ``LAC`` status that ended before a child's ``OLA`` placement, and
  precedence (OLA over CP and CIN, LAC over CP, CP over CIN on the same day);
* individuals: the group of a child's latest episode *in the period* (a later episode in
  July has another group);
* durations of exactly 24 h, 48 h and 72 h (upper band), 23:59:59 and 47:59 (lower band),
  24 h and 72 h written with different offsets at either end, one open episode, the
  longest closed episode 34 days 6 hours;
* ages: the youngest child turns 10 on the local date of the child's episode (whose UTC
  date is the day before), other birthdays on the day of an episode, a child born on
  29 February, a 9-year-old with only absences and one missing only on 31 March;
* interviews: exactly 72 h and 168 h (within), 72 h + 1 minute and 168 h + 1 second (not
  within), offered at the moment of return, held at the moment offered, accepted but not
  (yet) held, ``NO_RESPONSE``, ``NOT_REQUIRED``, ``NOT_OFFERED`` rows and episodes with no
  row; interviews that must not count: for ``OLA`` and ``ABSENT`` episodes (each with one
  30 days after the return) and for March episodes (completed inside the quarter);
* meetings, referrals, risk assessments and panel listings, so that the folder is a
  complete register.

How to rebuild
--------------
    python3 scripts/build_sefton_fixture.py

Standard library only (it imports nothing from ``harbour``) and deterministic (fixed
seed): running it again rewrites the same files. After writing, it reads the CSV files
back, checks them against the interchange rules, recomputes the 25 quarterly rows from
the files alone, asserts that they equal the published values and prints the table; it
exits non-zero if any figure differs.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "harbour" / "reports" / "tests" / "fixtures" / "sefton_2019_q1"
AUTHORITY = "343"
PERIOD_FROM, PERIOD_TO = dt.date(2019, 4, 1), dt.date(2019, 6, 30)
SEED = 343_2019

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
FAR_FUTURE = dt.datetime(2100, 1, 1, tzinfo=UTC)

# Local midnight at either end of the quarter (British Summer Time throughout).
QUARTER_START = dt.datetime(2019, 3, 31, 23, 0, tzinfo=UTC)
QUARTER_END = dt.datetime(2019, 6, 30, 23, 0, tzinfo=UTC)

# In-period MISSING episodes per child, by group: 45 OLA episodes of 27 children,
# 102 LAC of 31, 9 CP of 5, and 53 CIN or NONE episodes of 41 children.
EPISODE_COUNTS = {
    "OLA": [6, 4, 3, 3, 2, 2, 2, 2, 2, 2] + [1] * 17,
    "LAC": [13, 10, 8, 7, 6, 5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2] + [1] * 10,
    "CP": [3, 2, 2, 1, 1],
    "CIN": [4, 3, 2, 2] + [1] * 8,
    "NONE": [3, 2, 2, 2] + [1] * 25,
}
OTHER_AUTHORITIES = ["340", "341", "342", "344", "350", "352", "359", "888"]
PLACES = [
    "Bootle",
    "Southport",
    "Crosby",
    "Formby",
    "Maghull",
    "Netherton",
    "Litherland",
    "Waterloo",
    "Liverpool city centre",
    "Kirkby",
    "Ormskirk",
    "Wigan",
    "L20",
    "L30",
    "PR8",
    "Returned to placement",
    "Returned home",
]
PROVIDERS = ["Early Help - Family Wellbeing Centre", "Early Help - Youth Outreach"]
REASONS = [
    "BOUNDARIES",
    "FAMILY_RELATIONSHIPS",
    "PLACEMENT",
    "FRIENDS",
    "PARTNER",
    "SEEING_FAMILY",
    "SCHOOL",
    "SUBSTANCES",
    "MENTAL_HEALTH",
    "EXPLOITATION",
    "OTHER",
]
RISKS = [
    "CSE",
    "CCE",
    "RISKY_ADULTS",
    "OFFENDING",
    "SUBSTANCES",
    "SELF_HARM",
    "TRAFFICKING",
    "ONLINE",
    "RADICALISATION",
    "OTHER",
]
ETHNICITIES = ["WBRI"] * 16 + ["WIRI", "WOTH", "WIRT", "MWBC", "MWBA", "MOTH", "BAFR", "AOTH"]

# The published Quarter 1 column of Table 1: {row id: (value, percent)}.
# episodes_open is not printed in the table; it is 209 - 208 closed episodes.
# age_average is held in tenths (150 = 15.0).
PUBLISHED = {
    "episodes_total": (209, None),
    "episodes_ola": (45, 22),
    "episodes_host": (164, 78),
    "episodes_host_lac": (102, 62),
    "episodes_host_cp": (9, 5),
    "individuals_total": (104, None),
    "individuals_ola": (27, 26),
    "individuals_host": (77, 74),
    "individuals_host_lac": (31, 40),
    "individuals_host_cp": (5, 6),
    "duration_max_days": (34, None),
    "duration_under_1_day": (139, 67),
    "duration_1_to_2_days": (43, 21),
    "duration_2_to_3_days": (8, 4),
    "duration_3_days_or_more": (18, 9),
    "episodes_open": (1, 0),
    "age_youngest": (10, None),
    "age_average": (150, None),
    "rhi_offered": (128, 78),
    "rhi_declined": (59, 36),
    "rhi_accepted": (61, 37),
    "rhi_completed": (59, 97),
    "rhi_within_72_hours": (17, 28),
    "rhi_within_1_week": (39, 64),
    "rhi_longest_days": (23, None),
}


# --- Europe/London without a time zone database (the rule in force since 1996) ---------


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


def london_offset(instant: dt.datetime) -> dt.timedelta:
    utc = instant.astimezone(UTC)
    begins = dt.datetime.combine(_last_sunday(utc.year, 3), dt.time(1), UTC)
    ends = dt.datetime.combine(_last_sunday(utc.year, 10), dt.time(1), UTC)
    return HOUR if begins <= utc < ends else dt.timedelta(0)


def london(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.timezone(london_offset(instant)))


def local_date(instant: dt.datetime) -> dt.date:
    return london(instant).date()


def at(text: str) -> dt.datetime:
    """An instant from an ISO date-time with Z or an offset."""
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def fmt(instant: dt.datetime | None, style: str = "local") -> str:
    """Write an instant: `local` (London time and its offset), `local_s` (with seconds
    even when zero) or `utc` (with Z)."""
    if instant is None:
        return ""
    if style == "utc":
        value, suffix = instant.astimezone(UTC), "Z"
    else:
        value = london(instant)
        suffix = "+01:00" if london_offset(instant) else "+00:00"
    seconds = value.second or style == "local_s"
    return value.strftime("%Y-%m-%dT%H:%M:%S" if seconds else "%Y-%m-%dT%H:%M") + suffix


def floor_minute(instant: dt.datetime) -> dt.datetime:
    return instant.replace(second=0, microsecond=0)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- The records ----------------------------------------------------------------------


@dataclass
class Status:
    status: str
    start: dt.date
    end: dt.date | None = None
    responsible_la: str = ""
    placement: str = ""


@dataclass
class Interview:
    outcome: str
    offered_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    method: str = ""
    provider: str = ""
    child_engaged: str = ""
    advice_given: str = ""
    reasons: str = ""
    risks: str = ""
    styles: dict[str, str] = field(default_factory=dict)


@dataclass
class Episode:
    child: Child
    category: str
    counted: bool  # a MISSING episode inside the quarter: counted in the figures
    duration: dt.timedelta | None = None  # None: still missing
    started_at: dt.datetime = FAR_FUTURE
    reported_at: dt.datetime | None = None
    notified_at: dt.datetime | None = None
    risk_level: str = ""
    found_location: str = ""
    interview: Interview | None = None
    styles: dict[str, str] = field(default_factory=dict)
    episode_id: str = ""

    @property
    def ended_at(self) -> dt.datetime | None:
        return None if self.duration is None else self.started_at + self.duration


@dataclass
class Child:
    key: str  # the plan's name for the child, e.g. LAC-07
    group: str  # the group of all of its counted episodes ("-" for none counted)
    counted: int
    first_start: dt.datetime | None = None  # pinned start of the first counted episode
    latest_start: dt.datetime | None = None  # latest allowed start of a counted episode
    birthday_at: int | None = None  # index of the counted episode on the child's birthday
    dob: dt.date = dt.date(2004, 1, 1)
    fixed_dob: bool = False
    age: int = 15
    sex: str = "F"
    ethnicity: str = ""
    statuses: list[Status] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    child_id: str = ""

    @property
    def counted_episodes(self) -> list[Episode]:
        return [episode for episode in self.episodes if episode.counted]

    @property
    def first_date(self) -> dt.date:
        return local_date(self.counted_episodes[0].started_at)

    @property
    def last_date(self) -> dt.date:
        return local_date(self.counted_episodes[-1].started_at)


@dataclass
class Register:
    children: list[Child]
    meetings: list[list[str]] = field(default_factory=list)
    referrals: list[list[str]] = field(default_factory=list)
    assessments: list[list[str]] = field(default_factory=list)
    listings: list[list[str]] = field(default_factory=list)


# --- Building -------------------------------------------------------------------------


def _minutes(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return rng.randint(low, high) * MINUTE


def duration_pool(rng: random.Random) -> list[tuple[dt.timedelta, str]]:
    """The 207 closed durations handed out at random (the open episode and the longest,
    34 days 6 hours, are placed by hand): 139 under a day, 43 of 1 to 2 days, 8 of 2 to 3
    days, 18 of 3 days or more. A tag `mixed` writes the start with +01:00 and the end in
    UTC, so the wall-clock difference is one hour short of the elapsed time."""
    pool = [(dt.timedelta(hours=23, minutes=59, seconds=59), ""), (20 * MINUTE, "")]
    for _ in range(137):
        short = rng.random() < 0.6
        pool.append((_minutes(rng, 30, 8 * 60) if short else _minutes(rng, 481, 1430), ""))
    pool += [(24 * HOUR, ""), (24 * HOUR, "mixed"), (47 * HOUR + 59 * MINUTE, "")]
    pool += [(_minutes(rng, 24 * 60 + 1, 47 * 60 + 58), "") for _ in range(40)]
    pool += [(48 * HOUR, "")]
    pool += [(_minutes(rng, 48 * 60 + 1, 71 * 60 + 59), "") for _ in range(7)]
    pool += [(72 * HOUR, "mixed")]
    pool += [(_minutes(rng, 72 * 60 + 1, 9 * 24 * 60), "") for _ in range(16)]
    assert len(pool) == 207
    rng.shuffle(pool)
    return pool


def make_children() -> dict[str, list[Child]]:
    groups: dict[str, list[Child]] = {}
    for group, counts in EPISODE_COUNTS.items():
        groups[group] = [
            Child(key=f"{group}-{index:02d}", group=group, counted=count)
            for index, count in enumerate(counts)
        ]
    lac, cp, cin, none = groups["LAC"], groups["CP"], groups["CIN"], groups["NONE"]
    # Period edge: local 1 April 00:10 is 31 March 23:10 UTC.
    lac[10].first_start = at("2019-03-31T23:10Z")
    # A CP plan from 15 May; the episode's UTC date is 14 May.
    cp[0].first_start = at("2019-05-14T23:40Z")
    # A CP plan ended on 1 May; the episode's local date is 2 May, its UTC date 1 May.
    cin[4].first_start = at("2019-05-01T23:30Z")
    # The youngest: born 17 May 2009, missing at 00:30 local on 17 May 2019.
    none[4].first_start = at("2019-05-16T23:30Z")
    none[4].dob, none[4].fixed_dob = dt.date(2009, 5, 17), True
    none[5].dob, none[5].fixed_dob = dt.date(2004, 2, 29), True
    # Children whose statuses change after their last counted episode.
    cin[2].latest_start = at("2019-06-10T12:00Z")
    lac[14].latest_start = at("2019-06-18T12:00Z")
    # The longest episode (34 days 6 hours) starts by 20 May.
    cin[5].latest_start = at("2019-05-20T12:00Z")
    # Birthdays on the local date of a counted episode.
    groups["OLA"][0].birthday_at = 3
    lac[2].birthday_at = 4
    cin[0].birthday_at = 2
    none[0].birthday_at = 1
    return groups


def layout(rng: random.Random, child: Child) -> None:
    """Place the child's counted episodes one after another inside the quarter."""
    episodes = child.counted_episodes
    low = child.first_start or QUARTER_START + 2 * HOUR
    high = child.latest_start or QUARTER_END - HOUR
    busy = sum((episode.duration for episode in episodes[:-1]), dt.timedelta())
    room = (high - low) - busy - (len(episodes) - 1) * 3 * HOUR
    assert room > dt.timedelta(0), child.key
    weights = [rng.random() + 0.05 for _ in range(len(episodes) + 1)]
    total = sum(weights)
    cursor = low
    for index, episode in enumerate(episodes):
        if index == 0:
            gap = dt.timedelta(0) if child.first_start else room * (weights[0] / total)
        else:
            gap = 3 * HOUR + room * (weights[index] / total)
        episode.started_at = floor_minute(cursor + gap)
        assert index == len(episodes) - 1 or episode.ended_at is not None
        cursor = episode.ended_at or cursor
        assert QUARTER_START <= episode.started_at <= high, child.key


def free_start(
    rng: random.Random,
    child: Child,
    low: dt.datetime,
    high: dt.datetime,
    duration: dt.timedelta,
) -> dt.datetime:
    """A start in [low, high) for an extra episode that overlaps none of the child's."""
    busy = [(e.started_at, e.ended_at or FAR_FUTURE) for e in child.episodes]
    for _ in range(1000):
        start = floor_minute(low + (high - low) * rng.random())
        end = start + duration
        if all(end + 3 * HOUR <= s or start >= e + 3 * HOUR for s, e in busy):
            return start
    raise RuntimeError(f"no room for an episode of {child.key}")


def random_age(rng: random.Random, group: str) -> int:
    if group in ("OLA", "LAC"):
        return rng.choices([12, 13, 14, 15, 16, 17], [2, 6, 14, 24, 30, 24])[0]
    return rng.choices([11, 12, 13, 14, 15, 16, 17], [4, 8, 14, 20, 22, 18, 14])[0]


def steady_birth(rng: random.Random, age: int) -> dt.date:
    """A date of birth with the birthday outside April to June: the same age all quarter."""
    month = rng.choice([1, 2, 3, 7, 8, 9, 10, 11, 12])
    year = 2019 - age if month <= 3 else 2018 - age
    return dt.date(year, month, rng.randint(1, 28))


def settle_ages(rng: random.Random, children: list[Child]) -> None:
    """Dates of birth so that the mean age over the 209 counted episodes is exactly 15.0."""
    for child in children:
        if child.fixed_dob:
            continue
        if child.birthday_at is not None:
            birthday = local_date(child.counted_episodes[child.birthday_at].started_at)
            child.age = rng.choice([15, 16])
            child.dob = birthday.replace(year=birthday.year - child.age)
        else:
            child.age = random_age(rng, child.group)
            child.dob = steady_birth(rng, child.age)

    def total() -> int:
        return sum(
            age_on(child.dob, local_date(episode.started_at))
            for child in children
            for episode in child.counted_episodes
        )

    episodes = sum(child.counted for child in children)
    difference = 15 * episodes - total()
    candidates = [c for c in children if not c.fixed_dob and c.birthday_at is None]
    rng.shuffle(candidates)
    candidates.sort(key=lambda child: -child.counted)
    while difference:
        step = 1 if difference > 0 else -1
        for child in candidates:
            if child.counted <= abs(difference) and 11 <= child.age + step <= 17:
                child.age += step
                child.dob = child.dob.replace(year=child.dob.year - step)
                difference -= step * child.counted
                candidates.remove(child)
                break
        else:
            raise RuntimeError("cannot settle the ages")
    assert total() == 15 * episodes


def some_date(rng: random.Random, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def placement(rng: random.Random) -> str:
    return rng.choices(["FOSTER", "RESIDENTIAL", "SUPPORTED", "OTHER", ""], [45, 30, 10, 5, 10])[0]


def give_statuses(rng: random.Random, groups: dict[str, list[Child]]) -> None:
    def since(child: Child, low_days: int, high_days: int) -> dt.date:
        start = child.first_date - dt.timedelta(days=rng.randint(low_days, high_days))
        return max(start, child.dob + dt.timedelta(days=400))

    for index, child in enumerate(groups["OLA"]):
        la = OTHER_AUTHORITIES[index % len(OTHER_AUTHORITIES)]
        lac = Status("LAC", since(child, 20, 1500), None, la, placement(rng))
        child.statuses = [lac]
        if index == 1:  # looked after here until January, then by Liverpool
            child.statuses = [
                Status("LAC", dt.date(2015, 3, 2), dt.date(2019, 1, 31), "343", "FOSTER"),
                Status("LAC", dt.date(2019, 2, 1), None, "341", "RESIDENTIAL"),
            ]
        elif index == 2:  # placement ended on the day of the last episode
            lac.responsible_la, lac.end = "344", child.last_date
        elif index == 3:  # placed here on the day of the first episode
            lac.responsible_la, lac.start = "340", child.first_date
        elif index == 4:  # a child in need plan here as well: OLA wins
            child.statuses.append(Status("CIN", since(child, 30, 300)))
        elif index == 5:  # an old CP plan
            child.statuses.append(Status("CP", dt.date(2016, 6, 6), dt.date(2017, 2, 20)))
            lac.start = max(lac.start, dt.date(2017, 3, 1))
        elif index == 6:  # a child protection plan in force as well: OLA wins
            child.statuses.append(Status("CP", since(child, 40, 200)))

    explicit_own = {1, 5, 11, 20, 25}
    for index, child in enumerate(groups["LAC"]):
        la = AUTHORITY if index in explicit_own else ""
        lac = Status("LAC", since(child, 15, 2000), None, la, placement(rng))
        child.statuses = [lac]
        if index == 3:  # a CIN plan before care
            lac.start = dt.date(2017, 10, 1)
            child.statuses.append(Status("CIN", dt.date(2016, 5, 1), dt.date(2017, 9, 30)))
        elif index == 8:  # a second period of care
            child.statuses = [
                Status("LAC", dt.date(2016, 1, 11), dt.date(2017, 4, 2), "", "FOSTER"),
                Status("LAC", dt.date(2018, 3, 19), None, "", "RESIDENTIAL"),
            ]
        elif index == 10:  # looked after from 1 April; first episode 31 March 23:10 UTC
            assert child.first_date == dt.date(2019, 4, 1)
            lac.start, lac.placement = dt.date(2019, 4, 1), "FOSTER"
            child.statuses.append(Status("CIN", dt.date(2018, 11, 1), dt.date(2019, 3, 31)))
        elif index == 14:  # back home on the day of the last episode of the quarter
            lac.end = child.last_date
        elif index == 15:  # CP plan ends the day care starts, on an episode's date
            lac.start = child.first_date
            child.statuses.append(Status("CP", dt.date(2018, 12, 3), child.first_date))
        elif index == 16:  # an old CIN plan
            child.statuses.append(Status("CIN", dt.date(2015, 9, 1), dt.date(2016, 8, 31)))

    for index, child in enumerate(groups["CP"]):
        cp = Status("CP", since(child, 20, 300))
        child.statuses = [cp]
        if index == 0:  # stepped up from CIN to CP on 15 May (episode's UTC date 14 May)
            assert child.first_date == dt.date(2019, 5, 15)
            cp.start = dt.date(2019, 5, 15)
            child.statuses.append(Status("CIN", dt.date(2019, 1, 10), dt.date(2019, 5, 14)))
        elif index == 1:  # CIN ends the day CP starts, on an episode's date: CP wins
            cp.start = child.first_date
            child.statuses.append(Status("CIN", since(child, 60, 200), child.first_date))
        elif index == 2:  # looked after in the past
            cp.start = dt.date(2018, 9, 17)
            child.statuses.append(
                Status("LAC", dt.date(2016, 4, 4), dt.date(2018, 2, 28), "", "FOSTER")
            )
        elif index == 3:  # plan ended on the day of the last episode
            cp.end = child.last_date

    for index, child in enumerate(groups["CIN"]):
        cin = Status("CIN", since(child, 20, 700))
        child.statuses = [cin]
        if index == 0:  # plan starts on the day of the first episode
            cin.start = child.first_date
        elif index == 1:  # CP plan ended the day before the first episode
            cin.start = child.first_date - DAY
            child.statuses.append(Status("CP", since(child, 200, 400), child.first_date - DAY))
        elif index == 2:  # looked after from 20 June (only an absence after that)
            cin.start, cin.end = dt.date(2018, 10, 1), dt.date(2019, 6, 19)
            child.statuses.append(Status("LAC", dt.date(2019, 6, 20), None, "", "FOSTER"))
        elif index == 4:  # CP plan ended on 1 May; episode at 00:30 local on 2 May
            assert child.first_date == dt.date(2019, 5, 2)
            cin.start = dt.date(2019, 5, 2)
            child.statuses.append(Status("CP", dt.date(2018, 8, 20), dt.date(2019, 5, 1)))

    for index, child in enumerate(groups["NONE"]):
        if 6 <= index <= 9:  # a closed CIN case
            start = since(child, 300, 900)
            end = some_date(rng, start + 60 * DAY, child.first_date - 2 * DAY)
            child.statuses = [Status("CIN", start, end)]
        elif index == 10:
            child.statuses = [Status("CP", dt.date(2016, 7, 1), dt.date(2017, 5, 31))]
        elif index == 11:  # looked after in the past
            child.statuses = [
                Status("LAC", dt.date(2017, 2, 13), dt.date(2018, 8, 31), AUTHORITY, "FOSTER")
            ]


def describe_episodes(rng: random.Random, children: list[Child]) -> None:
    """Reported and notified times, police risk grade, where found."""
    for child in children:
        for episode in child.episodes:
            start, duration = episode.started_at, episode.duration
            if rng.random() < 0.85:
                lead = _minutes(rng, 10, 240)
                if duration is not None:
                    lead = min(lead, duration * 0.8)
                episode.reported_at = floor_minute(start + lead)
                if episode.reported_at < start:
                    episode.reported_at = start
                if rng.random() < 0.9:
                    delay = _minutes(rng, 20, 30 * 60)
                    episode.notified_at = floor_minute(episode.reported_at + delay)
            if episode.category == "ABSENT":
                episode.risk_level = rng.choice(["NO_APPARENT_RISK"] * 3 + ["LOW", ""])
            else:
                grades = ["LOW", "MEDIUM", "HIGH", "NO_APPARENT_RISK", ""]
                episode.risk_level = rng.choices(grades, [35, 45, 10, 5, 5])[0]
            if duration is not None and rng.random() < 0.85:
                episode.found_location = rng.choice(PLACES)


def completed_interview(
    rng: random.Random, episode: Episode, wait: dt.timedelta, tag: str = ""
) -> Interview:
    ended = episode.ended_at
    assert ended is not None
    if tag == "offered_on_return":
        offered = ended
    elif tag == "held_when_offered":
        offered = ended + wait
    else:
        lead = min(wait, 96 * HOUR) * rng.uniform(0.05, 0.8)
        offered = max(floor_minute(ended + lead), ended)
    reasons = rng.sample(REASONS, rng.choice([1, 1, 2, 2, 3]))
    if episode.child.group in ("LAC", "OLA") and "PLACEMENT" not in reasons and rng.random() < 0.5:
        reasons[0] = "PLACEMENT"
    risks = rng.sample(RISKS, rng.choice([0, 0, 1, 1, 2]))
    return Interview(
        "ACCEPTED",
        offered,
        ended + wait,
        method=rng.choices(["FACE_TO_FACE", "PHONE", "VIDEO", "OTHER"], [70, 20, 5, 5])[0],
        provider=rng.choice(PROVIDERS),
        child_engaged=rng.choices(["Y", "N"], [85, 15])[0],
        advice_given=rng.choices(["Y", "N", ""], [85, 5, 10])[0],
        reasons=";".join(sorted(reasons)),
        risks=";".join(sorted(risks)),
    )


def offered_interview(rng: random.Random, episode: Episode, outcome: str) -> Interview:
    ended = episode.ended_at
    assert ended is not None
    offered = max(floor_minute(ended + _minutes(rng, 60, 5 * 24 * 60)), ended)
    advice = rng.choice(["Y", "N", ""]) if outcome == "DECLINED" else rng.choice(["N", ""])
    return Interview(outcome, offered, advice_given=advice, provider=rng.choice(PROVIDERS))


def wait_pool(rng: random.Random) -> list[tuple[dt.timedelta | None, str]]:
    """Times to interview for the 61 accepted host interviews: 17 within 72 hours, 22 more
    within a week, 20 later (longest 23 days 19 hours) and 2 not (yet) held."""
    pool: list[tuple[dt.timedelta | None, str]] = [
        (72 * HOUR, "mixed"),
        (71 * HOUR + 59 * MINUTE, "offered_on_return"),
        (2 * HOUR, "held_when_offered"),
    ]
    pool += [(_minutes(rng, 4 * 60, 70 * 60), "") for _ in range(14)]
    pool += [(168 * HOUR, ""), (72 * HOUR + MINUTE, "")]
    pool += [(_minutes(rng, 73 * 60, 167 * 60), "") for _ in range(20)]
    pool += [(168 * HOUR + dt.timedelta(seconds=1), ""), (23 * DAY + 19 * HOUR, "")]
    pool += [(_minutes(rng, 170 * 60, 520 * 60), "") for _ in range(18)]
    pool += [(None, ""), (None, "")]
    assert len(pool) == 61
    rng.shuffle(pool)
    return pool


def give_interviews(rng: random.Random, groups: dict[str, list[Child]]) -> None:
    counted = [e for children in groups.values() for c in children for e in c.counted_episodes]
    counted.sort(key=lambda episode: episode.started_at)
    host = [e for e in counted if e.child.group != "OLA" and e.ended_at is not None]
    assert len(host) == 163
    outcomes = (
        ["ACCEPTED"] * 61
        + ["DECLINED"] * 59
        + ["NO_RESPONSE"] * 8
        + ["NOT_REQUIRED"] * 7
        + ["NOT_OFFERED"] * 12
        + [""] * 16
    )
    rng.shuffle(outcomes)
    waits = wait_pool(rng)
    offered_on_return = False
    for episode, outcome in zip(host, outcomes, strict=True):
        if outcome == "ACCEPTED":
            wait, tag = waits.pop()
            if wait is None:
                interview = offered_interview(rng, episode, "ACCEPTED")
                interview.advice_given = ""
            else:
                interview = completed_interview(rng, episode, wait, tag)
                if tag == "mixed":  # ended in UTC, completed in London time
                    episode.styles["ended_at"] = "utc"
                    interview.styles["completed_at"] = "local"
            episode.interview = interview
        elif outcome in ("DECLINED", "NO_RESPONSE"):
            episode.interview = offered_interview(rng, episode, outcome)
            if outcome == "DECLINED" and not offered_on_return:
                episode.interview.offered_at = episode.ended_at
                offered_on_return = True
        elif outcome:
            advice = rng.choice(["", "N"]) if outcome == "NOT_REQUIRED" else ""
            episode.interview = Interview(outcome, advice_given=advice)

    # Interviews for OLA episodes: recorded, never counted in the host rows.
    ola = [e for e in counted if e.child.group == "OLA" and e.ended_at is not None]
    chosen = rng.sample(ola, 12)
    waits_ola = [10 * HOUR, 50 * HOUR, 100 * HOUR, 200 * HOUR, 30 * DAY + 4 * HOUR]
    for episode, wait in zip(chosen[:5], waits_ola, strict=True):
        episode.interview = completed_interview(rng, episode, wait)
    for episode in chosen[5:8]:
        episode.interview = offered_interview(rng, episode, "DECLINED")
    chosen[8].interview = offered_interview(rng, chosen[8], "NO_RESPONSE")
    for episode in chosen[9:]:
        episode.interview = Interview("NOT_REQUIRED", advice_given="N")


def add_extra_episodes(rng: random.Random, groups: dict[str, list[Child]]) -> list[Child]:
    """ABSENT episodes in the quarter and MISSING episodes outside it (not counted), and
    the children who have only such episodes."""
    ola, lac, cin = groups["OLA"], groups["LAC"], groups["CIN"]
    before = (dt.datetime(2019, 1, 3, tzinfo=UTC), dt.datetime(2019, 3, 28, tzinfo=UTC))
    after = (QUARTER_END + 2 * DAY, dt.datetime(2019, 9, 20, tzinfo=UTC))
    inside = (QUARTER_START + 2 * HOUR, QUARTER_END - 2 * HOUR)

    def extra(
        child: Child,
        category: str,
        window: tuple[dt.datetime, dt.datetime],
        duration: dt.timedelta,
        start: dt.datetime | None = None,
    ) -> Episode:
        episode = Episode(child, category, counted=False, duration=duration)
        episode.started_at = start or free_start(rng, child, *window, duration)
        child.episodes.append(episode)
        return episode

    def absence(rng: random.Random) -> dt.timedelta:
        return _minutes(rng, 2 * 60, 3 * 24 * 60)

    # Children with no counted episode.
    out_before = Child("EXTRA-31-MARCH", "-", 0, dob=dt.date(2009, 8, 20), fixed_dob=True)
    absent_only = Child("EXTRA-ABSENT-AGED-9", "-", 0, dob=dt.date(2009, 11, 3), fixed_dob=True)
    absent_only.statuses = [Status("LAC", dt.date(2018, 5, 14), None, "", "FOSTER")]
    absent_ola = Child("EXTRA-ABSENT-OLA", "-", 0, dob=dt.date(2002, 10, 12), fixed_dob=True)
    absent_ola.statuses = [Status("LAC", dt.date(2017, 6, 5), None, "888", "RESIDENTIAL")]
    long_march = Child("EXTRA-40-DAYS", "-", 0, dob=dt.date(2003, 1, 25), fixed_dob=True)
    long_march.statuses = [Status("CIN", dt.date(2018, 7, 2))]
    extras = [out_before, absent_only, absent_ola, long_march]

    # Local 31 March 23:30: outside the quarter; a 9-year-old.
    start = at("2019-03-31T23:30+01:00")
    episode = extra(out_before, "MISSING", before, 2 * HOUR + 10 * MINUTE, start)
    episode.interview = completed_interview(rng, episode, 30 * HOUR)
    # 40 days from 10 March (ends 19 April); interview completed inside the quarter.
    start = at("2019-03-10T19:00+00:00")
    episode = extra(long_march, "MISSING", before, 40 * DAY + 2 * HOUR, start)
    episode.interview = completed_interview(rng, episode, 25 * DAY)
    # Local 1 July 00:15, written in UTC as 30 June: outside; the child is home by then.
    episode = extra(lac[14], "MISSING", after, 5 * HOUR, at("2019-06-30T23:15Z"))
    episode.styles["started_at"] = "utc"
    # Across the clock change: 23:00 GMT to 03:00 BST is 3 hours.
    episode = extra(lac[4], "MISSING", before, 3 * HOUR, at("2019-03-30T23:00+00:00"))
    episode.interview = Interview("NOT_REQUIRED")
    # Started in March, ended in April.
    episode = extra(ola[1], "MISSING", before, 5 * DAY + 3 * HOUR, at("2019-03-29T20:00+00:00"))
    episode.interview = offered_interview(rng, episode, "DECLINED")
    for child, window in [
        (lac[0], before),
        (lac[1], after),
        (ola[0], before),
        (groups["NONE"][1], after),
        (groups["CP"][3], after),
        (cin[1], before),
        (lac[9], after),
    ]:
        episode = extra(child, "MISSING", window, _minutes(rng, 60, 30 * 60))
        if rng.random() < 0.5:
            episode.interview = offered_interview(rng, episode, "DECLINED")

    # Absences inside the quarter.
    for _ in range(3):
        extra(absent_only, "ABSENT", inside, absence(rng))
    episode = extra(absent_ola, "ABSENT", inside, absence(rng))
    episode.interview = completed_interview(rng, episode, 30 * DAY + 6 * HOUR)
    extra(absent_ola, "ABSENT", inside, absence(rng))
    for index in (0, 1, 2, 6, 9, 12):
        extra(lac[index], "ABSENT", inside, absence(rng))
    extra(ola[12], "ABSENT", inside, 36 * DAY + 5 * HOUR)
    extra(ola[7], "ABSENT", inside, absence(rng))
    extra(cin[2], "ABSENT", inside, absence(rng), at("2019-06-25T21:40+01:00"))
    for child in [absent_only, *lac]:
        for episode in child.episodes:
            if episode.category == "ABSENT" and episode.interview is None:
                episode.interview = Interview("NOT_REQUIRED")
    return extras


def add_other_records(groups: dict[str, list[Child]], register: Register) -> None:
    """Meetings, referrals, risk assessments and panel listings for some of the children."""
    lac, ola, cin, none = groups["LAC"], groups["OLA"], groups["CIN"], groups["NONE"]
    long_child = cin[5]
    long_start = local_date(long_child.counted_episodes[0].started_at)
    third = local_date(lac[0].counted_episodes[2].started_at)
    youngest = local_date(none[4].counted_episodes[0].started_at)
    extra_40 = next(c for c in register.children if c.key == "EXTRA-40-DAYS")
    d = dt.date
    register.meetings = [
        [long_child, "MISSING_MAM", "LONG_MISSING", "", long_start + 4 * DAY, long_start + 7 * DAY],
        [lac[0], "MISSING_MAM", "REPEAT_MISSING", "", third + DAY, third + 6 * DAY],
        [lac[1], "MISSING_MAM", "REPEAT_MISSING", "", d(2019, 6, 24), None],
        [none[4], "MISSING_MAM", "PROFESSIONAL_JUDGEMENT", "", youngest, youngest + 2 * DAY],
        [extra_40, "MISSING_MAM", "LONG_MISSING", "", d(2019, 3, 14), d(2019, 3, 19)],
        [lac[2], "STRATEGY", "", "CSE", d(2019, 5, 7), d(2019, 5, 9)],
        [ola[0], "STRATEGY", "", "CCE", d(2019, 4, 23), d(2019, 4, 25)],
        [cin[0], "STRATEGY", "", "CCE", d(2019, 6, 12), d(2019, 6, 12)],
    ]
    register.referrals = [
        [lac[2], d(2018, 11, 2), "CSE", "SOCIAL_CARE"],
        [lac[2], d(2019, 5, 3), "CSE", "POLICE"],
        [ola[0], d(2019, 4, 18), "CCE", "POLICE"],
        [cin[0], d(2019, 6, 3), "CCE", "EDUCATION"],
        [none[1], d(2019, 5, 21), "BOTH", "HEALTH"],
        [lac[5], d(2019, 4, 29), "CSE", ""],
        [none[0], d(2019, 6, 17), "OTHER", "FAMILY"],
        [cin[1], d(2019, 2, 11), "CCE", "YOUTH_JUSTICE"],
    ]
    register.assessments = [
        [lac[2], "CSE", d(2019, 5, 10), "HIGH"],
        [ola[0], "CE", d(2019, 4, 26), "MEDIUM"],
        [cin[0], "CE", d(2019, 6, 14), "MEDIUM"],
        [none[1], "CSE", d(2019, 5, 28), "LOW"],
        [lac[5], "CSE", d(2019, 5, 15), "NONE"],
        [cin[1], "CE", d(2019, 2, 20), "LOW"],
    ]
    register.listings = [
        [lac[2], "MASE", d(2019, 5, 22), "HIGH", "N"],
        [ola[0], "MACE", d(2019, 5, 8), "MEDIUM", "Y"],
        [cin[0], "MACE", d(2019, 6, 26), "MEDIUM", ""],
        [lac[0], "MISSING_HOTSPOTS", d(2019, 4, 30), "", ""],
    ]


def build() -> Register:
    rng = random.Random(SEED)  # noqa: S311 - synthetic test data, not security
    groups = make_children()
    pool = duration_pool(rng)
    for children in groups.values():
        for child in children:
            child.episodes = [Episode(child, "MISSING", counted=True) for _ in range(child.counted)]
    groups["LAC"][7].episodes[-1].duration = None  # still missing
    groups["CIN"][5].episodes[-1].duration = 34 * DAY + 6 * HOUR  # the longest
    for children in groups.values():
        for child in children:
            to_fill = [e for e in child.episodes if e.duration is None]
            if child is groups["LAC"][7]:
                to_fill = to_fill[:-1]
            if child is groups["CIN"][5]:
                continue
            for episode in to_fill:
                episode.duration, tag = pool.pop()
                if tag == "mixed":  # start in London time, end in UTC
                    episode.styles.update(started_at="local", ended_at="utc")
            # The longest of a child's episodes goes last: the quarter must hold the rest.
            closed = sorted(
                (e for e in child.episodes if e.duration is not None),
                key=lambda e: e.duration,
            )
            if closed and child.episodes[-1].duration is not None:
                longest = closed[-1]
                child.episodes.remove(longest)
                child.episodes.append(longest)
    assert not pool
    for children in groups.values():
        for child in children:
            layout(rng, child)
    for pinned, column in [
        (groups["LAC"][10], "started_at"),
        (groups["CP"][0], "started_at"),
        (groups["CIN"][4], "started_at"),
        (groups["NONE"][4], "started_at"),
    ]:
        pinned.counted_episodes[0].styles[column] = "utc"

    children = [child for group in groups.values() for child in group]
    settle_ages(rng, children)
    give_statuses(rng, groups)
    give_interviews(rng, groups)
    register = Register(children)
    register.children += add_extra_episodes(rng, groups)
    describe_episodes(rng, register.children)
    add_other_records(groups, register)

    for child in register.children:
        child.sex = rng.choices(["F", "M", "U"], [50, 48, 2])[0]
        child.ethnicity = rng.choice([*ETHNICITIES, ""])
        child.episodes.sort(key=lambda episode: episode.started_at)
    for child in register.children:  # no two episodes of a child overlap
        spans = [(e.started_at, e.ended_at or FAR_FUTURE) for e in child.episodes]
        assert all(a[1] < b[0] for a, b in itertools.pairwise(spans)), child.key
    order = list(register.children)
    rng.shuffle(order)
    for number, child in enumerate(order, 1):
        child.child_id = f"C{number:04d}"
    episodes = sorted(
        (e for c in register.children for e in c.episodes),
        key=lambda e: (e.started_at, e.child.child_id),
    )
    for number, episode in enumerate(episodes, 1):
        episode.episode_id = f"E{number:05d}"
    for episode in episodes:
        for column in ("started_at", "reported_at", "notified_at", "ended_at"):
            episode.styles.setdefault(
                column, rng.choices(["local", "local_s", "utc"], [6, 1, 3])[0]
            )
        if episode.interview:
            for column in ("offered_at", "completed_at"):
                choice = rng.choices(["local", "utc"], [3, 1])[0]
                episode.interview.styles.setdefault(column, choice)
    return register


# --- Writing --------------------------------------------------------------------------

HEADERS = {
    "children.csv": [
        "child_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
    ],
    "legal_statuses.csv": [
        "child_id",
        "status",
        "start_date",
        "end_date",
        "responsible_la",
        "placement",
    ],
    "episodes.csv": [
        "episode_id",
        "child_id",
        "category",
        "started_at",
        "reported_at",
        "notified_at",
        "ended_at",
        "risk_level",
        "found_location",
    ],
    "return_interviews.csv": [
        "episode_id",
        "outcome",
        "offered_at",
        "completed_at",
        "method",
        "provider",
        "child_engaged",
        "advice_given",
        "reasons",
        "risks",
    ],
    "meetings.csv": [
        "meeting_id",
        "child_id",
        "kind",
        "trigger",
        "concern",
        "requested_on",
        "held_on",
    ],
    "referrals.csv": ["referral_id", "child_id", "received_on", "concern", "source"],
    "risk_assessments.csv": ["assessment_id", "child_id", "kind", "completed_on", "risk"],
    "panel_listings.csv": ["listing_id", "child_id", "panel", "panel_date", "risk", "nrm_referral"],
}


def _date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def rows_of(register: Register) -> dict[str, list[list[str]]]:
    children = sorted(register.children, key=lambda child: child.child_id)
    episodes = sorted((e for c in children for e in c.episodes), key=lambda e: e.episode_id)
    rows: dict[str, list[list[str]]] = {name: [] for name in HEADERS}
    for child in children:
        rows["children.csv"].append(
            [child.child_id, "", "", child.dob.isoformat(), child.sex, child.ethnicity]
        )
        for status in sorted(child.statuses, key=lambda s: (s.start, s.status)):
            rows["legal_statuses.csv"].append(
                [
                    child.child_id,
                    status.status,
                    status.start.isoformat(),
                    _date(status.end),
                    status.responsible_la,
                    status.placement,
                ]
            )
    for episode in episodes:
        style = episode.styles
        rows["episodes.csv"].append(
            [
                episode.episode_id,
                episode.child.child_id,
                episode.category,
                fmt(episode.started_at, style["started_at"]),
                fmt(episode.reported_at, style["reported_at"]),
                fmt(episode.notified_at, style["notified_at"]),
                fmt(episode.ended_at, style["ended_at"]),
                episode.risk_level,
                episode.found_location,
            ]
        )
        interview = episode.interview
        if interview is not None:
            rows["return_interviews.csv"].append(
                [
                    episode.episode_id,
                    interview.outcome,
                    fmt(interview.offered_at, interview.styles["offered_at"]),
                    fmt(interview.completed_at, interview.styles["completed_at"]),
                    interview.method,
                    interview.provider,
                    interview.child_engaged,
                    interview.advice_given,
                    interview.reasons,
                    interview.risks,
                ]
            )
    for number, (child, kind, trigger, concern, requested, held) in enumerate(register.meetings, 1):
        rows["meetings.csv"].append(
            [
                f"M{number:04d}",
                child.child_id,
                kind,
                trigger,
                concern,
                _date(requested),
                _date(held),
            ]
        )
    for number, (child, received, concern, source) in enumerate(register.referrals, 1):
        rows["referrals.csv"].append(
            [f"R{number:04d}", child.child_id, received.isoformat(), concern, source]
        )
    for number, (child, kind, completed, risk) in enumerate(register.assessments, 1):
        rows["risk_assessments.csv"].append(
            [f"A{number:04d}", child.child_id, kind, completed.isoformat(), risk]
        )
    for number, (child, panel, day, risk, nrm) in enumerate(register.listings, 1):
        rows["panel_listings.csv"].append(
            [f"P{number:04d}", child.child_id, panel, day.isoformat(), risk, nrm]
        )
    return rows


def write(folder: Path, rows: dict[str, list[list[str]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.csv"):
        stale.unlink()
    for name, header in HEADERS.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows[name])


# --- Verifying: from the files alone --------------------------------------------------

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})")
OFFERED = ("NO_RESPONSE", "DECLINED", "ACCEPTED")


def _london_zone():
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/London")
    except Exception:  # no time zone database: the EU rule above
        return None


def read(folder: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for name, header in HEADERS.items():
        with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == header, name
            tables[name] = [{k: v.strip() for k, v in row.items()} for row in reader]
    return tables


def percent(count: int, base: int) -> int | None:
    return None if base == 0 else (200 * count + base) // (2 * base)


def check_and_compute(
    tables: dict[str, list[dict[str, str]]], include_absences: bool
) -> dict[str, tuple[int | None, int | None]]:
    """Check the interchange rules the fixture relies on, then compute the quarterly rows
    of shared/spec/metrics.md for 2019-04-01..2019-06-30."""
    zone = _london_zone()

    def instant(text: str) -> dt.datetime | None:
        if not text:
            return None
        assert DATE_TIME.fullmatch(text), text
        return dt.datetime.fromisoformat(text)

    def day_of(moment: dt.datetime) -> dt.date:
        return moment.astimezone(zone).date() if zone else local_date(moment)

    def date(text: str) -> dt.date | None:
        if not text:
            return None
        assert DATE.fullmatch(text), text
        return dt.date.fromisoformat(text)

    now = dt.datetime.now(UTC)
    births = {}
    for row in tables["children.csv"]:
        assert row["child_id"] not in births and row["sex"] in ("M", "F", "U")
        births[row["child_id"]] = date(row["date_of_birth"])
        assert births[row["child_id"]] <= now.date()
    statuses = defaultdict(list)
    keys = set()
    for row in tables["legal_statuses.csv"]:
        key = (row["child_id"], row["status"], row["start_date"])
        assert (
            key not in keys and row["child_id"] in births and row["status"] in ("LAC", "CP", "CIN")
        )
        keys.add(key)
        start, end = date(row["start_date"]), date(row["end_date"])
        assert end is None or end >= start
        if row["status"] != "LAC":
            assert not row["responsible_la"] and not row["placement"]
        assert not row["responsible_la"] or re.fullmatch(r"\d{3}", row["responsible_la"])
        statuses[row["child_id"]].append((row["status"], start, end, row["responsible_la"]))
    episodes = {}
    for row in tables["episodes.csv"]:
        assert row["episode_id"] not in episodes and row["child_id"] in births
        assert row["category"] in ("MISSING", "ABSENT")
        started, ended = instant(row["started_at"]), instant(row["ended_at"])
        for column in ("reported_at", "notified_at", "ended_at"):
            other = instant(row[column])
            assert other is None or other >= started, (row["episode_id"], column)
        for column in ("started_at", "reported_at", "notified_at", "ended_at"):
            assert (instant(row[column]) or started) <= now
        assert day_of(started) >= births[row["child_id"]]
        episodes[row["episode_id"]] = (row["child_id"], row["category"], started, ended)
    interviews = {}
    for row in tables["return_interviews.csv"]:
        assert row["episode_id"] in episodes and row["episode_id"] not in interviews
        outcome = row["outcome"]
        offered, completed = instant(row["offered_at"]), instant(row["completed_at"])
        ended = episodes[row["episode_id"]][3]
        assert (offered is not None) == (outcome in OFFERED), row
        assert completed is None or (outcome == "ACCEPTED" and completed >= offered), row
        assert outcome in ("NOT_REQUIRED", "NOT_OFFERED") or ended is not None, row
        assert offered is None or offered >= ended, row
        interviews[row["episode_id"]] = (outcome, completed)

    def group(child_id: str, day: dt.date) -> str:
        found = [
            (status, la)
            for status, start, end, la in statuses[child_id]
            if start <= day and (end is None or day <= end)
        ]
        if any(s == "LAC" and la not in ("", AUTHORITY) for s, la in found):
            return "OLA"
        for name in ("LAC", "CP", "CIN"):
            if any(s == name for s, _ in found):
                return name
        return "NONE"

    chosen = []
    for episode_id, (child_id, category, started, ended) in episodes.items():
        day = day_of(started)
        if PERIOD_FROM <= day <= PERIOD_TO and (include_absences or category == "MISSING"):
            chosen.append((episode_id, child_id, started, ended, group(child_id, day)))
    total = len(chosen)
    host = [e for e in chosen if e[4] != "OLA"]
    latest = {}
    for episode in sorted(chosen, key=lambda e: e[2]):
        latest[episode[1]] = episode[4]
    individuals = len(latest)
    individuals_host = sum(1 for g in latest.values() if g != "OLA")
    hours = [(e[3] - e[2]).total_seconds() / 3600 for e in chosen if e[3] is not None]
    ages = [age_on(births[e[1]], day_of(e[2])) for e in chosen]
    outcomes = [interviews.get(e[0], ("NOT_OFFERED", None)) for e in host]
    waits = [
        (interviews[e[0]][1] - e[3]).total_seconds() / 3600
        for e in host
        if e[0] in interviews and interviews[e[0]][0] == "ACCEPTED" and interviews[e[0]][1]
    ]
    accepted = sum(1 for outcome, _ in outcomes if outcome == "ACCEPTED")

    def share(count: int, base: int) -> tuple[int, int | None]:
        return count, percent(count, base)

    def by_group(items, name):
        return sum(1 for g in items if g == name)

    return {
        "episodes_total": (total, None),
        "episodes_ola": share(by_group((e[4] for e in chosen), "OLA"), total),
        "episodes_host": share(len(host), total),
        "episodes_host_lac": share(by_group((e[4] for e in host), "LAC"), len(host)),
        "episodes_host_cp": share(by_group((e[4] for e in host), "CP"), len(host)),
        "individuals_total": (individuals, None),
        "individuals_ola": share(individuals - individuals_host, individuals),
        "individuals_host": share(individuals_host, individuals),
        "individuals_host_lac": share(by_group(latest.values(), "LAC"), individuals_host),
        "individuals_host_cp": share(by_group(latest.values(), "CP"), individuals_host),
        "duration_max_days": (int(max(hours) // 24) if hours else None, None),
        "duration_under_1_day": share(sum(1 for h in hours if h < 24), total),
        "duration_1_to_2_days": share(sum(1 for h in hours if 24 <= h < 48), total),
        "duration_2_to_3_days": share(sum(1 for h in hours if 48 <= h < 72), total),
        "duration_3_days_or_more": share(sum(1 for h in hours if h >= 72), total),
        "episodes_open": share(total - len(hours), total),
        "age_youngest": (min(ages) if ages else None, None),
        "age_average": ((20 * sum(ages) + total) // (2 * total) if ages else None, None),
        "rhi_offered": share(sum(1 for o, _ in outcomes if o in OFFERED), len(host)),
        "rhi_declined": share(sum(1 for o, _ in outcomes if o == "DECLINED"), len(host)),
        "rhi_accepted": share(accepted, len(host)),
        "rhi_completed": share(len(waits), accepted),
        "rhi_within_72_hours": share(sum(1 for w in waits if w <= 72), accepted),
        "rhi_within_1_week": share(sum(1 for w in waits if w <= 168), accepted),
        "rhi_longest_days": (int(max(waits) // 24) if waits else None, None),
    }


def show(value: int | None, row_id: str) -> str:
    if value is None:
        return "null"
    return f"{value / 10:.1f}" if row_id == "age_average" else str(value)


def verify(folder: Path) -> bool:
    tables = read(folder)
    figures = check_and_compute(tables, include_absences=False)
    print(f"Quarterly report 2019-04-01..2019-06-30, LOCAL_AUTHORITY_CODE={AUTHORITY},")
    print("include_absences = false, recomputed from the CSV files:")
    print(f"{'id':<26}{'value':>7}{'%':>6}   {'published':>11}")
    good = True
    for row_id, published in PUBLISHED.items():
        value, share = figures[row_id]
        ok = (value, share) == published
        good &= ok
        pct = "" if share is None else f"{share}%"
        pub = show(published[0], row_id) + ("" if published[1] is None else f" {published[1]}%")
        mark = "ok" if ok else "DIFFERS"
        print(f"{row_id:<26}{show(value, row_id):>7}{pct:>6}   {pub:>11}  {mark}")
    assert len(figures) == len(PUBLISHED) == 25
    with_absences = check_and_compute(tables, include_absences=True)
    print(
        "include_absences = true (for information): "
        f"episodes_total = {with_absences['episodes_total'][0]}"
    )
    return good


def summary(register: Register) -> None:
    children = Counter()
    episodes = Counter()
    for child in register.children:
        if child.counted:
            children[child.group] += 1
            episodes[child.group] += child.counted
    other = Counter()
    for child in register.children:
        for episode in child.episodes:
            if not episode.counted:
                inside = PERIOD_FROM <= local_date(episode.started_at) <= PERIOD_TO
                other["ABSENT in the quarter" if inside else "MISSING outside the quarter"] += 1
    print("Counted (in-period MISSING) children / episodes by group:")
    for group in EPISODE_COUNTS:
        print(f"  {group:<5} {children[group]:>3} children {episodes[group]:>4} episodes")
    print(f"Children with no counted episode: {sum(1 for c in register.children if not c.counted)}")
    for name, count in sorted(other.items()):
        print(f"{name}: {count}")


def main() -> int:
    register = build()
    rows = rows_of(register)
    write(FOLDER, rows)
    print(f"Wrote {FOLDER.relative_to(ROOT)}/:")
    for name in HEADERS:
        print(f"  {name:<22} {len(rows[name]):>4} rows")
    summary(register)
    print()
    if not verify(FOLDER):
        print("The fixture does NOT reproduce the published figures.", file=sys.stderr)
        return 1
    print("All 25 rows equal the published Quarter 1 figures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
