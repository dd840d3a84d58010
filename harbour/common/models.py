from collections.abc import Mapping
from typing import Any

from django.db import models

from .constraints import FieldRuleConstraints


class Record(FieldRuleConstraints, models.Model):
    """A register record. Facts that depend only on the record's own fields may be stored
    when it is written; `derive` computes them, once, for the services and the importer.
    A broken check constraint is reported on its field (harbour/common/constraints.py)."""

    class Meta:
        abstract = True

    @classmethod
    def derive(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Stored derived fields from the record's own field values (by field name)."""
        return {}

    def refresh_derived(self) -> None:
        for name, value in self.derive(vars(self)).items():
            setattr(self, name, value)
