"""What the forms of every app share when they change a stored record.

A form that changes a record carries, in a hidden `version` field, the version the page was
loaded with, and the service refuses it (harbour.common.services.Conflict: "Someone else
changed this ... after you opened it") when the record was saved since. The page then
shows the refusal and the form again, as entered, carrying the version stored now: the
person checks the record as it is and submits again. `refuse_and_reload` is that step, for
every page that does it.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import models


class RefusingForm(Protocol):
    """A form that shows a service's refusal (harbour.meetings.forms.DateFieldsForm,
    ReasonForm) and whose data carries the record's `version`."""

    data: Any

    def refuse(self, error: Any) -> None: ...


def refuse_and_reload(form: RefusingForm, error: Any, record: models.Model) -> None:
    """A service refused the form's change to `record` (a stale version among the
    reasons): show the refusal on the form (against the field it is about where there is
    one), reload the record, and move the form's version on to the one stored now, keeping
    everything else as it was entered."""
    form.refuse(error)
    record.refresh_from_db()
    data = form.data.copy()  # the request's data cannot be changed
    data["version"] = str(record.version)  # type: ignore[attr-defined]
    form.data = data
