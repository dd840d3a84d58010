from collections.abc import Mapping, Sequence
from typing import Any

from django.db import models

from .constraints import FieldRuleConstraints


class Record(FieldRuleConstraints, models.Model):
    """A register record. Facts that depend only on the record's own fields may be stored
    when it is written; `derive_columns` computes them, once, for the services (a record
    at a time, through `derive`) and the importer (a batch of records at a time).
    A broken check constraint is reported on its field (harbour/common/constraints.py)."""

    class Meta:
        abstract = True

    @classmethod
    def derive_columns(cls, columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
        """Stored derived fields of several records, from their own field values given
        column by column (by field name): each derived field's values, in the same order."""
        return {}

    @classmethod
    def derive(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Stored derived fields from one record's own field values (by field name)."""
        derived = cls.derive_columns({name: (value,) for name, value in values.items()})
        return {name: column[0] for name, column in derived.items()}

    def refresh_derived(self) -> None:
        for name, value in self.derive(vars(self)).items():
            setattr(self, name, value)
