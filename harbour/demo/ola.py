"""The demo's other local authorities: invented names and contact details for the DfE
numbers the generator places children from, and a few notification logs for the latest
episodes of children placed here, so that the OLA pages and the dashboard have something
to show. Everything is written through the services, as a coordinator would."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from harbour.authorities import services
from harbour.authorities.models import LocalAuthority, OlaLog
from harbour.children.models import Child
from harbour.missing.models import Episode

from .generator import OTHER_AUTHORITIES

ACTOR = "demo_data"
# Invented places; phone numbers from Ofcom's range for drama (01632 960xxx) and email
# addresses under the reserved .example domain, so nothing here reaches anyone.
PLACES = (
    "Example Shire",
    "Sample Borough",
    "Northmere",
    "Eastwick Vale",
    "Westbrook",
    "Southfold",
    "Highcombe",
    "Lowmarsh",
    "Fernley",
    "Ashdown Marches",
    "Kettering Fields",
    "Oakhollow",
    "Rivermouth",
    "Stonebridge",
)
KINDS = ("County Council", "Borough Council", "City Council", "Council")
RECENT_DAYS = 21
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def authorities(own_code: str) -> int:
    """One invented authority for each DfE number the generator uses but our own; returns
    how many were added."""
    added = 0
    codes = [code for code, _weight in OTHER_AUTHORITIES if code != own_code]
    for n, code in enumerate(codes):
        if LocalAuthority.objects.filter(code=code).exists():
            continue
        place = PLACES[n % len(PLACES)]
        slug = place.lower().replace(" ", "")
        services.save_authority(
            ACTOR,
            LocalAuthority(
                code=code,
                name=authority_name(n),
                team="Missing children team",
                email=f"missing.children@{slug}.example",
                phone=f"01632 960{n:03d}",
                address=f"Council Offices, 1 Example Street, {place}",
            ),
        )
        added += 1
    return added


def authority_name(n: int) -> str:
    """The n-th invented authority's name: a place and a kind of council, without saying a
    word twice ("Sample Borough Council", not "Sample Borough Borough Council")."""
    place = PLACES[n % len(PLACES)]
    kind = KINDS[n % len(KINDS)]
    if place.split()[-1] == kind.split()[0]:
        kind = kind.split(maxsplit=1)[1]
    return f"{place} {kind}"


def logs(now: dt.datetime | None = None) -> int:
    """Notification logs for the OLA episodes that ended in the last three weeks, in five
    patterns: nothing yet; asked and waiting; asked and answered; asked and chased; asked,
    chased and escalated. Returns how many entries were written."""
    from harbour.authorities.queries import ola_episodes

    now = now or timezone.now()
    since = now - dt.timedelta(days=RECENT_DAYS)
    episodes = list(
        ola_episodes(Child.objects.all(), now)
        .filter(ended_at__gte=since, ended_at__lte=now - HOUR)
        .exclude(pk__in=OlaLog.objects.values("episode"))
        .order_by("ended_at", "pk")
    )
    written = 0
    for n, episode in enumerate(episodes):
        pattern = n % 5
        if pattern == 0:
            continue
        found = episode.ended_at
        steps = [("FOUND", found + HOUR), ("INTERVIEW_REQUESTED", found + 2 * HOUR)]
        if pattern == 2:
            steps.append(("RESPONSE", found + 2 * HOUR + DAY))
        if pattern >= 3:
            steps.append(("CHASER", found + 2 * HOUR + 3 * DAY))
        if pattern == 4:
            steps.append(("ESCALATED", found + 2 * HOUR + 7 * DAY))
        for version, (kind, at) in enumerate(steps):
            if at > now:
                break
            try:
                _write(episode, kind, at.replace(microsecond=0), version)
            except ValidationError:
                break
            written += 1
    return written


def _write(episode: Episode, kind: str, at: dt.datetime, version: int) -> None:
    if kind in ("FOUND", "INTERVIEW_REQUESTED"):
        services.notify_placing_authority(
            ACTOR, episode, kind=kind, sent_at=at, method="SECURE_EMAIL", version=version
        )
    elif kind == "RESPONSE":
        services.record_response(
            ACTOR, episode, received_at=at, method="EMAIL", response="ARRANGED",
            note="Their worker will visit this week.", version=version,
        )  # fmt: skip
    elif kind == "CHASER":
        services.send_chaser(ACTOR, episode, sent_at=at, method="PHONE", version=version)
    else:
        services.escalate(
            ACTOR, episode, escalated_at=at, method="SECURE_EMAIL",
            note="Escalated to the team manager.", version=version,
        )  # fmt: skip
