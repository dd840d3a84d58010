"""Every URL of the project, as every role and as an anonymous visitor, against the
machine-readable matrix in docs/roles.md. A URL missing from the matrix fails."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from harbour.accounts.models import Role, RoleAssignment
from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

MATRIX = Path(settings.BASE_DIR) / "docs" / "roles.md"
PLAYERS = ["anonymous", *Role.values]


def read_matrix() -> dict[str, dict[str, str]]:
    text = MATRIX.read_text(encoding="utf-8")
    table = text.split("<!-- authorisation-matrix:start -->")[1].split(
        "<!-- authorisation-matrix:end -->"
    )[0]
    lines = [line.strip() for line in table.strip().splitlines()]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["url", *PLAYERS], "the matrix header must list every role"
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(PLAYERS, cells[1:], strict=True))
    return rows


def every_url() -> list[tuple[str, str]]:
    """(name as in the matrix, route) for every pattern; unnamed patterns by their route."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, route, inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or route
                found.append((f"{namespace}:{name}" if namespace else name, route))

    walk(get_resolver().url_patterns, "", None)
    return found


def matrix_row(matrix: dict, name: str) -> dict[str, str] | None:
    if name in matrix:
        return matrix[name]
    if ":" in name:
        return matrix.get(name.split(":")[0] + ":*")
    return None


SAMPLES = {"kind": "quarterly", "extension": "csv", "app_label": "children"}


def sample_path(route: str, objects: dict[str, int]) -> str:
    """A concrete path for a route, with sample values for its parameters."""

    def value(name: str, converter: str | None = None) -> str:
        if name in SAMPLES:
            return SAMPLES[name]
        if name in objects:
            return str(objects[name])
        return "1" if converter in ("int", None) or name.endswith("id") else "x"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(m.group(2), m.group(1)), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\", "")


# Pages about one record of another kind than a child: which sample their <pk> names.
PK_OF = {
    "episode_detail": "episode",
    "episode_found": "episode",
    "episode_amend": "episode",
    "interviews_allocate": "episode",
    "interviews_record": "episode",
    "meetings_task": "task",
    "meetings_task_close": "task",
    "meetings_meeting": "meeting",
    "meetings_meeting_schedule": "meeting",
    "meetings_meeting_cancel": "meeting",
    # A held police upload, opened by the coordinator who uploaded it.
    "police_upload_preview": "police_upload",
    "police_upload_mapping": "police_upload",
    "police_upload_discard": "police_upload",
    "ola_log": "episode",
    "authority_edit": "authority",
    # Exploitation pages (harbour/exploitation/views): add a line per page about a record.
    "referral_detail": "referral",
    "referral_decide": "referral",
    "support_edit": "support_referral",
    "closure_day_delete": "closure_day",
    "panel_pack": "panel_meeting",
    "panel_pack_download": "panel_meeting",
    "nrm_detail": "nrm",
    "nrm_edit": "nrm",
    "assessment_detail": "assessment",
    "screening_task_close": "screening_task",
    "period_detail": "period",
    "period_edit": "period",
    "period_close": "period",
    "panel_meeting": "panel_meeting",
    # A coordinator changes the Missing and Hotspots sittings only.
    "panel_meeting_edit": "hotspots_meeting",
    "panel_cohort_confirm": "panel_meeting",
    "panel_action_add": "panel_meeting",
    "panel_subject_add": "panel_meeting",
    "panel_action_done": "panel_action",
    "panel_series_edit": "panel_series",
    "panel_listing": "listing",
    "panel_listing_open_period": "listing",
    "strategy_detail": "strategy",
    "strategy_record": "strategy",
    "strategy_action_add": "strategy",
    "strategy_action_done": "strategy_action",
    "disruption_detail": "disruption",
    "disruption_edit": "disruption",
    # The network registers (issue 13).
    "place_detail": "place",
    "place_change": "place",
    "place_assessment_new": "place",
    "network_place": "place",
    **{
        name: "person"
        for name in (
            "person_detail",
            "person_change",
            "person_link_person",
            "person_link_place",
            "person_alias_add",
            "person_alias_remove",
            "person_identifier_add",
            "person_identifier_remove",
            "network_person",
        )
    },
    **{
        name: "group"
        for name in (
            "group_detail",
            "group_edit",
            "group_member_new",
            "group_member_remove",
            "group_place_new",
            "context_assessment_new",
            "network_group",
        )
    },
    "intelligence_detail": "intelligence",
    "intelligence_edit": "intelligence",
    "intelligence_links": "intelligence",
    "context_assessment_detail": "context_assessment",
    "context_assessment_edit": "context_assessment",
    "context_action_done": "context_assessment",
    "context_referral_new": "group",
    "place_context_referral_new": "place",
    "context_referral_detail": "context_referral",
}


