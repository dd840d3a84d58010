import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from harbour.accounts.models import RoleAssignment
from harbour.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_first_administrator_gets_the_role_and_a_working_set_password_link(client):
    out = io.StringIO()
    call_command("create_administrator", "first-admin", "--email", "a@example.org", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    assert RoleAssignment.objects.get().role == "ADMINISTRATOR"
    assert AuditEvent.objects.filter(actor_name="command line").exists()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    password = "a fresh long password 2026"
    client.post(page.redirect_chain[-1][0] if page.redirect_chain else link,
                {"new_password1": password, "new_password2": password})  # fmt: skip
    assert client.login(username="first-admin", password=password)


def test_a_taken_username_is_refused_clearly():
    call_command("create_administrator", "a", "--email", "a@example.org", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_administrator", "A", "--email", "b@example.org", stdout=io.StringIO())
