"""The demo's other authorities are invented, and its OLA episodes get notification logs."""

import pytest
from django.core.management import call_command

from harbour.authorities.models import LocalAuthority, OlaNotification
from harbour.demo.generator import OTHER_AUTHORITIES

pytestmark = pytest.mark.django_db


def test_demo_data_adds_invented_authorities_and_some_notification_logs(settings, capsys):
    settings.DEBUG = True
    settings.LOCAL_AUTHORITY_CODE = "999"

    call_command("demo_data", episodes=3000, seed=2026)

    codes = {code for code, _weight in OTHER_AUTHORITIES}
    assert set(LocalAuthority.objects.values_list("code", flat=True)) == codes
    authority = LocalAuthority.objects.get(code="874")
    assert authority.name.startswith("Example Shire")
    assert authority.email.endswith(".example") and authority.phone.startswith("01632 960")
    assert OlaNotification.objects.filter(kind="INTERVIEW_REQUESTED").exists()
    assert "OLA notification log entries" in capsys.readouterr().out


def test_no_demo_authority_name_repeats_a_word():
    from harbour.demo.ola import KINDS, PLACES, authority_name

    names = [authority_name(n) for n in range(len(PLACES) * len(KINDS))]

    assert "Sample Borough Council" in names
    repeated = [
        name
        for name in names
        if any(a == b for a, b in zip(name.split(), name.split()[1:], strict=False))
    ]
    assert repeated == []
