"""Matching a police notification to a child: certain matches first, then likely ones,
ranked, each with the reasons it matched."""

import datetime as dt

import pytest

from harbour.common.tests.factories import ChildFactory, EpisodeFactory
from harbour.missing.matching import damerau_levenshtein, find_candidates, normalise
from harbour.missing.services import record_notification

pytestmark = pytest.mark.django_db

BORN = dt.date(2007, 3, 9)


def match(given="Alfred", family="Smith", born=BORN, **kwargs):
    return find_candidates(
        police_reference=kwargs.get("police_reference", ""),
        child_id=kwargs.get("child_id", ""),
        given_name=given,
        family_name=family,
        date_of_birth=born,
    )


@pytest.fixture
def alfred():
    return ChildFactory(
        child_id="P-1", given_name="Alfred", family_name="Smith", date_of_birth=BORN
    )


def test_names_are_compared_without_accents_case_or_hyphens():
    assert normalise("  Zoë  Smith-Jones ") == "zoe smith jones"
    assert damerau_levenshtein("smtih", "smith") == 1
    assert damerau_levenshtein("smth", "smith") == 1
    assert damerau_levenshtein("smyth", "smith") == 1
    assert damerau_levenshtein("smiths", "smith") == 1
    assert damerau_levenshtein("jones", "smith") == 5


def test_a_known_police_reference_is_certain(alfred):
    EpisodeFactory(child=alfred, episode_id="NWP-1")
    (candidate,) = match("Someone", "Else", None, police_reference="NWP-1")
    assert candidate.child == alfred
    assert candidate.score == 100
    assert "already recorded" in candidate.reasons[0]


def test_a_reference_merged_into_an_episode_is_certain_too(alfred):
    result = record_notification(
        "test",
        child=alfred,
        police_reference="NWP-1",
        category="MISSING",
        started_at=dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC),
    )
    record_notification(
        "test",
        child=alfred,
        police_reference="NWP-2",
        category="MISSING",
        started_at=dt.datetime(2024, 1, 1, 13, tzinfo=dt.UTC),
    )
    assert result.episode.references.count() == 2
    (candidate,) = match("X", "Y", None, police_reference="NWP-2")
    assert candidate.child == alfred and candidate.score == 100


def test_an_exact_person_id_is_certain(alfred):
    (candidate,) = match("Nobody", "Known", None, child_id="p-1")
    assert (candidate.child, candidate.score, candidate.reasons) == (
        alfred,
        100,
        ["Same person id"],
    )


def test_the_same_name_and_date_of_birth_match_best_short_of_certain(alfred):
    (candidate,) = match()
    assert candidate.child == alfred
    assert 90 <= candidate.score < 100
    assert candidate.reasons == ["Same date of birth", "Same family name", "Same given name"]


def test_a_transposed_letter_in_the_family_name_matches(alfred):
    (candidate,) = match(family="Smtih")
    assert "Family name differs by one letter (Smtih / Smith)" in candidate.reasons


def test_a_missing_letter_in_the_given_name_matches(alfred):
    (candidate,) = match(given="Alfrd")
    assert "Given name differs by one letter (Alfrd / Alfred)" in candidate.reasons


def test_given_and_family_names_swapped_match(alfred):
    (candidate,) = match(given="Smith", family="Alfred")
    assert candidate.reasons[:2] == ["Same date of birth", "Given and family names swapped"]


def test_a_double_barrelled_family_name_given_in_part_matches():
    child = ChildFactory(given_name="Amy", family_name="Smith-Jones", date_of_birth=BORN)
    (candidate,) = match(given="Amy", family="Jones")
    assert candidate.child == child
    assert "Double-barrelled family name: Jones matches Smith-Jones" in candidate.reasons


def test_a_hyphen_given_as_a_space_is_the_same_name():
    child = ChildFactory(given_name="Amy", family_name="Smith-Jones", date_of_birth=BORN)
    (candidate,) = match(given="Amy", family="Smith Jones")
    assert candidate.child == child
    assert "Same family name (Smith Jones / Smith-Jones)" in candidate.reasons


def test_accents_are_ignored():
    child = ChildFactory(given_name="Zoë", family_name="Brook", date_of_birth=BORN)
    (candidate,) = match(given="Zoe", family="Brook")
    assert candidate.child == child
    assert "Zoe matches Zoë (accents)" in candidate.reasons


def test_a_known_nickname_matches(alfred):
    (candidate,) = match(given="Alfie")
    assert "Known nickname: Alfie for Alfred" in candidate.reasons