def sample_records() -> dict[str, int]:
    """One record of each kind a page can be about: ids by kind."""
    import datetime as dt

    from django.utils import timezone

    from harbour.common.tests.factories import (
        EpisodeFactory,
        LegalStatusFactory,
        MeetingFactory,
    )
    from harbour.meetings.models import MeetingTask

    child = ChildFactory.create()
    legal_status = LegalStatusFactory.create(child=child)
    episode = EpisodeFactory.create(child=child)
    meeting = MeetingFactory.create(child=child)
    now = timezone.now()
    task = MeetingTask.objects.create(
        child=child,
        trigger="LONG_MISSING",
        triggered_at=now,
        raised_at=now,
        due_on=now.date() + dt.timedelta(days=7),
    )
    from harbour.authorities.models import LocalAuthority

    authority = LocalAuthority.objects.create(code="998", name="Example Shire Council")
    from harbour.missing.models import PoliceForce, PoliceUpload

    upload = PoliceUpload.objects.create(
        force=PoliceForce.objects.create(name="Example Shire Police", code="XSP"),
        uploaded_by=get_user_model().objects.create_user("uploader"),
        uploaded_at=now,
        content=b"Reference,Name\r\nXSP-1,Example\r\n",
    )
    exploitation = exploitation_samples(child, episode, now)
    return {
        **exploitation,
        "police_upload": upload.pk,
        "child": child.pk,
        "legal_status": legal_status.pk,
        "episode": episode.pk,
        "meeting": meeting.pk,
        "task": task.pk,
        "authority": authority.pk,
    }


def exploitation_samples(child, episode, now) -> dict[str, int]:
    """One exploitation record of each kind, about the sample child."""
    import datetime as dt

    from harbour.common.tests.factories import (
        ConcernPeriodFactory,
        MeetingFactory,
        NrmReferralFactory,
        PanelListingFactory,
        PanelMeetingFactory,
        ReferralFactory,
        RiskAssessmentFactory,
        SupportReferralFactory,
    )
    from harbour.exploitation.models import (
        ClosureDay,
        Disruption,
        DisruptionChild,
        PanelAction,
        PanelSeries,
        PanelSubject,
        Place,
        ScreeningTask,
    )
    from harbour.meetings.models import MeetingAction

    panel_meeting = PanelMeetingFactory.create(panel="MACE")
    hotspots_meeting = PanelMeetingFactory.create(panel="MISSING_HOTSPOTS")
    listing = PanelListingFactory.create(child=child, panel_meeting=panel_meeting)
    strategy = MeetingFactory.create(child=child, kind="STRATEGY", trigger="", concern="CSE")
    disruption = Disruption.objects.create(
        disruption_id="DIS-SAMPLE",
        subject_kind="PLACE",
        subject_description="A hotel",
        tactic="HOTEL_S116",
        lead_agency="POLICE",
        requested_on=now.date(),
    )
    DisruptionChild.objects.create(disruption=disruption, child=child)
    subject = PanelSubject.objects.create(
        panel_meeting=panel_meeting, kind="PLACE", description="A takeaway"
    )
    return {
        "referral": ReferralFactory.create(child=child).pk,
        "assessment": RiskAssessmentFactory.create(child=child).pk,
        "period": ConcernPeriodFactory.create(child=child).pk,
        "panel_meeting": panel_meeting.pk,
        "hotspots_meeting": hotspots_meeting.pk,
        "panel_series": PanelSeries.objects.get(panel="MACE").pk,
        "listing": listing.pk,
        "panel_action": PanelAction.objects.create(
            panel_meeting=panel_meeting, listing=listing, description="Visit", owner="Police"
        ).pk,
        "panel_subject": subject.pk,
        "strategy": strategy.pk,
        "strategy_action": MeetingAction.objects.create(
            meeting=strategy, description="Visit", owner="Police"
        ).pk,
        "nrm": NrmReferralFactory.create(child=child).pk,
        "disruption": disruption.pk,
        "support_referral": SupportReferralFactory.create(child=child).pk,
        "screening_task": ScreeningTask.objects.create(
            child=child, episode=episode, reason="INTERVIEW_RISKS", raised_at=now
        ).pk,
        "closure_day": ClosureDay.objects.create(
            date=now.date() + dt.timedelta(days=30), description="Staff training day"
        ).pk,
        "place": Place.objects.create(
            place_id="HB-PLC-SAMPLE", name="Sample Hotel", type="HOTEL"
        ).pk,
        **network_samples(child, now),
    }


