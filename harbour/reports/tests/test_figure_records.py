"""From a figure to its records: each linked figure lists exactly the records it counts,
for coordinators and exploitation leads only (docs/reports.md, "From a figure to its
records")."""

import datetime as dt
import re
from urllib.parse import urlencode

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.tests.factories import (
    ChildFactory,
    MeetingFactory,
    PanelListingFactory,
    ReferralFactory,
    RiskAssessmentFactory,
)
from harbour.reports.engine import LISTED_FIGURES, build_report, figure_records

from .helpers import Q1, episode, interview, looked_after_by, on_plan

pytestmark = pytest.mark.django_db

RECORDS = "/reports/records/"
Q1_QUERY = {"year": "2019", "quarter": "1"}


@pytest.fixture
def register() -> dict:
    """Episodes of every group and interview outcome in 2019/20 Q1, with meetings and
    referrals, and one restricted child; the references say what each record is."""
    home = ChildFactory(given_name="Hana")
    interview(episode(child=home, episode_id="HOME-72H"), "ACCEPTED", after_hours=10)
    interview(episode(child=home, episode_id="HOME-LATE"), "ACCEPTED", after_hours=100)
    interview(episode(child=home, episode_id="HOME-DECLINED"), "DECLINED")
    episode(child=home, episode_id="HOME-OPEN", hours=None)
    episode(child=home, episode_id="HOME-ABSENT", category="ABSENT")
    lac = looked_after_by("343")
    interview(episode(child=lac, episode_id="LAC-NO-RESPONSE"), "NO_RESPONSE")
    interview(episode(child=lac, episode_id="LAC-72H", hours=30), "ACCEPTED", after_hours=20)
    cp = on_plan("CP")
    interview(episode(child=cp, episode_id="CP-NOT-REQUIRED", hours=60), "NOT_REQUIRED")
    ola = looked_after_by("874")
    interview(episode(child=ola, episode_id="OLA-72H"), "ACCEPTED", after_hours=5)
    hidden = ChildFactory(given_name="Rhea", restricted=True)
    interview(episode(child=hidden, episode_id="HIDDEN-72H"), "ACCEPTED", after_hours=10)
    episode(child=home, episode_id="LAST-YEAR", started=dt.datetime(2018, 5, 1, tzinfo=dt.UTC))
    MeetingFactory(child=home, meeting_id="MAM-HELD", held_on=dt.date(2019, 5, 20))
    MeetingFactory(child=lac, meeting_id="MAM-WAITING")
    MeetingFactory(child=hidden, meeting_id="MAM-HIDDEN")
    MeetingFactory(child=lac, meeting_id="MAM-LATER", requested_on=dt.date(2019, 8, 1))
    ReferralFactory(child=home, referral_id="REF-1")
    ReferralFactory(child=home, referral_id="REF-2", source="POLICE")
    ReferralFactory(child=lac, referral_id="REF-3", received_on=dt.date(2019, 5, 2))
    ReferralFactory(child=lac, referral_id="REF-BEFORE", received_on=dt.date(2018, 5, 2))
    for child in (lac, lac, cp):
        MeetingFactory(
            child=child, kind="STRATEGY", trigger="", concern="CSE", held_on=dt.date(2019, 6, 1)
        )
    RiskAssessmentFactory(child=cp, kind="CE")
    PanelListingFactory(child=cp)
    PanelListingFactory(child=cp, panel="MASE")
    return {"home": home, "lac": lac, "cp": cp, "ola": ola, "hidden": hidden}


def table_rows(page: str) -> list[str]:
    """The rows of the records table, as text (the "no records" row is no record)."""
    match = re.search(r'<table class="govuk-table" id="figure-records">(.*?)</table>', page, re.S)
    assert match
    body = match.group(1).split("<tbody")[1].split(">", 1)[1]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]
    return [row for row in rows if "Person id" in row]


def records_page(client, figure: str, **query: str):
    return client.get(f"{RECORDS}?{urlencode({'figure': figure, **Q1_QUERY, **query})}")


def references(rows: list[str]) -> set[str]:
    return {
        word for row in rows for word in row.split() if re.fullmatch(r"[A-Z]+-[A-Z0-9-]+", word)
    }


