"""Dependencies point down: casework may import every domain app, and no domain app
imports casework, at module level or inside a function.

The domain apps' own tests are left out: a test that an app's records reach the child's
chronology exercises casework from below without making the app depend on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

HARBOUR = Path(__file__).resolve().parents[2]

DOMAIN_APPS = (
    "accounts",
    "api",
    "audit",
    "authorities",
    "children",
    "common",
    "exploitation",
    "interchange",
    "interviews",
    "meetings",
    "missing",
    "reports",
    "returns",
)
# Above the domain apps: the pages that span them, and the synthetic authority that fills
# every app for `make run` and the benchmarks.
ABOVE_THE_DOMAIN = ("casework", "demo")

CASEWORK = "harbour.casework"


def imported_modules(source: str, module: str) -> set[str]:
    """Every module the source imports, wherever the import statement is (module level,
    inside a function or a class), with relative imports made absolute. `module` is the
    dotted name of the source's own module (`harbour.children.views`)."""
    package = module.split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level])
                stem = f"{base}.{node.module}" if node.module else base
            else:
                stem = node.module or ""
            found.add(stem)
            # `from harbour import casework` names the module in the imported names.
            found.update(f"{stem}.{alias.name}" for alias in node.names)
    return found


def is_casework(module: str) -> bool:
    return module == CASEWORK or module.startswith(CASEWORK + ".")


def domain_modules() -> list[tuple[str, Path]]:
    """(dotted name, path) of every module of the domain apps, tests left out."""
    modules = []
    for app in DOMAIN_APPS:
        for path in sorted((HARBOUR / app).rglob("*.py")):
            parts = path.relative_to(HARBOUR.parent).with_suffix("").parts
            if "tests" in parts:
                continue
            modules.append((".".join(parts), path))
    return modules


def test_no_domain_app_imports_casework():
    upward = {
        name: sorted(filter(is_casework, imported_modules(path.read_text(), name)))
        for name, path in domain_modules()
    }

    assert {name: found for name, found in upward.items() if found} == {}


def test_every_domain_app_is_walked():
    walked = {name.split(".")[1] for name, _ in domain_modules()}

    assert walked == set(DOMAIN_APPS)
    assert len(domain_modules()) > 100


def test_every_app_of_harbour_has_a_layer():
    apps = {
        name.split(".")[1]
        for name in settings.INSTALLED_APPS
        if name.startswith("harbour.") and name.count(".") == 1
    }

    assert apps <= set(DOMAIN_APPS) | set(ABOVE_THE_DOMAIN)
    assert set(DOMAIN_APPS) <= apps


def test_the_check_finds_an_import_of_casework_however_it_is_written():
    module = "harbour.children.views"
    sources = [
        "import harbour.casework.chronology",
        "from harbour.casework.flags import child_flags",
        "from harbour import casework",
        "from ..casework import dashboard",
        "from ..casework.chronology import chronology",
        "def view(request):\n    from harbour.casework.child_page import child_view\n",
        "class Page:\n    def get(self):\n        import harbour.casework\n",
    ]

    for source in sources:
        assert any(map(is_casework, imported_modules(source, module))), source


def test_the_check_lets_imports_between_domain_apps_pass():
    module = "harbour.children.search"
    sources = [
        "from harbour.missing.models import Episode",
        "from .models import Child",
        "from harbour.common import time",
        "import harbour.caseworkers",  # a name that merely starts like casework
    ]

    for source in sources:
        assert not any(map(is_casework, imported_modules(source, module))), source


# The domain apps from the bottom up: an app may import those before it.
LAYERS = (
    "common",
    "audit",
    "accounts",
    "children",
    "missing",
    "interviews",
    "meetings",
    "authorities",
    "exploitation",
    "reports",
    "interchange",
    "returns",
    # The partners' API calls the domain apps' services; nothing imports it.
    "api",
)

# Imports that still point up, by module, with the apps they reach. Each is a page or a
# rule that spans apps; when it moves to casework or its dependency is turned round (as
# missing's call to the meeting triggers was, by missing.services.after_episodes_change),
# it leaves this list. Nothing joins it.
STILL_POINTING_UP = {
    # The save path and its admin audit every write: they sit on the auditor.
    "harbour.common.admin": {"audit"},
    "harbour.common.services": {"audit"},
    # The permission rules decide access to the records of the apps above.
    "harbour.accounts.permissions": {"children", "interviews", "missing"},
    # A second administrator's approval places someone on a child's access list.
    "harbour.accounts.services": {"children"},
    # The audit trail's page names children and downloads as the reports do.
    "harbour.audit.views": {"accounts", "children", "reports"},
    # Pages and exports about a child that span apps: casework's, when they next change.
    "harbour.children.forms": {"meetings"},
    "harbour.children.search": {"exploitation", "missing"},
    "harbour.children.subject_access": {
        "authorities",
        "exploitation",
        "interviews",
        "meetings",
        "missing",
    },
    "harbour.interviews.views": {"authorities"},
    "harbour.missing.views": {"meetings"},
}


def pointing_up() -> dict[str, set[str]]:
    rank = {app: place for place, app in enumerate(LAYERS)}
    found: dict[str, set[str]] = {}
    for name, path in domain_modules():
        own = rank[name.split(".")[1]]
        above = {
            module.split(".")[1]
            for module in imported_modules(path.read_text(), name)
            if module.startswith("harbour.")
            and module.count(".") >= 1
            and module.split(".")[1] in rank
            and rank[module.split(".")[1]] > own
        }
        if above:
            found[name] = above
    return found


def test_domain_apps_import_only_the_apps_below_them_but_for_the_known_few():
    assert pointing_up() == STILL_POINTING_UP


def test_every_domain_app_has_a_layer():
    assert sorted(LAYERS) == sorted(DOMAIN_APPS)
