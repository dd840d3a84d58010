"""Reading an uploaded police extract: holding it for its preview (size, audited), then its
text (UTF-8 or Windows-1252; Excel workbooks and UTF-16 refused), its CSV rows (at most
MAX_ROWS) and the characters no cell may hold, each refusal saying what to do.

Every later step reads the file through `read_table`, so a file refused here is never
matched or stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from harbour.audit import services as auditor
from harbour.audit.services import Actor
from harbour.common.text import any_refused, refused_character
from harbour.common.time import HOUR

from ..models import PoliceForce, PoliceUpload

MAX_BYTES = getattr(settings, "HARBOUR_POLICE_UPLOAD_MAX_BYTES", 2 * 1024 * 1024)
MAX_ROWS = getattr(settings, "HARBOUR_POLICE_UPLOAD_MAX_ROWS", 2000)
UPLOAD_HOURS = 24


class UploadRefused(Exception):
    """The file cannot be read at all (size, encoding, not a CSV, no header)."""


# Holding the file.


def receive(actor: User, force: PoliceForce, content: bytes) -> PoliceUpload:
    """Keep an uploaded file for its preview (after checking it can be read at all). Only a
    person signed in uploads: the file is theirs alone to see."""
    if len(content) > MAX_BYTES:
        raise UploadRefused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB. Split the extract into "
            "smaller files and upload each one."
        )
    read_table(content)
    with transaction.atomic():
        upload = PoliceUpload.objects.create(
            force=force,
            uploaded_by=actor,
            uploaded_at=timezone.now(),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        auditor.record(
            actor,
            "missing.police_upload_received",
            obj=upload,
            details={"force": force.code, "bytes": len(content), "sha256": upload.sha256},
        )
    return upload


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete held files uploaded more than UPLOAD_HOURS ago: how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=UPLOAD_HOURS * HOUR)
    deleted, _ = PoliceUpload.objects.filter(uploaded_at__lt=cutoff).delete()
    if deleted:
        auditor.record("system", "missing.police_uploads_expired", details={"count": deleted})
    return deleted


def discard(actor: Actor, upload: PoliceUpload) -> None:
    with transaction.atomic():
        auditor.record(
            actor,
            "missing.police_upload_discarded",
            obj=upload,
            details={"force": upload.force.code},
        )
        upload.delete()


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte order mark) or Windows-1252."""
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused(
            "The file is an Excel workbook, not a CSV file. In Excel, choose Save As and "
            "'CSV UTF-8 (Comma delimited)', then upload that file."
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or _mostly_nul(content[:4096]):
        raise UploadRefused(
            "The file is saved as UTF-16 ('Unicode text') or is not a text file. Save it as "
            "'CSV UTF-8 (Comma delimited)' and upload it again."
        )
    if not content.strip():
        raise UploadRefused("The file is empty. Upload the police extract as a CSV file.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise UploadRefused(
            "The file's characters cannot be read: it is neither UTF-8 nor Windows-1252 "
            "text. Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
        ) from None


def _mostly_nul(sample: bytes) -> bool:
    """UTF-16 without a byte order mark, or not text at all: text in UTF-16 is about half
    NUL bytes. A stray NUL in a UTF-8 file is not this: it is refused where it is."""
    return sample.count(b"\x00") * 8 > len(sample)


def read_table(content: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(headers, [(spreadsheet row number, cells)]): the header is row 1. Every step reads
    the file through here (receiving it, the mapping, the preview, recording it), so a file
    refused here is never matched or stored."""
    reader = csv.reader(io.StringIO(decode(content), newline=""))
    try:
        rows = list(reader)
    except csv.Error as problem:
        raise UploadRefused(
            f"The file is not a CSV file Harbour can read (line {reader.line_num}: {problem}). "
            "Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
        ) from None
    _refuse_characters(rows)
    numbered = [
        (n, cells) for n, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)
    ]
    if not numbered:
        raise UploadRefused("The file has no rows. Upload the police extract as a CSV file.")
    (_, header), *body = numbered
    headers = [cell.strip() for cell in header]
    if len(body) > MAX_ROWS:
        raise UploadRefused(
            f"The file has {len(body)} rows; at most {MAX_ROWS} can be uploaded at once. "
            "Split the extract into smaller files."
        )
    return headers, body


# How many refused cells a refusal lists before saying how many more there are.
REFUSED_CELLS_LISTED = 10


def _refuse_characters(rows: list[list[str]]) -> None:
    """Refuse the whole file if any cell, mapped or not, holds a character Harbour never
    accepts (harbour.common.text), naming each cell by row and column. Tabs and line breaks
    inside a quoted cell are CSV (a notes column may have them): a mapped field, which is
    one line, refuses them row by row in _parse_row."""
    header = next((cells for cells in rows if any(cell.strip() for cell in cells)), [])
    found: list[str] = []
    for number, cells in enumerate(rows, start=1):
        if not any_refused(cells, multi_line=True):
            continue
        for position, cell in enumerate(cells):
            refused = refused_character(cell, multi_line=True)
            if refused is not None:
                column = _column_name(position, header if cells is not header else [])
                found.append(f"Row {number}, column {column}: {refused}")
    if found:
        listed = "; ".join(found[:REFUSED_CELLS_LISTED])
        more = len(found) - REFUSED_CELLS_LISTED
        raise UploadRefused(
            "The file has characters that cannot be stored (control characters, or bytes "
            f"that are not text). Remove them and upload the file again. {listed}"
            + (f"; and {more} more." if more > 0 else ".")
        )


def _column_name(position: int, header: list[str]) -> str:
    """A spreadsheet's name for a column ('B'), with its header when that can be shown."""
    letters = ""
    number = position + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    name = header[position].strip() if position < len(header) else ""
    if name and refused_character(name) is None:
        return f"{letters} ('{name}')"
    return letters


def headers_of(upload: PoliceUpload) -> list[str]:
    headers, _ = read_table(bytes(upload.content))
    return [header for header in headers if header]
