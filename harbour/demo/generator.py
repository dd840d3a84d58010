"""A synthetic authority written as an interchange folder (shared/spec/interchange.md).

Everything is invented: names are built from made-up syllables, places and providers are
made-up words, ids are counters. Nothing comes from real people.

The same seed, size, authority code and last day give byte-identical files: the only
source of randomness is one random.Random(seed), and "now" is the end of `last_day`,
never the clock. `last_day` must be in the past (yesterday at the latest) when the folder
is imported, since the importer refuses anything in the future.

Rows are written as each child is generated, so memory does not grow with the number of
episodes. Time is handled as whole minutes since 1970-01-01T00:00Z and written in UTC
with a `Z`: no local time is ever written, so none can fall into a clock-change gap.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from bisect import bisect
from collections.abc import Sequence
from contextlib import ExitStack
from itertools import accumulate
from pathlib import Path
from typing import Any

from harbour.common.progress import NO_PROGRESS, Progress
from harbour.common.time import LONDON

# Columns of each file, in the order of the spec.
HEADERS: dict[str, tuple[str, ...]] = {
    "children.csv": (
        "child_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity",
    ),
    "legal_statuses.csv": (
        "child_id",
        "status",
        "start_date",
        "end_date",
        "responsible_la",
        "placement",
    ),
    "episodes.csv": (
        "episode_id",
        "child_id",
        "category",
        "started_at",
        "reported_at",
        "notified_at",
        "ended_at",
        "risk_level",
        "found_location",
    ),
    "return_interviews.csv": (
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
    ),
    "meetings.csv": (
        "meeting_id",
        "child_id",
        "kind",
        "trigger",
        "concern",
        "requested_on",
        "held_on",
    ),
    "referrals.csv": (
        "referral_id",
        "child_id",
        "received_on",
        "concern",
        "source",
        "decision",
        "decided_at",
    ),
    "risk_assessments.csv": ("assessment_id", "child_id", "kind", "completed_on", "risk"),
    "panel_listings.csv": ("listing_id", "child_id", "panel", "panel_date", "risk", "nrm_referral"),
    "concern_periods.csv": (
        "period_id",
        "child_id",
        "pathway",
        "opened_on",
        "level",
        "closed_on",
        "close_reason",
    ),
    "support_referrals.csv": (
        "support_referral_id",
        "child_id",
        "provider",
        "referred_on",
        "accepted_on",
        "ended_on",
    ),
}

# Time unit: one minute.
HOUR = 60
DAY = 24 * HOUR
YEAR = 525_960  # minutes in 365.25 days

# At or above this many episodes the folder covers ten financial years, else four.
LARGE = 100_000

# Episodes per child: floor of a Pareto variate, capped. With this shape about 57% of
# children go missing once and the mean is close to 4 episodes per child.
PARETO_SHAPE = 1.12
MAX_EPISODES_PER_CHILD = 300
MIN_GAP = 2 * HOUR  # between one return and the next episode of the same child
MAX_DURATION = 28 * DAY

# Other authorities that place children here (DfE numbers; never our own).
OTHER_AUTHORITIES = (
    ("874", 8),
    ("891", 6),
    ("343", 5),
    ("340", 5),
    ("341", 3),
    ("344", 3),
    ("350", 2),
    ("352", 2),
    ("373", 2),
    ("380", 2),
    ("810", 1),
    ("821", 1),
    ("881", 1),
    ("886", 1),
)


class _Choice:
    """A weighted choice that costs one random() and one bisect."""

    def __init__(self, weighted: Sequence[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in weighted]
        self.cumulative = list(accumulate(weight for _, weight in weighted))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


def _sample(rng: random.Random, choice: _Choice, count: int) -> list[str]:
    """Up to `count` distinct codes drawn by weight (the lists may not repeat a code)."""
    picked: list[str] = []
    for _ in range(count * 3):
        code = choice(rng)
        if code not in picked:
            picked.append(code)
            if len(picked) == count:
                break
    return picked


SEX = _Choice([("M", 52), ("F", 46), ("U", 2)])
ETHNICITY = _Choice(
    [
        ("WBRI", 68),
        ("WIRI", 1),
        ("WOTH", 5),
        ("WIRT", 0.3),
        ("WROM", 0.7),
        ("MWBC", 3),
        ("MWBA", 1),
        ("MWAS", 1.5),
        ("MOTH", 2),
        ("AIND", 2),
        ("APKN", 3),
        ("ABAN", 1),
        ("AOTH", 1.5),
        ("BCRB", 1.5),
        ("BAFR", 3),
        ("BOTH", 1),
        ("CHNE", 0.3),
        ("OOTH", 1.5),
        ("REFU", 0.5),
        ("NOBT", 1.5),
        ("", 4),
    ]
)
# Age in whole years when a child first goes missing.
FIRST_AGE = _Choice(
    [(8, 1), (9, 1), (10, 2), (11, 3), (12, 5), (13, 9), (14, 13), (15, 14), (16, 12), (17, 7)]
)
# Social-care profile of a child: most children who go missing are not known to social
# care, but children who go missing often are mostly looked after.
PROFILE_OCCASIONAL = _Choice([("NONE", 47), ("LAC", 20), ("OLA", 8), ("CP", 10), ("CIN", 15)])
PROFILE_FREQUENT = _Choice([("NONE", 15), ("LAC", 38), ("OLA", 25), ("CP", 11), ("CIN", 11)])
PLACEMENT = _Choice([("FOSTER", 55), ("RESIDENTIAL", 25), ("SUPPORTED", 11), ("OTHER", 5), ("", 4)])
OLA_PLACEMENT = _Choice([("FOSTER", 30), ("RESIDENTIAL", 50), ("SUPPORTED", 15), ("OTHER", 5)])

# Last-seen time of day: mostly afternoon and evening (weights per hour, 00 to 23).
_HOUR_WEIGHTS = (3, 2, 1, 1, 1, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10, 10, 10, 9, 8, 7, 6, 4)
TIME_OF_DAY = _Choice([(minute, _HOUR_WEIGHTS[minute // HOUR]) for minute in range(DAY)])

RISK_LEVEL = _Choice([("MEDIUM", 50), ("LOW", 20), ("HIGH", 6), ("NO_APPARENT_RISK", 12), ("", 12)])
RISK_LEVEL_EXPLOITED = _Choice([("MEDIUM", 45), ("HIGH", 35), ("LOW", 8), ("", 12)])
RISK_LEVEL_ABSENT = _Choice([("NO_APPARENT_RISK", 45), ("LOW", 35), ("MEDIUM", 8), ("", 12)])
FOUND_LOCATION = _Choice(
    [
        ("", 25),
        ("Returned home", 20),
        ("Returned to placement", 12),
        ("Friend's address", 12),
        ("Relative's address", 6),
        ("Town centre", 6),
        ("Bus station", 3),
        ("Railway station", 3),
        ("Park", 3),
        ("Retail park", 2),
        ("Fast food restaurant", 2),
        ("Seafront", 1),
        ("Out of area", 3),
        ("HB1", 1),
        ("HB2", 1),
        ("HB3", 1),
        ("HB4", 1),
        ("HB7", 1),
        ("HB9", 1),
        ("Hollins Vale, HB12", 1),
    ]
)
OUTCOME_MISSING = _Choice(
    [
        ("ACCEPTED", 56),
        ("DECLINED", 15),
        ("NO_RESPONSE", 13),
        ("NOT_OFFERED", 13),
        ("NOT_REQUIRED", 3),
    ]
)
OUTCOME_ABSENT = _Choice(
    [
        ("ACCEPTED", 30),
        ("DECLINED", 15),
        ("NO_RESPONSE", 15),
        ("NOT_OFFERED", 30),
        ("NOT_REQUIRED", 10),
    ]
)
METHOD = _Choice(
    [("FACE_TO_FACE", 64), ("PHONE", 20), ("VIDEO", 8), ("APP", 3), ("OTHER", 3), ("", 2)]
)
PROVIDER = _Choice(
    [
        ("Return interview team", 45),
        ("Lanternway Youth Trust", 25),
        ("Kestrel Return Service", 15),
        ("Allocated social worker", 10),
        ("", 5),
    ]
)
REASON = _Choice(
    [
        ("BOUNDARIES", 20),
        ("FAMILY_RELATIONSHIPS", 18),
        ("FRIENDS", 16),
        ("PLACEMENT", 8),
        ("SEEING_FAMILY", 7),
        ("PARTNER", 6),
        ("SCHOOL", 6),
        ("SUBSTANCES", 6),
        ("MENTAL_HEALTH", 5),
        ("EXPLOITATION", 3),
        ("OTHER", 5),
    ]
)
RISK = _Choice(
    [
        ("RISKY_ADULTS", 18),
        ("SUBSTANCES", 18),
        ("OFFENDING", 12),
        ("CCE", 10),
        ("CSE", 9),
        ("SELF_HARM", 9),
        ("ONLINE", 9),
        ("TRAFFICKING", 2),
        ("RADICALISATION", 1),
        ("OTHER", 6),
    ]
)
COUNT_0_TO_3 = _Choice([(0, 20), (1, 45), (2, 25), (3, 10)])
CONCERN_FEMALE = _Choice([("CSE", 55), ("CCE", 15), ("BOTH", 22), ("OTHER", 8)])
CONCERN_OTHER = _Choice([("CCE", 62), ("CSE", 10), ("BOTH", 20), ("OTHER", 8)])
SOURCE = _Choice(
    [
        ("POLICE", 30),
        ("SOCIAL_CARE", 22),
        ("EDUCATION", 16),
        ("HEALTH", 7),
        ("EARLY_HELP", 6),
        ("YOUTH_JUSTICE", 7),
        ("VOLUNTARY", 4),
        ("FAMILY", 4),
        ("ANONYMOUS", 2),
        ("OTHER", 1),
        ("", 1),
    ]
)
DECISION = _Choice(
    [("NFA", 20), ("ADVICE", 15), ("EARLY_HELP", 15), ("ASSESSMENT", 35), ("STRATEGY", 15)]
)
CLOSE_REASON = _Choice(
    [
        ("RISK_REDUCED", 55),
        ("STEPPED_DOWN_TO_SUPPORT", 20),
        ("TURNED_18", 10),
        ("MOVED_AWAY", 10),
        ("OTHER", 5),
    ]
)
PROVIDER = _Choice(
    [("CHILDRENS_SOCIETY", 40), ("BARNARDOS", 25), ("CATCH22", 15), ("NSPCC", 10), ("OTHER", 10)]
)
ASSESSED_RISK = _Choice([("NONE", 10), ("LOW", 30), ("MEDIUM", 35), ("HIGH", 25)])
PANEL_RISK = _Choice([("LOW", 15), ("MEDIUM", 45), ("HIGH", 35), ("", 5)])

# Name parts: invented syllables, so that no generated name is anyone's real record.
_GIVEN_START = (
    "Al", "Bri", "Cal", "Da", "El", "Fen", "Gio", "Ha", "Is", "Ja", "Ko", "Le", "Mi", "Na",
    "Or", "Pe", "Ro", "Sa", "Ti", "Ul", "Vi", "Wen", "Xa", "Yo", "Zan", "Ka", "Ma", "Te",
)  # fmt: skip
_GIVEN_MIDDLE = ("", "", "", "r", "l", "n", "v", "m", "d", "s")
_GIVEN_END_F = ("a", "ie", "elle", "ia", "ey", "ina", "ara", "e")
_GIVEN_END_M = ("o", "an", "en", "us", "ar", "el", "ic", "on")
_FAMILY_START = (
    "Ash", "Bram", "Cor", "Dun", "Elm", "Fal", "Gar", "Hol", "Ire", "Kel", "Lan", "Mor",
    "Nor", "Orr", "Pem", "Quen", "Ros", "Sel", "Tam", "Ul", "Ver", "Wes", "Yar", "Zel",
    "Brack", "Cran", "Dray", "Fern",
)  # fmt: skip
_FAMILY_END = (
    "by", "cott", "dale", "den", "field", "ford", "gate", "ham", "hurst", "ley", "mere",
    "ridge", "stone", "thorpe", "ton", "wick", "worth", "well", "brook", "wood",
)  # fmt: skip


def _names(rng: random.Random, endings: tuple[str, ...]) -> list[str]:
    return sorted(
        {rng.choice(_GIVEN_START) + rng.choice(_GIVEN_MIDDLE) + end for end in endings * 40}
    )


class _Calendar:
    """Text for day numbers and minute instants (cached: the same days recur constantly)."""

    _EPOCH = dt.date(1970, 1, 1)
    _CLOCK = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60)]

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def day(self, day: int) -> str:
        text = self._days.get(day)
        if text is None:
            text = (self._EPOCH + dt.timedelta(days=day)).isoformat()
            self._days[day] = text
        return text

    def instant(self, minutes: int) -> str:
        return f"{self.day(minutes // DAY)}T{self._CLOCK[minutes % DAY]}Z"


def _day_number(day: dt.date) -> int:
    return (day - _Calendar._EPOCH).days


def period_start(last_day: dt.date, episodes: int) -> dt.date:
    """1 April of the first financial year covered: ten years for a large folder, four
    (the last ~4 years) otherwise; the last financial year is the one holding last_day."""
    years = 10 if episodes >= LARGE else 4
    first_of_current = last_day.year if last_day.month >= 4 else last_day.year - 1
    return dt.date(first_of_current - (years - 1), 4, 1)


class _Writer:
    """One CSV writer per file, counting rows."""

    def __init__(self, stack: ExitStack, folder: Path) -> None:
        self.counts = dict.fromkeys(HEADERS, 0)
        self._rows: dict[str, Any] = {}
        for name, header in HEADERS.items():
            handle = stack.enter_context(
                (folder / name).open("w", encoding="utf-8", newline="", buffering=1 << 20)
            )
            writer = csv.writer(handle)
            writer.writerow(header)
            self._rows[name] = writer.writerow

    def row(self, name: str, values: Sequence[Any]) -> None:
        self._rows[name](values)
        self.counts[name] += 1


class _Authority:
    def __init__(
        self,
        writer: _Writer,
        *,
        seed: int,
        authority_code: str,
        first_day: dt.date,
        last_day: dt.date,
    ) -> None:
        self.out = writer
        self.rng = random.Random(seed)
        # The exploitation details added later (decisions, concern periods, support) draw on
        # their own stream, so that every other file stays as a seed has always made it.
        self.more = random.Random(seed + 1)
        self.cal = _Calendar()
        self.own_code = authority_code
        self.other_codes = _Choice(
            [item for item in OTHER_AUTHORITIES if item[0] != authority_code]
        )
        # Instants lie in [start, horizon]; the horizon is the last minute of last_day in
        # Europe/London, so that the folder is entirely in the past from the next day on.
        self.start = _day_number(first_day) * DAY
        midnight = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), LONDON)
        self.horizon = int(midnight.timestamp()) // 60 - 1
        self.last_day = _day_number(last_day)
        self.max_period = min(4 * YEAR, (self.horizon - self.start) * 9 // 10)
        self.given_f = _names(self.rng, _GIVEN_END_F)
        self.given_m = _names(self.rng, _GIVEN_END_M)
        self.family = sorted({a + b for a in _FAMILY_START for b in _FAMILY_END})
        self.children = 0
        self.episodes = 0
        self.meetings = 0
        self.referrals = 0
        self.assessments = 0
        self.listings = 0
        self.periods = 0
        self.supports = 0

    # One child and everything about them -------------------------------------------------

    def child(self, wanted: int) -> int:
        """Write one child with at most `wanted` episodes; returns the episodes written."""
        rng = self.rng
        count = min(MAX_EPISODES_PER_CHILD, int(rng.paretovariate(PARETO_SHAPE)))
        profile = (PROFILE_FREQUENT if count >= 5 else PROFILE_OCCASIONAL)(rng)
        looked_after = profile in ("LAC", "OLA")
        spells = self._spells(count, looked_after)
        # The first spell may be long before the period (the child's earlier history is
        # not in the register) and later ones may lie after the horizon (not happened yet).
        first = self.start - spells[-1][0]
        starts_and_ends = self._place(rng.randrange(first, self.horizon + 1), spells)
        kept = [
            (index, start, end)
            for index, (start, end) in enumerate(starts_and_ends)
            if self.start <= start <= self.horizon
        ][:wanted]
        if not kept:
            return 0

        self.children += 1
        child_id = f"P{self.children:07d}"
        sex = SEX(rng)
        # Age at the first episode; every episode starts between the 8th and 18th birthdays.
        first_start = starts_and_ends[0][0]
        age = FIRST_AGE(rng) + rng.random()
        span_years = (starts_and_ends[-1][0] - first_start) / YEAR
        if age + span_years > 17.9:
            age = max(8.0, 17.9 - span_years - rng.random() * 0.5)
        birth = (first_start - int(age * YEAR)) // DAY
        given = rng.choice(self.given_f if sex == "F" else self.given_m)
        if sex == "U" and rng.random() < 0.5:
            given = ""
        self.out.row(
            "children.csv",
            (
                child_id,
                given,
                rng.choice(self.family),
                self.cal.day(birth),
                sex,
                ETHNICITY(rng),
            ),
        )
        exploited = rng.random() < 0.04 + 0.4 * min(1.0, count / 25)
        first_day = kept[0][1] // DAY
        last_start_day = kept[-1][1] // DAY
        self._legal_statuses(child_id, profile, birth, first_day, last_start_day)
        last_index = kept[-1][0]
        # The child's latest episode so far: the next one (if any) lies after the horizon.
        current = (
            last_index == len(starts_and_ends) - 1
            or starts_and_ends[last_index + 1][0] > self.horizon
        )
        self._episodes(child_id, kept, current, looked_after, exploited)
        if exploited:
            self._exploitation(child_id, sex, first_day, last_start_day, count)
        return len(kept)

    def _spells(self, count: int, looked_after: bool) -> list[tuple[int, int]]:
        """(offset of the start from the first start, duration) for each episode."""
        rng = self.rng
        typical = 4 * HOUR if looked_after else 6 * HOUR
        durations = [
            max(10, min(MAX_DURATION, int(rng.lognormvariate(math.log(typical), 1.15))))
            for _ in range(count)
        ]
        if count == 1:
            return [(0, durations[0])]
        # Children who go missing often do so over a longer period, but closer together.
        period = min(self.max_period, int(rng.uniform(20, 300) * DAY * (1 + math.log(count))))
        gaps = [rng.expovariate(1.0) for _ in range(count - 1)]
        busy = sum(durations[:-1]) + MIN_GAP * (count - 1)
        scale = max(period - busy, 0) / sum(gaps)
        spells = []
        offset = 0
        for index, duration in enumerate(durations):
            spells.append((offset, duration))
            if index < count - 1:
                offset += duration + MIN_GAP + int(gaps[index] * scale)
        return spells

    def _time_of_day(self, instant: int) -> int:
        return instant - instant % DAY + TIME_OF_DAY(self.rng)

    def _place(self, t0: int, spells: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Absolute (start, end) instants, one episode after another, starts moved to a
        likely time of day where that keeps them after the previous return."""
        placed = []
        previous_end = t0 - MIN_GAP
        for offset, duration in spells:
            start = max(t0 + offset, previous_end + MIN_GAP)
            likely = self._time_of_day(start)
            if likely >= previous_end + MIN_GAP:
                start = likely
            previous_end = start + duration
            placed.append((start, previous_end))
        return placed

    def _legal_statuses(
        self, child_id: str, profile: str, birth: int, first_day: int, last_day: int
    ) -> None:
        rng = self.rng

        def write(
            status: str, start: int, end: int | None, la: str = "", placement: str = ""
        ) -> None:
            start = max(start, birth + 1)
            ended = end is not None and end < self.last_day
            end_text = self.cal.day(max(end, start)) if ended and end is not None else ""
            self.out.row(
                "legal_statuses.csv",
                (child_id, status, self.cal.day(start), end_text, la, placement),
            )

        if profile in ("LAC", "OLA"):
            start = first_day - rng.randint(14, 900)
            end = last_day + rng.randint(1, 700)
            if profile == "OLA":
                write("LAC", start, end, self.other_codes(rng), OLA_PLACEMENT(rng))
            else:
                own = self.own_code if rng.random() < 0.2 else ""
                write("LAC", start, end, own, PLACEMENT(rng))
            if rng.random() < 0.25 and start - birth > 200:
                # Many children come into care after a child protection plan.
                write("CP", max(birth + 1, start - rng.randint(90, 600)), start - 1)
        elif profile == "CP":
            start = first_day - rng.randint(0, 400)
            end = start + rng.randint(120, 700)
            write("CP", start, end)
            if rng.random() < 0.4 and end < self.last_day:
                # Stepped down to a child in need plan when the protection plan ended.
                write("CIN", max(start, end) + 1, end + rng.randint(90, 500))
        elif profile == "CIN":
            start = first_day - rng.randint(0, 500)
            write("CIN", start, start + rng.randint(90, 800))

    def _episodes(
        self,
        child_id: str,
        kept: list[tuple[int, int, int]],
        current: bool,
        looked_after: bool,
        exploited: bool,
    ) -> None:
        rng = self.rng
        cal = self.cal
        horizon = self.horizon
        row = self.out.row
        absent_rate = 0.35 if looked_after else 0.04
        last_repeat_meeting: int | None = None
        starts: list[int] = []
        for position, (_, start, end) in enumerate(kept):
            # Only the child's latest episode can still be open: it has not ended by the
            # horizon, or (now and then, in the last few weeks) the child is still missing.
            ended: int | None = end
            if current and position == len(kept) - 1:
                since = horizon - start
                still_missing = 0.12 if since < 7 * DAY else 0.04 if since < 28 * DAY else 0
                if end > horizon or rng.random() < still_missing:
                    ended = None
            absent = rng.random() < absent_rate
            category = "ABSENT" if absent else "MISSING"
            if absent:
                risk_level = RISK_LEVEL_ABSENT(rng)
            else:
                risk_level = (RISK_LEVEL_EXPLOITED if exploited else RISK_LEVEL)(rng)
            reported = start + rng.randint(15, 8 * HOUR) if rng.random() < 0.92 else None
            notified = None
            if rng.random() < 0.9:
                notified = (reported or start) + rng.randint(30, 36 * HOUR)
            self.episodes += 1
            started_text = cal.instant(start)
            episode_id = f"MP-{started_text[2:4]}-{self.episodes:07d}"
            row(
                "episodes.csv",
                (
                    episode_id,
                    child_id,
                    category,
                    started_text,
                    cal.instant(min(reported, horizon)) if reported else "",
                    cal.instant(min(notified, horizon)) if notified else "",
                    cal.instant(ended) if ended is not None else "",
                    risk_level,
                    FOUND_LOCATION(rng) if ended is not None else "",
                ),
            )
            if ended is not None:
                self._return_interview(episode_id, ended, absent, looked_after, exploited)
            # Multi-agency missing meetings, as the triggers in the spec define them.
            if (ended if ended is not None else horizon) - start > 72 * HOUR:
                self._missing_meeting(
                    child_id, "LONG_MISSING", start // DAY + 3 + rng.randint(0, 3)
                )
            starts.append(start)
            if (
                len(starts) >= 3
                and start - starts[-3] <= 90 * DAY
                and (last_repeat_meeting is None or start - last_repeat_meeting > 90 * DAY)
            ):
                last_repeat_meeting = start
                self._missing_meeting(child_id, "REPEAT_MISSING", start // DAY + rng.randint(1, 7))
            elif rng.random() < 0.01:
                self._missing_meeting(
                    child_id, "PROFESSIONAL_JUDGEMENT", start // DAY + rng.randint(1, 10)
                )

    def _return_interview(
        self, episode_id: str, ended: int, absent: bool, looked_after: bool, exploited: bool
    ) -> None:
        rng = self.rng
        if rng.random() < 0.08:
            return  # not recorded (yet)
        outcome = (OUTCOME_ABSENT if absent else OUTCOME_MISSING)(rng)
        offered = completed = None
        method = provider = reasons = risks = ""
        engaged = ""
        advice = ""
        if outcome in ("NO_RESPONSE", "DECLINED", "ACCEPTED"):
            late = rng.random() < 0.1
            offered = ended + (
                rng.randint(36 * HOUR, 10 * DAY) if late else rng.randint(30, 36 * HOUR)
            )
            if offered > self.horizon:
                return  # the offer has not been made yet
            provider = PROVIDER(rng)
            advice = "Y" if rng.random() < 0.5 else ""
        if outcome == "ACCEPTED":
            assert offered is not None  # an accepted interview was offered, above
            late = rng.random() < 0.15
            completed = offered + (
                rng.randint(36 * HOUR, 12 * DAY) if late else rng.randint(0, 36 * HOUR)
            )
            if completed > self.horizon:
                completed = None  # accepted, not yet held
            else:
                method = METHOD(rng)
                engaged = "Y" if rng.random() < 0.85 else "N"
                advice = "Y" if rng.random() < 0.9 else "N"
                if engaged == "Y":
                    picked = _sample(rng, REASON, 1 + COUNT_0_TO_3(rng) // 2)
                    if looked_after and "PLACEMENT" not in picked and rng.random() < 0.3:
                        picked.append("PLACEMENT")
                    reasons = ";".join(picked)
                    found = _sample(rng, RISK, COUNT_0_TO_3(rng))
                    if exploited and not {"CSE", "CCE"} & set(found):
                        found.append("CCE" if rng.random() < 0.6 else "CSE")
                    risks = ";".join(found)
        elif outcome == "NOT_OFFERED" and rng.random() < 0.3:
            advice = "N"
        self.out.row(
            "return_interviews.csv",
            (
                episode_id,
                outcome,
                self.cal.instant(offered) if offered is not None else "",
                self.cal.instant(completed) if completed is not None else "",
                method,
                provider,
                engaged,
                advice,
                reasons,
                risks,
            ),
        )

    def _meeting(self, child_id: str, kind: str, trigger: str, concern: str, day: int) -> None:
        if day > self.last_day:
            return
        rng = self.rng
        held = day + rng.randint(0, 12)
        not_held = held > self.last_day or rng.random() < 0.05
        held_text = "" if not_held else self.cal.day(held)
        self.meetings += 1
        # Harbour's own reference style (meetings.services.meeting_id_for), with D for the
        # demo's history so that no id a task gives later can be taken already.
        prefix = "MAM" if kind == "MISSING_MAM" else "STR"
        self.out.row(
            "meetings.csv",
            (
                f"HB-{prefix}-D{self.meetings:06d}",
                child_id,
                kind,
                trigger,
                concern,
                self.cal.day(day),
                held_text,
            ),
        )

    def _missing_meeting(self, child_id: str, trigger: str, day: int) -> None:
        self._meeting(child_id, "MISSING_MAM", trigger, "", day)

    def _exploitation(
        self, child_id: str, sex: str, first_day: int, last_start_day: int, count: int
    ) -> None:
        """Referrals, assessments, strategy meetings and panels for a child at risk."""
        rng = self.rng
        cal = self.cal
        concern = (CONCERN_FEMALE if sex == "F" else CONCERN_OTHER)(rng)

        def some_day() -> int:
            return min(self.last_day, rng.randint(first_day - 60, last_start_day + 30))

        more = self.more
        received_days = []
        for _ in range(1 + (rng.random() < 0.3)):
            self.referrals += 1
            received = some_day()
            received_days.append(received)
            # Decided the next working morning, or still waiting when received yesterday.
            decided = received + 1 if received + 1 < self.last_day else None
            self.out.row(
                "referrals.csv",
                (
                    f"REF{self.referrals:07d}",
                    child_id,
                    cal.day(received),
                    concern,
                    SOURCE(rng),
                    DECISION(more) if decided is not None else "",
                    cal.instant(decided * DAY + 10 * HOUR) if decided is not None else "",
                ),
            )
        if concern != "OTHER" and more.random() < 0.7:
            self._concern_period(child_id, concern, min(received_days))
        if more.random() < 0.35:
            self._support_referral(child_id, some_day())
        kinds = {"CSE": ("CSE",), "CCE": ("CE",), "BOTH": ("CSE", "CE")}.get(concern, ("CE",))
        for _ in range(rng.randint(1, 3)):
            self.assessments += 1
            self.out.row(
                "risk_assessments.csv",
                (
                    f"RA{self.assessments:07d}",
                    child_id,
                    rng.choice(kinds),
                    cal.day(some_day()),
                    ASSESSED_RISK(rng),
                ),
            )
        if concern != "OTHER" and rng.random() < 0.6:
            strategy = ("CSE", "CCE") if concern == "BOTH" else (concern,)
            for code in strategy:
                self._meeting(child_id, "STRATEGY", "", code, some_day())
        if rng.random() < 0.5:
            panels = ["MASE" if concern == "CSE" and rng.random() < 0.5 else "MACE"]
            if count >= 6 and rng.random() < 0.5:
                panels.append("MISSING_HOTSPOTS")
            for panel in panels:
                self.listings += 1
                nrm = "Y" if rng.random() < 0.1 else ("N" if rng.random() < 0.8 else "")
                self.out.row(
                    "panel_listings.csv",
                    (
                        f"PL{self.listings:07d}",
                        child_id,
                        panel,
                        cal.day(some_day()),
                        PANEL_RISK(rng),
                        nrm,
                    ),
                )

    def _concern_period(self, child_id: str, concern: str, opened: int) -> None:
        """The child's exploitation flag from their first referral; closed after some
        months with a reason, or still open when that lies after the last day."""
        more = self.more
        pathway = concern if concern in ("CSE", "CCE") else more.choice(("CSE", "CCE"))
        closed = opened + more.randint(60, 500)
        is_open = closed > self.last_day
        self.periods += 1
        self.out.row(
            "concern_periods.csv",
            (
                f"CP{self.periods:07d}",
                child_id,
                pathway,
                self.cal.day(opened),
                ASSESSED_RISK(more),
                "" if is_open else self.cal.day(closed),
                "" if is_open else CLOSE_REASON(more),
            ),
        )

    def _support_referral(self, child_id: str, referred: int) -> None:
        more = self.more
        accepted = referred + more.randint(1, 14) if more.random() < 0.8 else None
        if accepted is not None and accepted > self.last_day:
            accepted = None
        ended = None
        if accepted is not None:
            ended = accepted + more.randint(60, 300)
            if ended > self.last_day:
                ended = None
        self.supports += 1
        self.out.row(
            "support_referrals.csv",
            (
                f"SR{self.supports:07d}",
                child_id,
                PROVIDER(more),
                self.cal.day(referred),
                "" if accepted is None else self.cal.day(accepted),
                "" if ended is None else self.cal.day(ended),
            ),
        )


def write_demo_folder(
    folder: Path,
    *,
    episodes: int,
    seed: int,
    authority_code: str,
    last_day: dt.date,
    progress: Progress = NO_PROGRESS,
) -> dict[str, int]:
    """Write a synthetic authority's interchange folder; returns rows written per file.
    `progress` (for a command on a terminal) counts the episodes written."""
    if episodes < 1:
        raise ValueError("episodes must be at least 1")
    if not (len(authority_code) == 3 and authority_code.isdigit()):
        raise ValueError("authority_code must be a three-digit DfE number")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as files:
        writer = _Writer(files, folder)
        authority = _Authority(
            writer,
            seed=seed,
            authority_code=authority_code,
            first_day=period_start(last_day, episodes),
            last_day=last_day,
        )
        remaining = episodes
        progress.stage("the demo authority", total=episodes)
        while remaining:
            written = authority.child(remaining)
            remaining -= written
            progress.advance(written)
        return dict(writer.counts)
