from django.db import models
from django.db.models import Q

from harbour.common.models import Record


class ChildPopulation(Record):
    """The authority's child population (aged 0 to 17) for a financial year, the
    denominator of the rates per 10,000 children."""

    financial_year = models.PositiveSmallIntegerField(
        unique=True, help_text="The financial year's first calendar year (2019 for 2019/20)."
    )
    population = models.PositiveIntegerField()

    class Meta:
        ordering = ["financial_year"]
        constraints = [
            models.CheckConstraint(condition=Q(population__gt=0), name="population_positive")
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}: {self.population}"


class ComparatorRate(Record):
    """A published rate to compare with (England, statistical neighbours) for a year."""

    class Area(models.TextChoices):
        ENGLAND = "ENGLAND", "England"
        STATISTICAL_NEIGHBOURS = "STATISTICAL_NEIGHBOURS", "Statistical neighbours"

    financial_year = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=22, choices=Area)
    episodes_per_10k = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    individuals_per_10k = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["financial_year", "area"]
        constraints = [
            models.UniqueConstraint(fields=["financial_year", "area"], name="comparator_key")
        ]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.area}"
