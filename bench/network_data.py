"""Benchmark data for the network view (issue 13: "the network of a child with 200 links
renders in under 300 ms at the benchmark's scale"; docs/exploitation/network.md).

`build_child_with_links(links=200)` gives one child `links` links, to invented persons,
places (a found-at place for each of the child's episodes, as far as they go) and groups,
each of them also linked to `fan_out` other children, so that the network has `links`
records one step away and about `links * fan_out` children two steps away. Written in bulk
(a few queries, not one per row); run again, it finds what it made and returns the same
child. Everything it makes is invented and carries the reference prefix BENCHNET.
"""

from __future__ import annotations

from django.db import transaction

from harbour.children.models import Child
from harbour.exploitation.models import (
    Group,
    GroupMember,
    Person,
    PersonChildLink,
    Place,
    PlaceChildLink,
)
from harbour.missing.matching import normalise
from harbour.missing.models import Episode

PREFIX = "BENCHNET"
_GIVEN = ("Arlo", "Brin", "Corin", "Dace", "Elden", "Fenn", "Garrow", "Hale")
_FAMILY = ("Harrowgate", "Ilsworth", "Jexley", "Kelmscott", "Lorrow", "Mabry")


def build_child_with_links(links: int = 200, fan_out: int = 3, child: Child | None = None) -> Child:
    """The child with `links` links (the first child by key unless one is given)."""
    first = Person.objects.filter(person_id=f"{PREFIX}-P00001").first()
    if first is not None:
        made = PersonChildLink.objects.filter(person=first).order_by("pk").first()
        assert made is not None
        return made.child
    child = child or Child.objects.order_by("pk").first()
    if child is None:
        raise ValueError("No child to link: import or make some children first.")
    persons = links * 2 // 5
    places = links * 7 // 20
    groups = links - persons - places
    others = list(
        Child.objects.exclude(pk=child.pk)
        .order_by("pk")
        .values_list("pk", flat=True)[: links * fan_out]
    )
    episodes = list(
        Episode.objects.filter(child=child, found_at_place__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:places]
    )

    turns = min(fan_out, len(others))

    def other(number: int, turn: int) -> int:
        """The `turn`th other child of the `number`th person, place or group (all three
        numbered in one sequence, so that each has children of its own while they last)."""
        return others[(number * fan_out + turn) % len(others)]

    with transaction.atomic():
        made_persons = Person.objects.bulk_create(
            Person(
                person_id=f"{PREFIX}-P{n + 1:05d}",
                given_name=_GIVEN[n % len(_GIVEN)],
                family_name=_FAMILY[n % len(_FAMILY)],
            )
            for n in range(persons)
        )
        made_places = Place.objects.bulk_create(
            Place(
                place_id=f"{PREFIX}-L{n + 1:05d}",
                name=f"Benchmark takeaway {n + 1}",
                normalised_name=normalise(f"Benchmark takeaway {n + 1}"),
                type="TAKEAWAY",
            )
            for n in range(places)
        )
        made_groups = Group.objects.bulk_create(
            Group(group_id=f"{PREFIX}-G{n + 1:05d}", label=f"Benchmark group {n + 1}", type="OCG")
            for n in range(groups)
        )
        link = {"source": "POLICE", "confidence": "REPORTED"}
        PersonChildLink.objects.bulk_create(
            [
                PersonChildLink(person=person, child=child, relationship="EXPLOITER", **link)
                for person in made_persons
            ]
            + [
                PersonChildLink(
                    person=person, child_id=other(n, turn), relationship="ASSOCIATE", **link
                )
                for n, person in enumerate(made_persons)
                for turn in range(turns)
            ]
        )
        PlaceChildLink.objects.bulk_create(
            [
                PlaceChildLink(
                    place=place,
                    child=child,
                    kind="FOUND_AT" if n < len(episodes) else "FREQUENTS",
                    episode_id=episodes[n] if n < len(episodes) else None,
                    **link,
                )
                for n, place in enumerate(made_places)
            ]
            + [
                PlaceChildLink(
                    place=place, child_id=other(persons + n, turn), kind="FREQUENTS", **link
                )
                for n, place in enumerate(made_places)
                for turn in range(turns)
            ]
        )
        GroupMember.objects.bulk_create(
            [GroupMember(group=group, child=child, **link) for group in made_groups]
            + [
                GroupMember(group=group, child_id=other(persons + places + n, turn), **link)
                for n, group in enumerate(made_groups)
                for turn in range(turns)
            ]
        )
    return child
