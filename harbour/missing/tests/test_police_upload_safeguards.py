"""The police upload's safeguards: a reference recorded for another child, or for a child
the coordinator cannot see, is a problem, never "already recorded"; restricted children
are refused and audited as such; overlapping episodes are listed when the file is
recorded; no new child is chosen for the coordinator; a register changed between the
preview and the confirmation refuses the file; every error in a summary links to
something on the page."""

import datetime as dt
import re

import pytest

from harbour.audit.models import AuditEvent
from harbour.common.services import Conflict
from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.common.time import UTC
from harbour.missing.models import ColumnMapping, Episode, PoliceForce, PoliceUpload
from harbour.missing.upload.commit import CommitRefused, commit
from harbour.missing.upload.files import receive
from harbour.missing.upload.mappings import save_mapping
from harbour.missing.upload.preview import build_preview

from .test_police_upload import NORTHSHIRE, csv_of, row

NOW = dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]
DIFFERENT = (
    "Row 2, column 'Crime Ref': police reference NSP-1 is already recorded for a different "
    "child. Check the reference."
)


@pytest.fixture
def user(client_as):
    return client_as("COORDINATOR")


@pytest.fixture
def northshire():
    force = PoliceForce.objects.create(name="Northshire Police", code="NSP")
    save_mapping("test", force, version=None, **NORTHSHIRE)
    return force


def held(user, force, *lines):
    return receive(user, force, csv_of(*lines).encode())


def preview_of(user, force, *lines):
    return build_preview(held(user, force, *lines), user)


def offered(upload, user):
    preview = build_preview(upload, user)
    return {r.number: r.offered() for r in preview.of("ready")}


def posted(upload, user, **answers):
    data = {"mapping_version": str(upload.force.mapping.version)}
    data.update({f"offered-{n}": digest for n, digest in offered(upload, user).items()})
    data.update({name.replace("_", "-"): value for name, value in answers.items()})
    return data


def summary_hrefs_have_targets(body):
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S)
    assert summary, "no error summary"
    hrefs = re.findall(r'href="#([^"]+)"', summary.group(0))
    assert hrefs
    for target in hrefs:
        assert f'id="{target}"' in body, f"#{target} has no target"


# 1. A reference already recorded, for whom.


def test_a_reference_recorded_for_another_child_is_a_problem_not_already_recorded(user, northshire):
    other = ChildFactory(child_id="P-OTHER", given_name="Other", family_name="Child")
    EpisodeFactory(child=other, episode_id="NSP-1")
    preview = preview_of(user, northshire, row(ref="NSP-1", person="P-ROW"))
    (only,) = preview.rows
    assert only.status == "problem" and only.recorded_episode is None
    assert [str(problem) for problem in only.problems] == [DIFFERENT]
    assert other.pk not in preview.children_shown()


def test_without_a_person_id_the_name_and_birth_decide_whether_it_is_the_same_child(
    user, northshire
):
    ada = ChildFactory(
        child_id="P-ADA",
        given_name="Ada",
        family_name="Amberley",
        date_of_birth=dt.date(2012, 6, 15),
    )
    EpisodeFactory(child=ada, episode_id="NSP-1")
    EpisodeFactory(child=ada, episode_id="NSP-2", started_at=NOW - dt.timedelta(days=40))
    preview = preview_of(
        user,
        northshire,
        row(ref="NSP-1", given="Ada", family="Amberley", dob="15/06/2012"),
        row(ref="NSP-2", given="Bartholomew", family="Quince", dob="01/01/2011"),
    )
    same, different = preview.rows
    assert same.status == "recorded" and same.recorded_episode.child_id == ada.pk
    assert different.status == "problem"
    assert str(different.problems[0]) == DIFFERENT.replace("Row 2", "Row 3").replace(
        "NSP-1", "NSP-2"
    )


