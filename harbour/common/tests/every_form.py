"""Every form class the project defines, found by importing every module of `harbour`
(so a new form is included without anyone listing it), and how to build each one.

A form whose constructor needs more than its data gets its arguments from BUILD_ARGUMENTS;
a new form that needs arguments and is not there fails the tests that use this, naming it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

import harbour

# Modules that are not application code, or that do something when imported.
_NOT_APPLICATION = ("tests", "tests_", "browser_tests", "migrations", "conftest")
_SIDE_EFFECTS = {"harbour.wsgi", "harbour.settings", "harbour.settings_test"}


def _application_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(harbour.__path__, "harbour."):
        parts = module.name.split(".")
        if module.name in _SIDE_EFFECTS or any(
            part == name or (name.endswith("_") and part.startswith(name))
            for part in parts
            for name in _NOT_APPLICATION
        ):
            continue
        yield module.name


def every_form_class() -> list[type[forms.BaseForm]]:
    for name in _application_modules():
        importlib.import_module(name)
    found: dict[str, type[forms.BaseForm]] = {}
    pending: list[type] = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("harbour.") and ".tests" not in cls.__module__:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def _staff_user() -> Any:
    return get_user_model()(username="form-walker", pk=1)


def _empty_preview() -> Any:
    from harbour.missing.models import ColumnMapping, PoliceUpload
    from harbour.missing.upload.preview import Preview

    return Preview(upload=PoliceUpload(), mapping=ColumnMapping(), rows=[])


# {form class name: keyword arguments its constructor needs besides the data}.
BUILD_ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "MappingForm": lambda: {"headers": ["Crime Ref", "Forename"]},
    "ChoicesForm": lambda: {"preview": _empty_preview()},
    "OlaFilterForm": lambda: {"authorities": [("874", "Peterborough")]},
    "AllocationForm": lambda: {"workers": [], "organisations": ["Harbour Youth"]},
    "WorklistFilterForm": lambda: {"workers": [], "organisations": ["Harbour Youth"]},
}


def build(cls: type[forms.BaseForm], data: dict[str, Any] | None = None) -> forms.BaseForm:
    """An instance of the form, bound to `data` (unbound when None)."""
    arguments: dict[str, Any] = {}
    if cls.__name__ in BUILD_ARGUMENTS:
        arguments = BUILD_ARGUMENTS[cls.__name__]()
    # Django's password forms take the user first.
    takes_user = any(
        list(inspect.signature(base.__dict__["__init__"]).parameters)[1:2] == ["user"]
        for base in cls.__mro__
        if "__init__" in base.__dict__
    )
    if takes_user:
        arguments["user"] = _staff_user()
    try:
        return cls(data=data, **arguments)
    except TypeError as problem:
        raise AssertionError(
            f"{cls.__module__}.{cls.__qualname__} needs constructor arguments: add it to "
            f"BUILD_ARGUMENTS in {__name__} ({problem})"
        ) from None


def text_fields(form: forms.BaseForm) -> dict[str, bool]:
    """{name: multi-line} of the form's text fields."""
    return {
        name: isinstance(field.widget, forms.Textarea)
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
    }