def test_every_listed_figure_lists_as_many_records_as_it_counts(register):
    for kind in ("quarterly", "annual"):
        for absences in (False, True):
            report = build_report(kind, Q1, absences)
            for row in report.rows:
                if row.id in LISTED_FIGURES:
                    listed = figure_records(row.id, Q1, absences).count()
                    assert listed == row.value, (kind, absences, row.id)
    # Not a test of zeros: the register has records of every kind.
    annual = build_report("annual", Q1)
    for figure in ("strategy_meeting_children", "referral_children_new", "panel_children"):
        assert annual.value(figure) >= 1
    assert annual.value("individuals_repeat") == 1 and annual.value("lac_children") == 1


def test_figures_that_count_no_records_have_no_list(register):
    for figure in ("age_average", "duration_max_days", "rhi_longest_days", "rate_episodes_per_10k"):
        assert figure not in LISTED_FIGURES
        with pytest.raises(KeyError):
            figure_records(figure, Q1)


@pytest.mark.parametrize(
    ("figure", "expected"),
    [
        ("episodes_ola", {"OLA-72H"}),
        ("episodes_host_lac", {"LAC-NO-RESPONSE", "LAC-72H"}),
        ("episodes_host_cp", {"CP-NOT-REQUIRED"}),
        # Each child once, by their latest episode (all start at the same instant: the one
        # recorded last).
        ("individuals_host_lac", {"LAC-72H"}),
        (
            "rhi_offered",
            {"HOME-72H", "HOME-LATE", "HOME-DECLINED", "LAC-NO-RESPONSE", "LAC-72H", "HIDDEN-72H"},
        ),
        ("rhi_completed", {"HOME-72H", "HOME-LATE", "LAC-72H", "HIDDEN-72H"}),
        ("rhi_within_72_hours", {"HOME-72H", "LAC-72H", "HIDDEN-72H"}),
        ("mam_requested", {"MAM-HELD", "MAM-WAITING", "MAM-HIDDEN"}),
        ("mam_held", {"MAM-HELD"}),
    ],
)
def test_the_records_page_lists_exactly_the_records_the_figure_counts(
    client, register, figure, expected, client_as
):
    # On the restricted child's access list: every record counted may be listed.
    register["hidden"].access_list.add(client_as("COORDINATOR"))
    kind = "quarterly" if figure.startswith(("episodes", "individuals", "rhi")) else "annual"
    shown = table_rows(records_page(client, figure).content.decode())
    assert references(shown) == expected
    assert len(shown) == build_report(kind, Q1).value(figure)


def test_individuals_list_each_child_once(client, register, client_as):
    client_as("COORDINATOR")
    shown = table_rows(records_page(client, "individuals_total").content.decode())
    # Home, LAC, CP and OLA children; the restricted child is counted but not listed.
    assert len(shown) == build_report("quarterly", Q1).value("individuals_total") - 1 == 4
    assert sum("Hana" in row for row in shown) == 1


def test_a_restricted_child_is_not_listed_and_the_shortfall_is_stated(client, register, client_as):
    client_as("COORDINATOR")
    page = records_page(client, "episodes_total").content.decode()
    shown = table_rows(page)
    assert build_report("quarterly", Q1).value("episodes_total") == len(shown) + 1
    assert "HIDDEN-72H" not in page and "Rhea" not in page
    assert "1 record is on restricted files you cannot open" in page
    meetings = records_page(client, "mam_requested").content.decode()
    assert "MAM-HIDDEN" not in meetings and "MAM-WAITING" in meetings
    assert "1 record is on restricted files you cannot open" in meetings


def test_a_restricted_child_is_listed_for_those_on_its_access_list(client, register, client_as):
    user = client_as("COORDINATOR")
    register["hidden"].access_list.add(user)
    page = records_page(client, "rhi_within_72_hours").content.decode()
    assert "HIDDEN-72H" in page and "Restricted" in page
    assert "restricted files" not in page


def test_absences_are_listed_only_when_the_figure_includes_them(client, register, client_as):
    client_as("COORDINATOR")
    assert "HOME-ABSENT" not in records_page(client, "episodes_total").content.decode()
    page = records_page(client, "episodes_total", include_absences="on").content.decode()
    assert "HOME-ABSENT" in page


def test_one_audit_event_names_exactly_the_children_shown(client, register, client_as):
    client_as("COORDINATOR")
    records_page(client, "episodes_host_lac")
    event = AuditEvent.objects.get(action="report.figure_records_viewed")
    assert set(event.subjects.values_list("child_pk", flat=True)) == {register["lac"].pk}
    assert event.details["figure"] == "episodes_host_lac"
    assert event.details["period"] == ["2019-04-01", "2019-06-30"]
    records_page(client, "episodes_total")
    event = AuditEvent.objects.filter(action="report.figure_records_viewed").latest("sequence")
    shown = {register[name].pk for name in ("home", "lac", "cp", "ola")}
    assert set(event.subjects.values_list("child_pk", flat=True)) == shown