def test_a_reference_recorded_for_a_restricted_child_is_neither_linked_nor_shown(
    client, user, northshire
):
    secret = ChildFactory(
        child_id="P-SECRET", given_name="Hidden", family_name="Person", restricted=True
    )
    episode = EpisodeFactory(child=secret, episode_id="NSP-1")
    upload = held(user, northshire, row(ref="NSP-1", given="Hidden", family="Person"))
    response = client.get(f"/episodes/upload/{upload.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "is already recorded for a different child. Check the reference." in body
    assert f"/episodes/{episode.pk}/" not in body
    previewed = AuditEvent.objects.get(action="missing.police_upload_previewed")
    assert secret.pk not in previewed.child_pks
    refused = AuditEvent.objects.get(action="children.restricted_refused")
    assert refused.child_pks == [secret.pk]
    assert refused.details == {"path": f"/episodes/upload/{upload.pk}/"}


def test_already_recorded_says_what_differs_instead_of_claiming_no_change(client, user, northshire):
    ada = ChildFactory(child_id="P-ADA")
    EpisodeFactory(child=ada, episode_id="NSP-1", risk_level="LOW", category="MISSING")
    upload = held(user, northshire, row(ref="NSP-1", person="P-ADA", risk="High"))
    (only,) = build_preview(upload, user).rows
    assert only.status == "recorded"
    assert only.differences == [
        "risk grade differs: recorded Low, extract High — amend the episode to change it"
    ]
    body = client.get(f"/episodes/upload/{upload.pk}/").content.decode()
    assert "no change" not in body
    assert "Already recorded: this row is not recorded again" in body
    assert "Risk grade differs: recorded Low, extract High" in body


# 2. Overlapping episodes.


def test_episodes_overlapping_the_ones_recorded_are_listed_with_links(client, user, northshire):
    ada = ChildFactory(child_id="P-ADA")
    earlier = EpisodeFactory(
        child=ada,
        episode_id="NSP-EARLIER",
        started_at=NOW - dt.timedelta(hours=40),
        ended_at=NOW - dt.timedelta(hours=2),
    )
    upload = held(user, northshire, row(ref="NSP-1", person="P-ADA", seen="01/11/2026 21:15"))
    preview = build_preview(upload, user)
    result = commit(
        user,
        upload,
        choices={2: f"child:{ada.pk}"},
        sexes={},
        mapping_version=preview.mapping.version,
        offered={2: preview.rows[0].offered()},
    )
    recorded = Episode.objects.get(episode_id="NSP-1")
    assert result.overlapping == [{"rows": [2], "episode": recorded.pk, "others": [earlier.pk]}]

    upload = held(user, northshire, row(ref="NSP-2", person="P-ADA", seen="01/11/2026 22:15"))
    response = client.post(
        f"/episodes/upload/{upload.pk}/", posted(upload, user, row_2=f"child:{ada.pk}")
    )
    assert response["Location"] == "/episodes/upload/recorded/"
    body = client.get("/episodes/upload/recorded/").content.decode()
    second = Episode.objects.filter(child=ada).get(references__reference="NSP-2")
    assert "overlaps" in body
    assert f'href="/episodes/{second.pk}/"' in body
    assert f'href="/episodes/{earlier.pk}/"' in body


# 3. No new child chosen for the coordinator; the register changed meanwhile.


def test_no_new_child_is_chosen_for_the_coordinator(client, user, northshire):
    known = ChildFactory(child_id="P-KNOWN")
    upload = held(
        user,
        northshire,
        row(ref="NSP-1", given="Nobody", family="Known", person="P-NEW"),
        row(ref="NSP-2", person="P-KNOWN"),
    )
    new, exact = build_preview(upload, user).rows
    assert new.match == "none" and new.default_choice() == ""
    assert exact.default_choice() == f"child:{known.pk}"
    body = client.get(f"/episodes/upload/{upload.pk}/").content.decode()
    assert 'value="new" checked' not in body
    assert f'value="child:{known.pk}" aria-describedby="row-3-hint" checked' in body


def test_a_register_changed_between_preview_and_confirmation_refuses_the_file(user, northshire):
    upload = held(user, northshire, row(ref="NSP-1", given="Ada", family="Amberley", person="P-1"))
    before = build_preview(upload, user)
    assert before.rows[0].match == "none"
    # Someone registers a child this row may be about while the coordinator reads.
    ChildFactory(
        child_id="P-2", given_name="Ada", family_name="Amberley", date_of_birth=dt.date(2012, 6, 15)
    )
    with pytest.raises(CommitRefused) as refused:
        commit(
            user,
            upload,
            choices={2: "new"},
            sexes={},
            mapping_version=before.mapping.version,
            offered={2: before.rows[0].offered()},
        )
    assert refused.value.problems == [
        "Someone changed the register while you were checking this file: check the rows "
        "again. Nothing has been saved."
    ]
    assert not Episode.objects.exists()
    assert PoliceUpload.objects.filter(pk=upload.pk).exists()


def test_a_child_offered_whose_record_changed_meanwhile_refuses_the_file(user, northshire):
    alfred = ChildFactory(
        child_id="P-3", given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2010, 9, 3)
    )
    upload = held(
        user, northshire, row(ref="NSP-1", given="Alfie", family="Smith", dob="03/09/2010")
    )
    before = build_preview(upload, user)
    assert [c.child for c in before.rows[0].candidates] == [alfred]
    alfred.given_name = "Alfie"
    alfred.save()
    with pytest.raises(CommitRefused, match="Someone changed the register"):
        commit(
            user,
            upload,
            choices={2: f"child:{alfred.pk}"},
            sexes={},
            mapping_version=before.mapping.version,
            offered={2: before.rows[0].offered()},
        )
    assert not Episode.objects.exists()


