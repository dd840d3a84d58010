"""Helpers for the security tests: production settings in a subprocess, HTTPS rules here."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "harbour.example.gov.uk"
ONE_YEAR = 365 * 24 * 60 * 60


def production_env(**extra: str) -> dict[str, str]:
    """Exactly what docs/deployment.md sets, and nothing else (not even PATH)."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": HOST,
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def settings_under(env: dict[str, str], *names: str) -> dict[str, object]:
    """The named settings of harbour.settings, imported afresh under `env`."""
    code = (
        "import json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'harbour.settings'\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))\n"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def https_rules(settings: Settings) -> None:
    """The production HTTPS settings (the test settings allow plain HTTP)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = ONE_YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
