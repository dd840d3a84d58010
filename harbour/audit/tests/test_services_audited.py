"""Every service that writes a record writes an audit event: each save_* and delete_*
function in harbour/*/services.py, found by name, so a new one is covered as it appears."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db.models import Model

import harbour
from harbour.audit import services as auditor
from harbour.audit.models import AuditEvent
from harbour.authorities.models import LocalAuthority
from harbour.children.models import Child, LegalStatus
from harbour.common.models import Record
from harbour.common.tests import factories
from harbour.exploitation.models import ClosureDay, PanelListing, Referral, RiskAssessment
from harbour.interviews.models import ReturnInterview
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode
from harbour.reports.models import ChildPopulation, ComparatorRate

pytestmark = pytest.mark.django_db

FACTORIES: dict[type[Model], type[factories.DerivedFieldsFactory[typing.Any]]] = {
    Child: factories.ChildFactory,
    LegalStatus: factories.LegalStatusFactory,
    Episode: factories.EpisodeFactory,
    ReturnInterview: factories.ReturnInterviewFactory,
    Meeting: factories.MeetingFactory,
    Referral: factories.ReferralFactory,
    RiskAssessment: factories.RiskAssessmentFactory,
    PanelListing: factories.PanelListingFactory,
}

REFERENCE_DATA = {
    LocalAuthority: lambda: LocalAuthority(code="998", name="Example Shire Council"),
    ChildPopulation: lambda: ChildPopulation(financial_year=2019, population=60000),
    # An upcoming day: a closure day that has passed cannot be removed.
    ClosureDay: lambda: ClosureDay(date=dt.date(2099, 1, 2), description="Training day"),
    ComparatorRate: lambda: ComparatorRate(
        financial_year=2019, area="ENGLAND", episodes_per_10k=Decimal("12.5")
    ),
}


def record_services() -> list[tuple[str, Callable]]:
    found = []
    for module_info in pkgutil.iter_modules(harbour.__path__):
        if module_info.name in ("audit", "common"):
            continue
        try:
            package = importlib.import_module(f"harbour.{module_info.name}.services")
        except ModuleNotFoundError:
            continue
        # An app with many services keeps them in a package of modules (exploitation).
        modules = [package] + [
            importlib.import_module(f"{package.__name__}.{sub.name}")
            for sub in pkgutil.iter_modules(getattr(package, "__path__", []))
        ]
        for module in modules:
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if function.__module__ == module.__name__ and name.startswith(("save_", "delete_")):
                    found.append((f"{module_info.name}.{name}", function))
    return sorted(found, key=lambda item: item[0])


SERVICES = record_services()


def model_of(function: Callable) -> type[Record]:
    hints = typing.get_type_hints(function)
    parameter = list(inspect.signature(function).parameters)[1]
    return hints[parameter]


def new_record(model: type[Model]) -> Model:
    """An unsaved record with saved parents."""
    if model in REFERENCE_DATA:
        return REFERENCE_DATA[model]()
    factory = FACTORIES[model]
    parents = {
        field.name: FACTORIES[field.related_model]()
        for field in model._meta.concrete_fields
        if (field.many_to_one or field.one_to_one) and field.related_model in FACTORIES
    }
    return factory.build(**parents)


def saved_record(model: type[Model]) -> Model:
    record = new_record(model)
    if isinstance(record, Record):
        record.refresh_derived()
    record.save()
    return record


def test_the_services_are_found():
    names = [name for name, _ in SERVICES]
    assert "children.save_child" in names
    assert "reports.delete_comparator_rate" in names
    assert len(names) >= 20


@pytest.mark.parametrize(("name", "service"), SERVICES, ids=[name for name, _ in SERVICES])
def test_every_service_that_writes_a_record_writes_an_audit_event(name, service):
    model = model_of(service)
    assert model in FACTORIES or model in REFERENCE_DATA, f"add a way to make a {model}"
    label = model._meta.label_lower
    if name.split(".")[1].startswith("save_"):
        record = new_record(model)
        service("tester", record)
        created = AuditEvent.objects.get(action=f"{label}.create")
        service("tester", record)
        events = [created, AuditEvent.objects.get(action=f"{label}.change")]
    else:
        record = saved_record(model)
        pk = record.pk
        service("tester", record)
        assert not model._default_manager.filter(pk=pk).exists()
        events = [AuditEvent.objects.get(action=f"{label}.delete")]
        record.pk = pk

    child_pk = auditor.child_pk_of(record)
    for event in events:
        assert event.actor_name == "tester"
        assert (event.object_type, event.object_id) == (label, str(record.pk))
        if model in FACTORIES:  # a child's record: about the child, values sealed
            assert child_pk is not None
            assert event.child_pks == [child_pk]
            assert event.sealed_for == child_pk
            assert auditor.unseal(event) is not None
            assert set(event.details) == {"fields"}
        else:  # reference data: plain details, about no child
            assert event.child_pks == []
            assert event.sealed == ""
            assert set(event.details) & {"changes", "values"}
