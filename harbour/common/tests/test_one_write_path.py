"""Every write to a record goes through harbour/common/services.py (save_record,
delete_record), which validates, saves in one transaction and audits.

The test reads the source of every application module and lists each call that writes
rows through Django's ORM. Anything not on the list below, with its reason, fails: a new
write either goes through save_record, or earns a place here in review."""

from __future__ import annotations

import ast
from pathlib import Path

import harbour

ROOT = Path(harbour.__file__).parent

# Methods that write rows whatever they are called on. `update` is a write when called on
# a manager or a queryset (a dict has one too), so it is judged by what it is called on.
WRITES = {"save", "delete", "bulk_create", "bulk_update", "create", "get_or_create"}
WRITES |= {"update_or_create"}
QUERYSET_HINTS = ("objects", "filter(", "exclude(", "all(", "_set")

# Why a call may write outside save_record: the calls (module, as written; ANY: every
# write in that module).
ANY = "*"
ALLOWED_BECAUSE = {
    "an SSDA903 import writes a council's children, looked-after periods and episodes "
    "under its one audit event with counts, like the interchange import (which writes by "
    "SQL); every row is read and checked first (returns/ssda903/importer.py)": [
        ("returns/ssda903/importer.py", "Child.objects.bulk_create"),
        ("returns/ssda903/importer.py", "Child.objects.bulk_update"),
        ("returns/ssda903/importer.py", "LegalStatus.objects.bulk_create"),
        ("returns/ssda903/importer.py", "LegalStatus.objects.bulk_update"),
        ("returns/ssda903/importer.py", "Episode.objects.bulk_create"),
        ("returns/ssda903/importer.py", "Episode.objects.bulk_update"),
    ],
    "the interchange import writes by SQL under its one audit event; moving a record out of "
    "the way of another (parking it) is part of that write, made inside the import's "
    "transaction and overwritten by the record's own row before it commits "
    "(interchange/whole_file.py)": [
        ("interchange/whole_file.py", "ConcernPeriod.objects.filter(period_id=period_id).update"),
        ("interchange/whole_file.py", "PanelListing.objects.filter(listing_id=listing_id).update"),
        (
            "interchange/whole_file.py",
            "PanelMeeting.objects.filter(panel_meeting_id=meeting_id).update",
        ),
    ],
    "the one save and delete path": [
        ("common/services.py", "record.save"),
        ("common/services.py", "record.delete"),
    ],
    "the auditor cannot audit itself through save_record: the chain is the audit": [
        ("audit/chain.py", ANY),
        ("audit/models.py", ANY),
        ("audit/sealing.py", ANY),
    ],
    "staff accounts are Django's users and django-otp's devices, not register records; "
    "each function writes its own event (audit/tests/test_services_audited.py)": [
        ("accounts/services.py", ANY),
        ("accounts/two_factor.py", ANY),
    ],
    "sign-in throttling counts failures before anyone is signed in, and auditing each "
    "would let an attacker fill the trail; lock-outs are audited": [
        ("accounts/lockout.py", ANY),
    ],
    "erasure removes every row about a child under one event, and must not copy the "
    "values it destroys into the trail": [
        ("children/erasure.py", "Child.objects.filter(pk=child_pk).delete"),
        ("children/erasure.py", "rows.delete"),
    ],
    "erasing a person of concern past retention removes their rows under one event, and "
    "unhooks the subjects that named them, without copying what it destroys": [
        ("exploitation/retention.py", "PanelSubject.objects.filter(person=person).update"),
        (
            "exploitation/retention.py",
            "Disruption.objects.filter(subject_person=person).update",
        ),
        ("exploitation/retention.py", "rows.delete"),
        ("exploitation/retention.py", "Person.objects.filter(pk=person_pk).delete"),
    ],
    "a police file held between preview and confirmation holds children not yet matched, "
    "so its bytes never go into the trail; its functions audit receipt, discarding, "
    "recording and expiry": [
        ("missing/upload/files.py", "PoliceUpload.objects.create"),
        ("missing/upload/files.py", "PoliceUpload.objects.filter(uploaded_at__lt=cutoff).delete"),
        ("missing/upload/files.py", "upload.delete"),
        ("missing/upload/commit.py", "locked.delete"),
    ],
    "files, not rows: a workbook and a document written to a stream": [
        ("reports/formats.py", "book.save"),
        ("reports/pack.py", "document.save"),
        ("exploitation/pack_documents.py", "document.save"),
    ],
    "the API's rate limit counts a token's calls per minute in the database, so that every "
    "process counts the same calls; each call is audited as api.call already": [
        ("api/main.py", "ApiCallCount.objects.create"),
        ("api/main.py", "ApiCallCount.objects.filter(token=token, minute__lt=minute).delete"),
    ],
    "demo accounts for a training site, made by a management command": [
        ("demo/management/commands/demo_users.py", "user.save"),
    ],
}
ALLOWED = {site for sites in ALLOWED_BECAUSE.values() for site in sites}


def _application_modules() -> list[Path]:
    modules = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if "migrations" in parts or "tests" in parts or path.name == "conftest.py":
            continue
        if parts[0].startswith("tests_") or parts[0] == "browser_tests":
            continue
        modules.append(path)
    return modules


def _writes(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        receiver = ast.unparse(node.func.value)
        if name in WRITES or (
            name == "update" and any(hint in receiver for hint in QUERYSET_HINTS)
        ):
            found.append((ast.unparse(node.func), node.lineno))
    return found


def test_every_write_goes_through_the_save_path_or_is_listed_with_its_reason():
    unlisted = [
        f"harbour/{path.relative_to(ROOT)}:{line}: {call}(...)"
        for path in _application_modules()
        for call, line in _writes(path)
        if not _allowed(str(path.relative_to(ROOT)), call)
    ]
    assert unlisted == [], (
        "These write rows outside harbour/common/services.py. Write through save_record "
        "or delete_record, or list the call in ALLOWED_BECAUSE with the reason:\n"
        + "\n".join(unlisted)
    )


def _allowed(module: str, call: str) -> bool:
    return (module, call) in ALLOWED or (module, ANY) in ALLOWED


def test_the_list_holds_only_calls_that_still_exist():
    present = {
        (str(path.relative_to(ROOT)), call)
        for path in _application_modules()
        for call, _ in _writes(path)
    }
    modules = {module for module, _ in present}
    gone = [
        site
        for site in ALLOWED
        if (site[1] == ANY and site[0] not in modules) or (site[1] != ANY and site not in present)
    ]
    assert gone == []


def test_the_scan_finds_a_write_written_any_of_the_ways_it_looks_for(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "def f(episode, Episode, data):\n"
        "    episode.save()\n"
        "    Episode.objects.filter(pk=1).update(category='M')\n"
        "    Episode.objects.bulk_create([])\n"
        "    data.update(a=1)\n"
    )
    assert [call for call, _ in _writes(module)] == [
        "episode.save",
        "Episode.objects.filter(pk=1).update",
        "Episode.objects.bulk_create",
    ]
