"""Fixtures shared by every app's tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_authority(settings: pytest.FixtureRequest) -> None:
    # Sefton's number: the tests speak of "this authority" as 343.
    settings.LOCAL_AUTHORITY_CODE = "343"


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