def test_a_missing_date_of_birth_still_matches_on_names(alfred):
    (candidate,) = match(born=None)
    assert candidate.child == alfred
    assert "No date of birth in the notification" in candidate.reasons
    assert candidate.score < match()[0].score


def test_day_and_month_swapped_in_the_date_of_birth_matches(alfred):
    (candidate,) = match(born=dt.date(2007, 9, 3))
    assert "Day and month swapped in the date of birth" in candidate.reasons


def test_a_different_date_of_birth_does_not_match(alfred):
    assert match(born=dt.date(2008, 3, 9)) == []


def test_a_sibling_with_another_given_name_does_not_match(alfred):
    assert match(given="Bethany") == []


def test_no_one_matches_a_stranger(alfred):
    assert match(given="Quentin", family="Zebedee", born=dt.date(2010, 1, 1)) == []


def test_several_candidates_are_ranked_best_first():
    exact = ChildFactory(
        child_id="P-2", given_name="Alfred", family_name="Smith", date_of_birth=BORN
    )
    nickname = ChildFactory(
        child_id="P-1", given_name="Alfie", family_name="Smyth", date_of_birth=dt.date(2007, 9, 3)
    )
    candidates = match()
    assert [candidate.child for candidate in candidates] == [exact, nickname]
    assert candidates[0].score > candidates[1].score
    assert candidates[1].reasons == [
        "Day and month swapped in the date of birth",
        "Family name differs by one letter (Smith / Smyth)",
        "Known nickname: Alfred for Alfie",
    ]


def test_candidates_are_found_among_the_children_given(alfred):
    from harbour.children.models import Child

    assert (
        find_candidates(
            given_name="Alfred",
            family_name="Smith",
            date_of_birth=BORN,
            children=Child.objects.exclude(pk=alfred.pk),
        )
        == []
    )


def test_the_search_is_narrowed_in_the_database(django_assert_max_num_queries):
    ChildFactory.create_batch(20, family_name="Unrelated", date_of_birth=dt.date(2001, 1, 1))
    alfred = ChildFactory(given_name="Alfred", family_name="Smith", date_of_birth=BORN)
    from harbour.missing import matching

    narrowing = matching.Narrowing.of("Smith", BORN, "Alfred")
    fetched = list(matching.Child.objects.filter(narrowing.q()))
    assert fetched == [alfred]
    assert [child for child in matching.Child.objects.all() if narrowing.admits(child)] == [alfred]
    with django_assert_max_num_queries(3):
        match()


def test_without_a_date_of_birth_both_names_narrow_the_search():
    from harbour.missing import matching

    elsewhere = dt.date(2001, 1, 1)
    william = ChildFactory(given_name="William", family_name="Smyth", date_of_birth=elsewhere)
    ChildFactory(given_name="Keira", family_name="Smith", date_of_birth=elsewhere)
    ChildFactory(given_name="Bella", family_name="Jones", date_of_birth=elsewhere)
    # Names swapped (given Smith, family one letter from Billy) is fetched; the same
    # initials alone (Bobby, two letters from Billy) are not: they could never match.
    swapped = ChildFactory(given_name="Smith", family_name="Billey", date_of_birth=elsewhere)
    ChildFactory(given_name="Smith", family_name="Bobby", date_of_birth=elsewhere)

    narrowing = matching.Narrowing.of("Smith", None, "Billy")
    fetched = set(matching.Child.objects.filter(narrowing.q()))

    # Billy is a known nickname for William.
    assert fetched == {william, swapped}
    assert {c for c in matching.Child.objects.all() if narrowing.admits(c)} == fetched
    found = matching.candidate_ids([narrowing, matching.Narrowing.of("Jones", None, "Bella")])
    assert sorted(found) == sorted(
        [(0, william.pk), (0, swapped.pk)]
        + [(1, child.pk) for child in matching.Child.objects.filter(family_name="Jones")]
    )


ELSEWHERE = dt.date(2001, 1, 1)


def test_a_mistyped_first_letter_of_the_family_name_is_found_by_the_given_name(alfred):
    (candidate,) = match(family="Xmith", born=None)
    assert candidate.child == alfred
    assert "Family name differs by one letter (Xmith / Smith)" in candidate.reasons
    # A letter added before it, or the first letter left out, the same.
    assert [c.child for c in match(family="Asmith", born=None)] == [alfred]
    assert [c.child for c in match(family="Mith", born=None)] == [alfred]


