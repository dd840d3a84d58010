"""The name keys stored on each child, by which matching finds its candidates in the
database: every name within one edit is found by them, and every writer keeps them in
step with the names."""

import datetime as dt
import importlib
import random

import pytest

from harbour.children import services
from harbour.children.models import Child
from harbour.children.names import keys_within_one_edit, name_key, stored_name_keys
from harbour.common.tests.factories import ChildFactory, make_staff
from harbour.interchange.importer import import_folder
from harbour.missing.matching import damerau_levenshtein, find_candidates

LETTERS = "abcdefghijklmnopqrstuvwxyz ?"


def _one_edit_from(key: str) -> set[str]:
    splits = [(key[:i], key[i:]) for i in range(len(key) + 1)]
    found = {head + tail[1:] for head, tail in splits if tail}
    found |= {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    found |= {head + c + tail[1:] for head, tail in splits if tail for c in LETTERS}
    found |= {head + c + tail for head, tail in splits for c in LETTERS}
    # A stored key never has a space at either end or two together (normalise).
    return {v for v in found if v and v == v.strip() and "  " not in v}


def _stored(key: str) -> set[str]:
    keys = stored_name_keys("x", key)
    return {keys["x_head"], keys["x_tail"], keys["x_gap"]} - {""}


def test_every_name_one_edit_away_shares_a_stored_key_with_the_name_looked_for():
    rng = random.Random(15)
    names = ["a", "al", "amy", "smith", "smtih", "o brien", "alexandra", "smith jones"]
    names += [
        "".join(rng.choice(LETTERS[:26]) for _ in range(rng.randint(1, 12))) for _ in range(40)
    ]
    for name in names:
        looked_for = keys_within_one_edit(name)
        for stored in _one_edit_from(name):
            assert damerau_levenshtein(name, stored) <= 1
            assert _stored(stored) & looked_for, (name, stored)


def test_name_keys_fold_accents_case_hyphens_and_letters_nfkd_keeps():
    assert name_key("  Zoë  Smith-Jones ") == "zoe smith jones"
    assert name_key("Søren") == "soren"
    assert name_key("Ŋoa") == "?oa"
    assert stored_name_keys("family", "Smith-Jones") == {
        "family_head": "11:smith",
        "family_tail": "11: jones",
        "family_gap": "11:smitjones",
        "family_first_word": "smith",
        "family_last_word": "jones",
    }


@pytest.mark.django_db
def test_a_name_changed_through_the_service_is_found_by_its_new_keys():
    coordinator = make_staff("COORDINATOR")
    child = ChildFactory(
        given_name="Alfred", family_name="Smith", date_of_birth=dt.date(2007, 3, 9)
    )
    services.update_child(
        coordinator, child, changes={"family_name": "Brook-Hale"}, version=child.version
    )
    child.refresh_from_db()
    assert (child.family_head, child.family_last_word) == ("10:brook", "hale")
    found = find_candidates(given_name="Alfred", family_name="Hale")
    assert [candidate.child for candidate in found] == [child]
    assert find_candidates(given_name="Alfred", family_name="Smith") == []


EPISODES = (
    "episode_id,child_id,category,started_at,reported_at,notified_at,ended_at,risk_level,"
    "found_location\n"
)
CHILDREN = """\
    child_id,given_name,family_name,date_of_birth,sex,ethnicity
    C1,Alfred,{family},2005-02-28,F,WBRI
    """


@pytest.mark.django_db
def test_names_imported_and_changed_by_an_import_are_found_by_their_keys(write_folder):
    assert import_folder(
        write_folder({"children.csv": CHILDREN.format(family="Smith"), "episodes.csv": EPISODES})
    ).ok
    assert [
        c.child.child_id for c in find_candidates(given_name="Alfred", family_name="Xmith")
    ] == ["C1"]
    assert import_folder(
        write_folder({"children.csv": CHILDREN.format(family="Jones"), "episodes.csv": EPISODES})
    ).ok
    assert Child.objects.get().family_head == "5:jo"
    assert [
        c.child.child_id for c in find_candidates(given_name="Alfred", family_name="Xones")
    ] == ["C1"]
    assert find_candidates(given_name="Alfred", family_name="Smith") == []


@pytest.mark.django_db
def test_the_migration_fills_the_keys_of_children_already_on_the_register():
    from django.apps import apps

    child = ChildFactory(given_name="Alfred", family_name="Smith")
    Child.objects.update(family_head="", family_tail="", family_gap="", given_head="")
    migration = importlib.import_module("harbour.children.migrations.0005_name_keys_for_matching")
    migration.fill_name_keys(apps, None)
    child.refresh_from_db()
    assert (child.family_head, child.given_head) == ("5:sm", "6:alf")
