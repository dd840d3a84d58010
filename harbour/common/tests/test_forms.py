"""The step every page takes when a service refuses a form's change to a stored record:
the refusal shown, the record reloaded, the form carrying the version stored now."""

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from harbour.children.models import Child
from harbour.common.forms import refuse_and_reload
from harbour.common.services import Conflict
from harbour.common.tests.factories import ChildFactory
from harbour.meetings.forms import ReasonForm

pytestmark = pytest.mark.django_db


def loaded_then_saved_by_someone_else():
    child = ChildFactory.create()
    page_version = child.version
    Child.objects.filter(pk=child.pk).update(version=page_version + 2)
    entered = QueryDict(mutable=True)
    entered.update({"reason": "Seen at home by the social worker", "version": page_version})
    entered._mutable = False  # as request.POST is
    form = ReasonForm(entered)
    assert form.is_valid()
    return child, form, page_version + 2


def test_a_stale_change_is_refused_and_the_form_carries_the_version_stored_now():
    child, form, stored = loaded_then_saved_by_someone_else()

    refuse_and_reload(form, Conflict("task", current=None), child)

    assert child.version == stored
    assert form.data["version"] == str(stored)
    assert f'value="{stored}"' in str(form["version"])
    assert form.data["reason"] == "Seen at home by the social worker"
    assert [item["text"] for item in form.error_list()] == [
        "Someone else changed this task after you opened it, so your changes have not been "
        "saved. Check the task as it is now, then make your changes again."
    ]


def test_a_refusal_about_a_field_is_shown_against_it_and_the_version_still_moves_on():
    child, form, stored = loaded_then_saved_by_someone_else()

    refuse_and_reload(form, ValidationError({"reason": "Enter a shorter reason"}), child)

    assert form.error_list() == [{"text": "Enter a shorter reason", "href": "#reason"}]
    assert form.data["version"] == str(stored)
