"""Control characters in a police extract: refused where they are, row and column named,
wherever in the file they are (not only in the first 4 KiB the encoding is sniffed from),
identically on SQLite and PostgreSQL."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from harbour.common.tests.factories import make_staff
from harbour.missing.models import PoliceUpload
from harbour.missing.upload.files import UploadRefused, receive
from harbour.missing.upload.preview import build_preview

from .test_police_upload import HEADER, NORTHSHIRE, csv_of, force_with, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return make_staff("COORDINATOR")


@pytest.fixture
def northshire():
    return force_with(NORTHSHIRE)


def extract_with_late_nul(**cells: str) -> bytes:
    """Enough good rows to pass 4 KiB, then a row with a NUL (by default in the given name)."""
    rows = [row(ref=f"NSP-{n}", given="Ada", family=f"Amberley{n}") for n in range(1, 80)]
    rows.append(row(**({"ref": "NSP-80", "given": "Ad\x00a"} | cells)))
    content = csv_of(*rows).encode()
    assert content.index(b"\x00") > 4096
    return content


def held_unchecked(user, force, content: bytes) -> PoliceUpload:
    """A file held as it was before uploads were checked for control characters."""
    return PoliceUpload.objects.create(
        force=force, uploaded_by=user, uploaded_at=timezone.now(), content=content, sha256="x"
    )


def test_a_nul_after_the_first_4_kib_is_refused_with_its_row_and_column(user, northshire):
    with pytest.raises(UploadRefused) as refused:
        receive(user, northshire, extract_with_late_nul())
    assert "Row 81, column B ('Forename'): a control character (U+0000) at character 3" in str(
        refused.value
    )
    assert not PoliceUpload.objects.exists()


def test_a_file_held_before_the_check_is_refused_at_the_preview_not_stored(user, northshire):
    # A file held before this check existed (files are held for 24 hours) is read again
    # by every later step: the preview refuses it with the same message, and nothing is
    # stored or matched.
    held = held_unchecked(user, northshire, extract_with_late_nul())
    with pytest.raises(UploadRefused, match=r"Row 81, column B \('Forename'\)"):
        build_preview(held, user)


@pytest.mark.parametrize(
    "character, named",
    [
        ("\x1b", "a control character (U+001B)"),
        ("\x7f", "a control character (U+007F)"),
        ("\x85", "a control character (U+0085)"),
        ("\ufffe", "a noncharacter (U+FFFE)"),
    ],
)
def test_every_refused_character_is_named_in_any_column(user, northshire, character, named):
    # A quoted cell so that the line break is inside the cell, as a spreadsheet writes it.
    content = csv_of(row(ref="NSP-1"), row(ref="NSP-2", family=f'"Amber{character}ley"'))
    with pytest.raises(UploadRefused) as refused:
        receive(user, northshire, content.encode())
    assert f"Row 3, column C ('Surname'): {named} at character 6" in str(refused.value)


def test_a_control_character_in_a_header_or_an_unmapped_cell_is_refused_too(user, northshire):
    content = csv_of(row() + ",x\x01y", header=HEADER + ",Not\x02es")
    with pytest.raises(UploadRefused) as refused:
        receive(user, northshire, content.encode())
    message = str(refused.value)
    assert "Row 1, column J: a control character (U+0002) at character 4" in message
    assert "Row 2, column J: a control character (U+0001) at character 2" in message


@pytest.mark.parametrize(
    "character, named", [("\n", "a line break (U+000A)"), ("\t", "a tab (U+0009)")]
)
def test_a_line_break_or_tab_inside_a_mapped_cell_makes_that_row_a_problem(
    user, northshire, character, named
):
    content = csv_of(row(ref="NSP-1"), row(ref="NSP-2", family=f'" Amber{character}ley"'))
    preview = build_preview(held(user, northshire, content.encode()), user)
    assert [r.status for r in preview.rows] == ["ready", "problem"]
    assert [str(problem) for problem in preview.problems] == [
        f"Row 3, column 'Surname': has {named} at character 7: the value must be on one line"
    ]


def test_line_breaks_and_tabs_around_a_value_or_in_an_unmapped_column_are_kept_out(
    user, northshire
):
    content = csv_of(
        row(ref="NSP-1", family='"Amberley\r\n"') + ',"Seen near\nthe station\tat 9"',
        header=HEADER + ",Circumstances",
    )
    preview = build_preview(held(user, northshire, content.encode()), user)
    assert preview.problems == []
    assert preview.rows[0].family_name == "Amberley"


def held(user, force, content: bytes) -> PoliceUpload:
    return receive(user, force, content)


def test_many_refused_cells_are_listed_up_to_a_limit_with_how_many_more(user, northshire):
    content = csv_of(*[row(ref=f"NSP-{n}", given="A\x00") for n in range(1, 31)])
    with pytest.raises(UploadRefused) as refused:
        receive(user, northshire, content.encode())
    message = str(refused.value)
    assert "Row 2, column B ('Forename')" in message
    assert "and 20 more" in message


def test_a_utf_16_file_is_still_named_as_such(user, northshire):
    with pytest.raises(UploadRefused, match="UTF-16"):
        receive(user, northshire, csv_of(row()).encode("utf-16-le"))


# The pages.


def test_the_upload_page_refuses_a_late_nul_on_the_file_field_with_its_row(
    client, northshire, client_as
):
    client_as("COORDINATOR")
    response = client.post(
        "/episodes/upload/",
        {
            "force": northshire.pk,
            "file": SimpleUploadedFile("extract.csv", extract_with_late_nul(), "text/csv"),
        },
    )
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "Row 81, column B ('Forename'): a control character (U+0000)" in body
    assert 'href="#file"' in body
    assert not PoliceUpload.objects.exists()


@pytest.mark.parametrize(
    "cells, column",
    [
        ({}, "B ('Forename')"),
        ({"given": "Ada", "ref": "NSP\x00-80"}, "A ('Crime Ref')"),
        ({"given": "Ada", "family": "Amberley\x00"}, "C ('Surname')"),
        ({"given": "Ada", "person": "P\x0080"}, "I ('Person ID')"),
    ],
)
def test_the_preview_of_a_held_file_with_a_late_nul_is_a_refusal_not_a_server_error(
    client, northshire, cells, column, client_as
):
    coordinator = client_as("COORDINATOR")
    held = held_unchecked(coordinator, northshire, extract_with_late_nul(**cells))
    client.raise_request_exception = False
    for _attempt in range(2):
        response = client.get(f"/episodes/upload/{held.pk}/")
        assert response.status_code == 400
        assert f"Row 81, column {column}" in html.unescape(response.content.decode())
