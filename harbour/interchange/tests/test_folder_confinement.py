"""An import reads only the regular files inside its folder: a symbolic link (to a file
outside the folder, or even beside it) is refused with a located message, and nothing it
points at is read or shown."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harbour.children.models import Child
from harbour.interchange import reader
from harbour.interchange.importer import import_folder

from .folders import VALID

pytestmark = pytest.mark.django_db

SECRET_LINE = "not-for-import,shadow-entry,do-not-print"
LINK_REFUSED = (
    "is a symbolic link; the import reads only regular files inside the folder, "
    "so it was not opened"
)


@pytest.fixture
def outside_file(tmp_path: Path) -> Path:
    """A file outside any import folder, which an import must never read."""
    path = tmp_path / "elsewhere" / "secret.csv"
    path.parent.mkdir()
    path.write_text(SECRET_LINE + "\n")
    return path


def folder_with_link(write_folder, name: str, target: Path) -> Path:
    folder = write_folder({key: value for key, value in VALID.items() if key != name})
    (folder / name).symlink_to(target)
    return folder


def test_a_symbolic_link_to_a_file_outside_the_folder_is_refused(write_folder, outside_file):
    folder = folder_with_link(write_folder, "children.csv", outside_file)

    result = import_folder(folder)

    assert result.errors == [f"children.csv:0:-: {LINK_REFUSED}"]
    assert Child.objects.count() == 0


def test_a_symbolic_link_to_a_valid_file_beside_it_is_refused_too(write_folder, tmp_path):
    real = tmp_path / "children-real.csv"
    real.write_text(textwrap.dedent(VALID["children.csv"]))
    folder = folder_with_link(write_folder, "children.csv", real)

    result = import_folder(folder)

    assert result.errors == [f"children.csv:0:-: {LINK_REFUSED}"]
    assert Child.objects.count() == 0


def test_an_optional_file_that_is_a_symbolic_link_is_refused(write_folder, outside_file):
    folder = folder_with_link(write_folder, "meetings.csv", outside_file)

    result = import_folder(folder)

    assert result.errors == [f"meetings.csv:0:-: {LINK_REFUSED}"]
    assert Child.objects.count() == 0


def test_a_directory_in_place_of_a_file_is_refused_as_not_a_regular_file(write_folder):
    folder = write_folder({key: value for key, value in VALID.items() if key != "referrals.csv"})
    (folder / "referrals.csv").mkdir()

    result = import_folder(folder)

    assert result.errors == ["referrals.csv:0:-: is not a regular file, so it was not opened"]


def test_a_file_swapped_for_a_link_after_the_check_is_still_not_followed(
    write_folder, outside_file, monkeypatch
):
    # Someone replaces the file between the folder being listed and the file being opened:
    # the open itself refuses to follow the link.
    folder = folder_with_link(write_folder, "children.csv", outside_file)
    monkeypatch.setattr(reader, "_is_link", lambda path: False)

    result = import_folder(folder)

    assert result.errors == [f"children.csv:0:-: {LINK_REFUSED}"]
    assert Child.objects.count() == 0


def test_the_command_never_prints_what_a_link_points_at(write_folder, outside_file, tmp_path):
    folder = folder_with_link(write_folder, "children.csv", outside_file)
    database = tmp_path / "command.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "harbour.settings_test",
    }
    base = Path(__file__).resolve().parents[3]
    manage = [sys.executable, str(base / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)  # noqa: S603

    command = subprocess.run(  # noqa: S603
        [*manage, "import_interchange", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert command.returncode == 1
    assert f"children.csv:0:-: {LINK_REFUSED}" in command.stderr
    assert "not-for-import" not in command.stdout + command.stderr
