"""apply_retention --commit: a progress line of the children erased, on a terminal only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from harbour.children.management.commands import apply_retention
from harbour.children.models import Child
from harbour.common.tests.factories import ChildFactory
from harbour.common.tests.terminal import FakeTerminal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.frozen_at(dt.datetime(2030, 6, 16, 9, tzinfo=dt.UTC)),
]


@pytest.fixture
def three_due() -> None:
    for number in range(3):
        ChildFactory(child_id=f"DUE-{number}", date_of_birth=dt.date(2005, 6, 15))
    ChildFactory(child_id="YOUNG", date_of_birth=dt.date(2012, 1, 1))


def _run(*args: str, stdout: io.StringIO, stderr: io.StringIO) -> None:
    call_command(
        "apply_retention", "--commit", "--batch-size", "2", *args, stdout=stdout, stderr=stderr
    )


@pytest.mark.usefixtures("three_due")
@pytest.mark.parametrize("quiet", [False, True], ids=["not a terminal", "quiet on a terminal"])
def test_erasing_prints_what_it_did_before_and_no_progress(quiet: bool) -> None:
    stream = FakeTerminal if quiet else io.StringIO
    stdout, stderr = stream(), stream()

    _run(*(["--quiet"] if quiet else []), stdout=stdout, stderr=stderr)

    lines = stdout.getvalue().splitlines()
    assert lines[0].startswith("Retention: ")
    assert lines[1] == "Erased 3 children past retention."
    assert "\r" not in stdout.getvalue()
    assert stderr.getvalue() == ""
    assert list(Child.objects.values_list("child_id", flat=True)) == ["YOUNG"]


@pytest.mark.usefixtures("three_due")
def test_on_a_terminal_the_children_erased_are_counted_against_those_due() -> None:
    stdout, stderr = io.StringIO(), FakeTerminal()

    _run(stdout=stdout, stderr=stderr)

    drawn = stderr.getvalue()
    assert drawn.startswith("\rRetention erasing children past retention: 0/3 children")
    assert drawn.endswith("\rRetention: 3 children in 0:00:00\x1b[K\n")
    assert "Erased 3 children past retention." in stdout.getvalue()


@pytest.mark.usefixtures("three_due")
def test_a_failed_erasure_ends_the_progress_line_before_the_error(monkeypatch) -> None:
    erased: list[int] = []

    def erase_two_then_fail(actor: str, child: Child) -> None:
        if len(erased) == 2:
            raise RuntimeError("the database went away")
        erased.append(child.pk)

    monkeypatch.setattr(apply_retention, "erase_child", erase_two_then_fail)
    stderr = FakeTerminal()

    with pytest.raises(CommandError, match="Erasure stopped after 2 of 3 children"):
        _run(stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().endswith("\n")
    assert "\rRetention: " not in stderr.getvalue()