def test_a_mistyped_first_letter_of_the_family_name_is_found_by_the_date_of_birth(alfred):
    (candidate,) = match(given="Alfie", family="Dmith")
    assert candidate.child == alfred
    assert candidate.reasons[0] == "Same date of birth"


def test_a_mistyped_first_letter_of_the_family_name_is_found_by_the_person_id(alfred):
    (candidate,) = match(family="Dmith", born=ELSEWHERE, child_id="P-1")
    assert (candidate.child, candidate.score) == (alfred, 100)


def test_a_person_id_is_found_in_any_case():
    child = ChildFactory(child_id="Abc-123")
    assert [c.child for c in match("X", "Y", None, child_id="aBC-123")] == [child]


def test_a_part_of_a_double_given_name_matches_either_part():
    child = ChildFactory(given_name="Amy-Louise", family_name="Brook", date_of_birth=ELSEWHERE)
    for given in ("Amy", "Louise", "Louise Amy"):
        (candidate,) = match(given=given, family="Brook", born=None)
        assert candidate.child == child


def test_a_name_with_a_letter_accents_do_not_cover_matches_its_plain_spelling():
    child = ChildFactory(given_name="Søren", family_name="Brook", date_of_birth=ELSEWHERE)
    (candidate,) = match(given="Soren", family="Brook", born=None)
    assert candidate.child == child


def test_the_queries_for_one_match_do_not_grow_with_the_register(
    alfred, django_assert_max_num_queries
):
    ChildFactory.create_batch(30, given_name="Alfred", family_name="Smyth", date_of_birth=BORN)
    with django_assert_max_num_queries(2):
        found = match(family="Xmith", born=None)
    assert len(found) == 1
    with django_assert_max_num_queries(2):
        assert len(match(family="Smith")) == 31


def test_the_middle_of_three_given_names_is_found_by_the_date_of_birth_only():
    child = ChildFactory(given_name="Amy Rose Louise", family_name="Brook", date_of_birth=BORN)
    (candidate,) = match(given="Rose", family="Brook")
    assert candidate.child == child
    assert "Double given name: Rose matches Amy Rose Louise" in candidate.reasons
    # Without the date of birth the keys (first and last words) do not find it.
    assert match(given="Rose", family="Brook", born=None) == []


def test_the_set_based_lookup_finds_the_children_each_notification_selects():
    """candidate_ids (many notifications' keys as tables, joined against the key indexes)
    finds exactly the children Narrowing.q() selects for each notification on its own."""
    import random

    from harbour.children.models import Child
    from harbour.missing import matching

    rng = random.Random(15)
    given = ["Alfred", "Alfie", "William", "Billy", "Zoë", "Amy Rose", "Jo", "Ann-Marie", "Smith"]
    family = ["Smith", "Smyth", "Smiht", "Xmith", "Smith-Jones", "Jones", "O'Neil", "Li", "Ng"]
    births = [BORN, dt.date(2007, 9, 3), dt.date(2008, 1, 1)]
    for number in range(120):
        ChildFactory(
            child_id=f"S-{number}",
            given_name=rng.choice(given),
            family_name=rng.choice(family),
            date_of_birth=rng.choice(births),
        )
    narrowings = [
        matching.Narrowing.of("Smith", BORN, "Alfred"),
        matching.Narrowing.of("Smtih", None, "Alfie"),
        matching.Narrowing.of("Jones", None, "Smith"),  # names swapped
        matching.Narrowing.of("Smith Jones", dt.date(2007, 3, 9), "Bill"),
        matching.Narrowing.of("Smith", None, "Billy"),  # a nickname
        matching.Narrowing.of("Neil", None, "Zoe"),
        matching.Narrowing.of("Lee", dt.date(2008, 1, 1), "Jo"),
        matching.Narrowing.of("Smith", None),  # no given name: the family name alone
        matching.Narrowing.of("", dt.date(2007, 9, 3)),  # a date of birth alone
        matching.Narrowing.of("Quentinus", None, "Zebedee"),  # no one
    ]
    one_by_one = {
        (number, pk)
        for number, narrowing in enumerate(narrowings)
        for pk in Child.objects.filter(narrowing.q()).values_list("pk", flat=True)
    }
    assert len({number for number, _ in one_by_one}) == len(narrowings) - 1
    found = matching.candidate_ids(narrowings)
    assert len(found) == len(set(found))
    assert set(found) == one_by_one
    # One narrowing at a time, the same.
    assert {
        (number, pk)
        for number, narrowing in enumerate(narrowings)
        for _, pk in matching.candidate_ids([narrowing])
    } == one_by_one
    assert matching.candidate_ids([]) == []