def network_samples(child, now) -> dict[str, int]:
    """One record of each of the network registers (issue 13), about the sample child."""
    from harbour.exploitation.models import (
        ContextAssessment,
        ContextReferral,
        Group,
        Intelligence,
        Person,
        PersonChildLink,
    )

    person = Person.objects.create(person_id="HB-POC-SAMPLE", given_name="Sample")
    PersonChildLink.objects.create(
        person=person, child=child, relationship="ASSOCIATE", source="RHI"
    )
    group = Group.objects.create(group_id="HB-GRP-SAMPLE", label="Sample group", type="PEER_GROUP")
    someone_else = get_user_model().objects.create_user("intelligence-submitter")
    return {
        "person": person.pk,
        "group": group.pk,
        "intelligence": Intelligence.objects.create(
            intelligence_id="HB-INT-SAMPLE",
            child=child,
            source_kind="PRACTITIONER",
            created_at=now,
            created_by=someone_else,
            what="Sample",
        ).pk,
        "context_assessment": ContextAssessment.objects.create(
            context_assessment_id="HB-CA-SAMPLE",
            group=group,
            kind="PEER_GROUP",
            assessed_on=now.date(),
            assessor=someone_else,
            findings="Sample",
        ).pk,
        "context_referral": ContextReferral.objects.create(
            context_referral_id="HB-CR-SAMPLE",
            group=group,
            received_on=now.date(),
            source="POLICE",
            concern="Sample",
        ).pk,
    }


def objects_for(name: str, records: dict[str, int], user_pk: int) -> dict[str, int]:
    return {
        "pk": records[PK_OF.get(name, "child")],
        "child_pk": records["child"],
        "user_pk": user_pk,
        "status_pk": records["legal_status"],
        "episode_pk": records["episode"],
    }


def outcome(response, anonymous: bool) -> str:
    status = response.status_code
    if status == 405:
        return "405"
    if status == 403:
        return "deny"
    if status in (301, 302):
        location = urlsplit(response["Location"]).path
        if location in ("/sign-in/", "/admin/login/"):
            # A signed-in user sent to sign in would only be sent back: a loop, not a refusal.
            return "sign-in" if anonymous else "redirect to sign-in"
        return "allow"
    return "allow" if status < 400 else f"status {status}"


def test_every_url_is_in_the_matrix():
    matrix = read_matrix()
    missing = [name for name, _ in every_url() if matrix_row(matrix, name) is None]
    assert missing == [], f"add these URLs to the matrix in docs/roles.md: {missing}"