def test_coordinators_get_a_link_from_each_counted_figure_to_its_records(
    client, register, client_as
):
    client_as("COORDINATOR")
    page = client.get("/reports/quarterly/?year=2019").content.decode()
    link = f'href="{RECORDS}?figure=rhi_within_72_hours&amp;year=2019&amp;quarter=1"'
    assert link in page
    # A maximum or an average is not a count of records.
    assert "figure=age_average" not in page and "figure=duration_max_days" not in page
    followed = client.get(f"{RECORDS}?figure=rhi_within_72_hours&year=2019&quarter=1")
    assert followed.status_code == 200


def test_the_annual_page_links_its_figures_for_the_year(client, register, client_as):
    client_as("EXPLOITATION_LEAD")
    page = client.get("/reports/annual/?year=2019").content.decode()
    assert f'href="{RECORDS}?figure=referrals_total&amp;year=2019"' in page


def test_analysts_get_no_links_and_no_records_page(client, register, client_as):
    client_as("ANALYST")
    for address in ("/reports/quarterly/?year=2019", "/reports/annual/?year=2019"):
        page = client.get(address).content.decode()
        assert RECORDS not in page
        assert "Hana" not in page and "HOME-72H" not in page
    assert records_page(client, "episodes_total").status_code == 403
    assert not AuditEvent.objects.filter(action="report.figure_records_viewed").exists()


def test_staff_without_the_reports_are_refused_the_records_page(client, register, client_as):
    client_as("SOCIAL_WORKER")
    assert records_page(client, "episodes_total").status_code == 403


def test_an_exploitation_lead_opens_meetings_but_not_episodes_from_the_list(
    client, register, client_as
):
    client_as("EXPLOITATION_LEAD")
    meetings = records_page(client, "mam_requested").content.decode()
    assert re.search(r'href="/meetings/\d+/">MAM-HELD</a>', meetings)
    episodes = records_page(client, "episodes_host_lac").content.decode()
    assert "LAC-72H" in episodes and not re.search(r'href="/episodes/\d+/"', episodes)


def test_unknown_figures_and_options_are_not_found(client, register, client_as):
    client_as("COORDINATOR")
    assert records_page(client, "age_average").status_code == 404
    assert records_page(client, "no_such_figure").status_code == 404
    assert records_page(client, "episodes_total", year="abc").status_code == 404


def test_a_range_of_dates_lists_the_records_of_that_range(client, register, client_as):
    client_as("COORDINATOR")
    query = {"first_day": "1", "first_month": "4", "first_year": "2018"}
    query |= {"last_day": "30", "last_month": "6", "last_year": "2019"}
    page = client.get(f"{RECORDS}?{urlencode({'figure': 'episodes_total', **query})}")
    assert "LAST-YEAR" in page.content.decode()


def test_long_lists_are_paged_and_the_audit_names_only_the_page(client, client_as):
    for _ in range(51):
        episode()
    client_as("COORDINATOR")
    first = records_page(client, "episodes_total").content.decode()
    assert len(table_rows(first)) == 50 and "Page 1 of 2" in first
    second = records_page(client, "episodes_total", page="2").content.decode()
    assert len(table_rows(second)) == 1
    event = AuditEvent.objects.filter(action="report.figure_records_viewed").latest("sequence")
    assert event.subjects.count() == 1


@pytest.mark.parametrize("figure", ["episodes_total", "individuals_total", "mam_requested"])
def test_the_records_page_takes_the_same_queries_however_many_records(
    client, django_assert_max_num_queries, figure, client_as
):
    client_as("COORDINATOR")

    def add(n: int) -> None:
        for _ in range(n):
            child = ChildFactory()
            interview(episode(child=child), "ACCEPTED")
            MeetingFactory(child=child)

    add(2)
    records_page(client, figure)
    with django_assert_max_num_queries(14) as few:
        records_page(client, figure)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(table_rows(records_page(client, figure).content.decode())) == 22


def test_a_figure_suppressed_for_publication_has_no_link(client, register, client_as):
    client_as("COORDINATOR")
    page = client.get("/reports/quarterly/?year=2019&quarter=1&for_publication=on")
    text = page.content.decode()
    assert "[c]" in text
    assert "figure=episodes_ola" not in text  # 1 episode: shown as [c]
