"""Django's `flush`, able to empty the audit tables on SQLite too.

On SQLite, flush empties tables with DELETE, which the audit trail's triggers refuse; the
triggers are suspended while it runs and installed again afterwards. (On PostgreSQL flush
uses TRUNCATE, which the row triggers do not see.) The test runner uses flush between
transactional tests.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from harbour.audit import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        triggers.remove(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