def test_every_url_answers_each_role_as_the_matrix_says():
    matrix = read_matrix()
    records = sample_records()
    clients = {"anonymous": Client()}
    users = {}
    for role in Role.values:
        user = get_user_model().objects.create_user(f"as-{role.lower()}")
        RoleAssignment.objects.create(user=user, role=role)
        client = Client()
        client.force_login(user)
        clients[role] = client
        users[role] = user
    # The matrix speaks of a return interview worker's own work: allocate it to them.
    from harbour.interviews.models import Allocation

    Allocation.objects.create(
        episode_id=records["episode"],
        worker=users["RHI_WORKER"],
        allocated_at=timezone.now(),
        allocated_by=users["COORDINATOR"],
    )
    # And of a social worker's own children: allocate the child to them.
    from harbour.children.models import Child

    Child.objects.filter(pk=records["child"]).update(allocated_social_worker=users["SOCIAL_WORKER"])
    # A held police upload is seen only by the coordinator who uploaded it.
    from harbour.missing.models import PoliceUpload

    PoliceUpload.objects.filter(pk=records["police_upload"]).update(
        uploaded_by=users["COORDINATOR"]
    )
    wrong = []
    for name, route in every_url():
        path = sample_path(route, objects_for(name, records, users["ANALYST"].pk))
        expected = matrix_row(matrix, name)
        if expected is None:
            continue  # reported by test_every_url_is_in_the_matrix
        for player in PLAYERS:
            got = outcome(clients[player].get(path), anonymous=player == "anonymous")
            if got != expected[player]:
                wrong.append(f"{name} {path} as {player}: expected {expected[player]}, got {got}")
    assert wrong == [], "\n".join(wrong)


def test_an_anonymous_visitor_reaches_only_sign_in_and_the_health_check():
    matrix = read_matrix()
    reachable = sorted(name for name, row in matrix.items() if row["anonymous"] == "allow")
    # Signing out needs no account; setting a password needs the one-time link's token.
    assert set(reachable) <= {
        "health",
        "sign_in",
        "admin:logout",
        "staff_set_password",
        "staff_set_password_done",
    }


def test_an_analyst_never_receives_a_name_or_identifier():
    from harbour.common.tests.factories import EpisodeFactory, ReturnInterviewFactory

    children = [
        ChildFactory(child_id=f"PERSON-{n}", given_name=f"Givenname{n}", family_name=f"Surname{n}")
        for n in range(3)
    ]
    for child in children:
        ReturnInterviewFactory(episode=EpisodeFactory(child=child, episode_id=f"POLICE-{child.pk}"))
    analyst = get_user_model().objects.create_user("an-analyst")
    RoleAssignment.objects.create(user=analyst, role="ANALYST")
    client = Client()
    client.force_login(analyst)
    matrix = read_matrix()
    paths = [
        sample_path(route, {"pk": children[0].pk})
        for name, route in every_url()
        if (matrix_row(matrix, name) or {}).get("ANALYST") == "allow"
    ]
    paths += [
        f"/reports/{kind}.{extension}?year=2019"
        for kind in ("quarterly", "annual")
        for extension in ("csv", "xlsx", "json", "html", "pdf", "docx")
    ]
    secrets = [
        text
        for child in children
        for text in (child.child_id, child.given_name, child.family_name, f"POLICE-{child.pk}")
    ]
    for path in paths:
        body = readable_text(client.get(path).content)
        leaked = [secret for secret in secrets if secret in body]
        assert leaked == [], f"{path} gave an analyst {leaked}"


def readable_text(content: bytes) -> str:
    """The text a person would find in a download: Office files are ZIPs of XML, and a PDF's
    text is compressed, so both are opened first."""
    import io
    import zipfile

    from pypdf import PdfReader

    if content.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def test_the_leak_check_reads_inside_compressed_downloads():
    from harbour.reports.engine import build_report
    from harbour.reports.pack import pack_docx, pack_pdf
    from harbour.reports.periods import Period

    report = build_report("quarterly", Period.quarter(2019, 1))
    assert "Total number of missing episodes" in readable_text(
        pack_pdf([report], [], "Secret Council")
    )
    assert "Secret Council" in readable_text(pack_docx([report], [], "Secret Council"))


def test_a_superuser_without_roles_gets_nothing_that_roles_control():
    """Django's has_perm says yes to every superuser; Harbour's layer must not."""
    matrix = read_matrix()
    records = sample_records()
    superuser = get_user_model().objects.create_superuser("root", password="x" * 20)
    client = Client()
    client.force_login(superuser)
    wrong = []
    for name, route in every_url():
        row = matrix_row(matrix, name)
        if name.startswith("admin:") or row is None or "deny" not in row.values():
            continue
        path = sample_path(route, objects_for(name, records, superuser.pk))
        got = outcome(client.get(path), anonymous=False)
        if got != "deny":
            wrong.append(f"{name}: {got}")
    assert wrong == []
