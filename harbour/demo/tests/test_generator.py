"""The synthetic authority: it imports cleanly, repeatably, and shows what the demo promises."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, Min

from harbour.children.models import Child, LegalStatus
from harbour.common.time import LONDON
from harbour.demo.generator import HEADERS, period_start, write_demo_folder
from harbour.exploitation.models import PanelListing, Referral, RiskAssessment
from harbour.interchange.importer import import_folder
from harbour.interviews.models import ReturnInterview
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode

AUTHORITY = "999"
EPISODES = 2000
HOURS_72 = 72 * 3600


# A fixed day keeps the data, and so these tests, the same every day (the commands use
# yesterday). The clocks went back on this day, which the horizon must get right.
LAST_DAY = dt.date(2025, 10, 26)


def _write(folder: Path, seed: int = 2026, episodes: int = EPISODES) -> dict[str, int]:
    return write_demo_folder(
        folder, episodes=episodes, seed=seed, authority_code=AUTHORITY, last_day=LAST_DAY
    )


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, _write(folder)


@pytest.fixture
def imported(demo_folder: tuple[Path, dict[str, int]], settings) -> dict[str, int]:
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    folder, written = demo_folder
    result = import_folder(folder, actor="test")
    assert result.errors == []
    assert result.ok
    return written


def test_every_file_is_written_with_rows(demo_folder: tuple[Path, dict[str, int]]) -> None:
    folder, written = demo_folder
    assert sorted(path.name for path in folder.iterdir()) == sorted(HEADERS)
    assert written["episodes.csv"] == EPISODES
    for name, rows in written.items():
        assert rows > 0, name
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(HEADERS[name])
        assert len(lines) == rows + 1, name


@pytest.mark.django_db
def test_imports_with_no_errors_and_every_table_filled(imported: dict[str, int]) -> None:
    assert Child.objects.count() == imported["children.csv"]
    assert Episode.objects.count() == EPISODES
    assert ReturnInterview.objects.count() == imported["return_interviews.csv"]
    for model in (LegalStatus, Meeting, Referral, RiskAssessment, PanelListing):
        assert model.objects.exists(), model.__name__


@pytest.mark.django_db
def test_children_are_of_the_ages_that_go_missing(imported: dict[str, int]) -> None:
    ages = Episode.objects.with_age().aggregate(youngest=Min("age"), oldest=Max("age"))
    assert ages["youngest"] >= 8
    assert ages["oldest"] <= 17
    # Most children go missing once; a few go missing very often.
    counts = list(Child.objects.annotate(n=Count("episodes")).values_list("n", flat=True))
    assert sum(1 for count in counts if count == 1) > len(counts) / 2
    assert max(counts) >= 20


@pytest.mark.django_db
def test_legal_statuses_cover_every_group(imported: dict[str, int]) -> None:
    lac = LegalStatus.objects.filter(status="LAC")
    assert lac.exclude(responsible_la__in=["", AUTHORITY]).exists()  # placed by another LA
    assert lac.filter(responsible_la="").exists()
    assert lac.filter(responsible_la=AUTHORITY).exists()
    assert LegalStatus.objects.filter(status="CP").exists()
    assert LegalStatus.objects.filter(status="CIN").exists()
    groups = set(Episode.objects.with_group().values_list("group", flat=True))
    assert groups == {"OLA", "LAC", "CP", "CIN", "NONE"}


@pytest.mark.django_db
def test_episodes_open_long_and_absent(imported: dict[str, int]) -> None:
    open_episodes = Episode.objects.open()
    assert open_episodes.exists()
    # Still missing only in the last few weeks.
    first_open = open_episodes.aggregate(first=Min("started_on"))["first"]
    assert first_open >= LAST_DAY - dt.timedelta(days=28)
    assert Episode.objects.with_duration().filter(duration_seconds__gt=HOURS_72).exists()
    # Nothing after the last day, in Europe/London (here the day the clocks went back).
    midnight = dt.datetime.combine(LAST_DAY + dt.timedelta(days=1), dt.time(), LONDON)
    assert Episode.objects.aggregate(last=Max("started_on"))["last"] == LAST_DAY
    assert not Episode.objects.filter(ended_at__gte=midnight).exists()
    assert not ReturnInterview.objects.filter(completed_at__gte=midnight).exists()
    # Absences are mostly of looked-after children.
    absences = Episode.objects.filter(category="ABSENT").with_group()
    assert absences.exists()
    looked_after = absences.filter(group__in=["LAC", "OLA"]).count()
    assert looked_after > absences.count() / 2


@pytest.mark.django_db
def test_return_interviews_have_every_outcome(imported: dict[str, int]) -> None:
    outcomes = set(ReturnInterview.objects.values_list("outcome", flat=True))
    assert outcomes == {"NOT_REQUIRED", "NOT_OFFERED", "NO_RESPONSE", "DECLINED", "ACCEPTED"}
    accepted = ReturnInterview.objects.filter(outcome="ACCEPTED", completed_at__isnull=False)
    late = accepted.filter(completed_epoch__gt=F("episode__ended_epoch") + HOURS_72)
    assert late.exists()
    assert late.count() < accepted.count() / 2  # mostly within 72 hours
    assert ReturnInterview.objects.exclude(reasons="").exists()
    assert ReturnInterview.objects.exclude(risks="").exists()


@pytest.mark.django_db
def test_meetings_and_panels(imported: dict[str, int]) -> None:
    triggers = set(Meeting.objects.filter(kind="MISSING_MAM").values_list("trigger", flat=True))
    assert triggers == {"LONG_MISSING", "REPEAT_MISSING", "PROFESSIONAL_JUDGEMENT"}
    concerns = set(Meeting.objects.filter(kind="STRATEGY").values_list("concern", flat=True))
    assert concerns == {"CSE", "CCE"}
    panels = set(PanelListing.objects.values_list("panel", flat=True))
    assert panels == {"MACE", "MASE", "MISSING_HOTSPOTS"}


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second, other = tmp_path / "first", tmp_path / "second", tmp_path / "other"
    _write(first)
    _write(second)
    _write(other, seed=7)
    for name in HEADERS:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "episodes.csv").read_bytes() != (other / "episodes.csv").read_bytes()


def test_large_folders_cover_ten_financial_years() -> None:
    assert period_start(dt.date(2026, 11, 20), 3000) == dt.date(2023, 4, 1)
    assert period_start(dt.date(2026, 11, 20), 1_000_000) == dt.date(2017, 4, 1)
    assert period_start(dt.date(2027, 3, 31), 1_000_000) == dt.date(2017, 4, 1)


def test_nothing_lies_after_the_last_day(tmp_path: Path) -> None:
    write_demo_folder(
        tmp_path, episodes=3000, seed=1, authority_code="874", last_day=dt.date(2024, 6, 30)
    )
    latest = ""
    for name in HEADERS:
        for line in (tmp_path / name).read_text(encoding="utf-8").splitlines()[1:]:
            cells = [cell for cell in line.split(",") if cell[:2] in ("19", "20")]
            latest = max([latest, *(cell[:10] for cell in cells)])
    assert latest == "2024-06-30"


# The commands ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_data_imports_a_small_authority(settings, capsys: pytest.CaptureFixture) -> None:
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    settings.DEBUG = True
    call_command("demo_data", episodes=200, seed=3)
    assert Episode.objects.count() == 200
    assert "episodes.csv: 200 rows" in capsys.readouterr().out
    # Rates need a population: one per financial year of the demo, and comparators.
    from harbour.reports.models import ChildPopulation, ComparatorRate

    assert ChildPopulation.objects.count() == 4
    assert ComparatorRate.objects.count() == 8


@pytest.mark.django_db
def test_demo_data_if_empty_leaves_a_filled_register_alone(
    settings, capsys: pytest.CaptureFixture
) -> None:
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    settings.DEBUG = True
    Child.objects.create(
        child_id="X1", date_of_birth=dt.date(2010, 1, 1), sex="F", birth_ymd=20100101
    )
    call_command("demo_data", if_empty=True)
    assert Episode.objects.count() == 0
    assert "no demo data added" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_data_needs_the_authority_code(settings) -> None:
    settings.LOCAL_AUTHORITY_CODE = None
    settings.DEBUG = True
    with pytest.raises(CommandError, match="LOCAL_AUTHORITY_CODE"):
        call_command("demo_data", episodes=10)
    assert not Child.objects.exists()


def test_demo_data_refuses_to_run_on_a_live_register(settings) -> None:
    settings.LOCAL_AUTHORITY_CODE = AUTHORITY
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data")
