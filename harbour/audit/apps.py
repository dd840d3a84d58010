from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_triggers(using: str = "default", **kwargs: Any) -> None:
    # Again after every migrate: SQLite drops a table's triggers when a migration rebuilds it.
    from .privileges import withhold_changes
    from .triggers import install

    install(connections[using])
    # And the runtime role's default privileges on new tables are taken back from the
    # audit tables (docs/deployment.md, "Database roles").
    withhold_changes(connections[using])


class AuditConfig(AppConfig):
    name = "harbour.audit"
    label = "audit"

    def ready(self) -> None:
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="harbour-audit-triggers")