def test_the_page_refuses_answers_given_to_a_register_since_changed(client, user, northshire):
    upload = held(user, northshire, row(ref="NSP-1", given="Ada", family="Amberley", person="P-1"))
    data = posted(upload, user, row_2="new")
    ChildFactory(
        child_id="P-2", given_name="Ada", family_name="Amberley", date_of_birth=dt.date(2012, 6, 15)
    )
    response = client.post(f"/episodes/upload/{upload.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Someone changed the register while you were checking this file" in body
    # The changed row must be answered again.
    assert 'value="new" checked' not in body
    summary_hrefs_have_targets(body)
    assert not Episode.objects.exists()


# 4. A restricted person id.


def test_a_row_refused_for_a_restricted_person_id_is_audited_as_refused(client, user, northshire):
    secret = ChildFactory(child_id="P-SECRET", restricted=True)
    upload = held(user, northshire, row(ref="NSP-1", person="P-SECRET"))
    body = client.get(f"/episodes/upload/{upload.pk}/").content.decode()
    assert "record is restricted and not open to you" in body
    refused = AuditEvent.objects.get(action="children.restricted_refused")
    assert refused.child_pks == [secret.pk]
    assert (
        secret.pk not in AuditEvent.objects.get(action="missing.police_upload_previewed").child_pks
    )


# 5. Errors named and linked; the first mapping saved twice at once.


def test_a_missing_mapping_version_is_named_and_linked(client, user, northshire):
    upload = held(user, northshire, row(ref="NSP-1", person="P-1"))
    data = posted(upload, user, row_2="skip")
    del data["mapping_version"]
    response = client.post(f"/episodes/upload/{upload.pk}/", data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Check the rows and record them again" in body
    summary_hrefs_have_targets(body)
    assert PoliceUpload.objects.filter(pk=upload.pk).exists()


def test_a_tampered_mapping_form_version_is_named_and_linked(client, user, northshire):
    upload = held(user, northshire, row(ref="NSP-1"))
    response = client.post(f"/episodes/upload/{upload.pk}/mapping/", {"version": "x"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Reload this page" in body
    summary_hrefs_have_targets(body)


def test_two_first_mappings_saved_at_once_give_a_conflict_not_an_error(user, monkeypatch):
    force = PoliceForce.objects.create(name="Westmarch Police", code="WMX")
    save_mapping("someone else", force, version=None, **NORTHSHIRE)
    # As if the other coordinator's mapping was saved between our look and our insert.
    monkeypatch.setattr("harbour.missing.upload.mappings._locked_mapping", lambda force: None)
    with pytest.raises(Conflict):
        save_mapping(user, force, version=None, **NORTHSHIRE)
    assert ColumnMapping.objects.get(force=force).version == 1


# 6. One preview per request.


def test_recording_reads_the_file_and_matches_once(client, user, northshire, monkeypatch):
    ada = ChildFactory(child_id="P-ADA")
    upload = held(user, northshire, row(ref="NSP-1", person="P-ADA"))
    data = posted(upload, user, row_2=f"child:{ada.pk}")
    calls = []
    original = build_preview

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    # Both places that could read the file: the page, and recording when not given it.
    monkeypatch.setattr("harbour.missing.upload.views.build_preview", counted)
    monkeypatch.setattr("harbour.missing.upload.commit.build_preview", counted)
    response = client.post(f"/episodes/upload/{upload.pk}/", data)
    assert response["Location"] == "/episodes/upload/recorded/"
    assert len(calls) == 1
