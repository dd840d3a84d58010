"""The Django admin gives no one a place on an access list: that takes two administrators
and is audited (docs/roles.md, "Four eyes"; issue 9, finding 3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from harbour.common.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_the_admin_child_page_cannot_put_anyone_on_an_access_list(django_user_model, settings):
    settings.HARBOUR_REQUIRE_TWO_FACTOR = False
    root = django_user_model.objects.create_superuser("root", password=None)
    child = ChildFactory()
    client = Client()
    client.force_login(root)
    address = reverse("admin:children_child_change", args=[child.pk])
    form = client.get(address).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}

    client.post(address, {**data, "access_list": [root.pk], "restricted": "on"})

    assert not child.access_list.filter(pk=root.pk).exists()
