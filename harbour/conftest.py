"""Fixtures shared by every app's tests.

- A test module or test marked `@pytest.mark.frozen_at(instant)` runs with the clock
  stopped at that instant; the `clock` fixture is the time machine, to move it on.
- `client_as(*roles)` signs the test client in as a new member of staff with those roles
  and returns the user; `make_staff` (harbour/common/tests/factories.py) makes one
  without signing in.
- `write_folder` writes an interchange folder.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from pytest_django.fixtures import Settings

from harbour.common.tests.factories import make_staff


@pytest.fixture(autouse=True)
def _own_authority(settings: Settings) -> None:
    # Sefton's number: the tests speak of "this authority" as 343.
    settings.LOCAL_AUTHORITY_CODE = "343"


# time_machine's Coordinates (shift, move_to); the library ships no types we check.
Traveller = Any


@pytest.fixture(autouse=True)
def _frozen_clock(request: pytest.FixtureRequest) -> Iterator[Traveller | None]:
    marker = request.node.get_closest_marker("frozen_at")
    if marker is None:
        yield None
        return
    (instant,) = marker.args
    if not isinstance(instant, dt.datetime) or instant.tzinfo is None:
        raise TypeError("frozen_at needs an aware datetime: times are instants")
    with time_machine.travel(instant, tick=False) as coordinates:
        yield coordinates


@pytest.fixture
def clock(_frozen_clock: Traveller | None) -> Traveller:
    """The stopped clock of a `frozen_at` test: `clock.shift(...)`, `clock.move_to(...)`."""
    if _frozen_clock is None:
        raise pytest.UsageError("the clock fixture needs @pytest.mark.frozen_at(instant)")
    return _frozen_clock


SignIn = Callable[..., User]


@pytest.fixture
def client_as(client: Client) -> SignIn:
    """`client_as("COORDINATOR")`: a new member of staff with those roles, signed in on
    the test client. Keyword arguments go to make_staff (username, organisation, names)."""

    def sign_in(*roles: str, **fields: Any) -> User:
        user = make_staff(*roles, **fields)
        client.force_login(user)
        return user

    return sign_in


FolderWriter = Callable[..., Path]


@pytest.fixture
def write_folder(tmp_path: Path) -> FolderWriter:
    """Write an interchange folder from {file name: CSV text}; returns its path."""
    counter = 0

    def write(files: dict[str, str | bytes]) -> Path:
        nonlocal counter
        counter += 1
        folder = tmp_path / f"folder{counter}"
        folder.mkdir()
        for name, content in files.items():
            data = content if isinstance(content, bytes) else _dedent(content).encode("utf-8")
            (folder / name).write_bytes(data)
        return folder

    return write


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")
