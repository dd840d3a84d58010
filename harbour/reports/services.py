"""Writes to the reference data behind the report rates. Every change goes through here."""

from harbour.audit.services import Actor
from harbour.common.services import delete_record, save_record

from .models import ChildPopulation, ComparatorRate


def save_child_population(actor: Actor, population: ChildPopulation) -> ChildPopulation:
    return save_record(actor, population)


def delete_child_population(actor: Actor, population: ChildPopulation) -> None:
    delete_record(actor, population)


def save_comparator_rate(actor: Actor, rate: ComparatorRate) -> ComparatorRate:
    return save_record(actor, rate)


def delete_comparator_rate(actor: Actor, rate: ComparatorRate) -> None:
    delete_record(actor, rate)
