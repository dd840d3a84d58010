"""Production settings: secure with nothing but DEBUG=0, SECRET_KEY and ALLOWED_HOSTS set.

Each test imports harbour.settings in a fresh interpreter with an exact environment, as a
server would (the test settings allow plain HTTP).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import BASE_DIR, HOST, ONE_YEAR, production_env, run, settings_under

HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "HARBOUR_ALLOW_HTTP",
)


def check_deploy(env: dict[str, str]):
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_passes_with_only_debug_secret_key_and_allowed_hosts() -> None:
    env = production_env()
    assert set(env) == {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    assert len(env["SECRET_KEY"]) >= 50
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_no_check_is_silenced_anywhere() -> None:
    assert settings_under(production_env(), "SILENCED_SYSTEM_CHECKS") == {
        "SILENCED_SYSTEM_CHECKS": []
    }
    sources = [*(BASE_DIR / "harbour").rglob("*.py"), BASE_DIR / "manage.py"]
    here = Path(__file__).parent
    offenders = [
        str(path.relative_to(BASE_DIR))
        for path in sources
        if here not in path.parents and "SILENCED_SYSTEM_CHECKS" in path.read_text()
    ]
    assert offenders == []


def test_production_defaults_are_https_only() -> None:
    assert settings_under(production_env(), *HTTPS_SETTINGS) == {
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": ONE_YEAR,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": None,
        "HARBOUR_ALLOW_HTTP": False,
    }


ALLOWS_HTTP = {
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
    "HARBOUR_ALLOW_HTTP": True,
}


def test_harbour_allow_http_allows_plain_http_on_a_local_machine() -> None:
    values = settings_under(production_env(HARBOUR_ALLOW_HTTP="1"), *ALLOWS_HTTP)
    assert values == ALLOWS_HTTP


def test_check_deploy_fails_when_plain_http_is_allowed() -> None:
    # So HARBOUR_ALLOW_HTTP cannot reach a server unnoticed.
    result = check_deploy(production_env(HARBOUR_ALLOW_HTTP="1"))
    assert result.returncode != 0
    for check in ("security.W008", "security.W012", "security.W016", "security.W004"):
        assert check in result.stderr


def test_make_run_s_debug_allows_plain_http_unless_told_otherwise() -> None:
    debug = {"DEBUG": "1"}
    assert settings_under(debug, *ALLOWS_HTTP) == ALLOWS_HTTP
    https = settings_under({**debug, "HARBOUR_ALLOW_HTTP": "0"}, "SECURE_SSL_REDIRECT")
    assert https == {"SECURE_SSL_REDIRECT": True}


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_anything_but_a_yes_keeps_https(value: str) -> None:
    values = settings_under(production_env(HARBOUR_ALLOW_HTTP=value), "SECURE_SSL_REDIRECT")
    assert values == {"SECURE_SSL_REDIRECT": True}


def test_behind_the_council_s_proxy_x_forwarded_proto_is_trusted_on_request() -> None:
    values = settings_under(production_env(HARBOUR_BEHIND_TLS_PROXY="1"), *HTTPS_SETTINGS)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert check_deploy(production_env(HARBOUR_BEHIND_TLS_PROXY="1")).returncode == 0


def test_hsts_preload_can_be_turned_off_for_a_registrable_domain() -> None:
    env = production_env(HARBOUR_HSTS_PRELOAD="0")
    assert settings_under(env, "SECURE_HSTS_PRELOAD") == {"SECURE_HSTS_PRELOAD": False}
    # Django then warns, as it should: that warning is the documented consequence.
    assert "security.W021" in check_deploy(env).stderr


# A request through the whole production stack (no database needed for /health/).
REQUEST = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "harbour.settings"
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST={host!r})
out = {{}}
for name, (path, kwargs) in {requests!r}.items():
    response = client.get(path, **kwargs)
    out[name] = {{"status": response.status_code, "headers": dict(response.headers)}}
print(json.dumps(out))
"""


def production_responses(env: dict[str, str], requests: dict[str, tuple[str, dict]]) -> dict:
    result = run(["-c", REQUEST.format(host=HOST, requests=requests)], env)
    assert result.returncode == 0, result.stderr
    assert "Zoe" not in result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_responses_carry_hsts_and_the_policy() -> None:
    responses = production_responses(
        production_env(HARBOUR_BEHIND_TLS_PROXY="1"),
        {
            "https": ("/health/?name=Zoe", {"secure": True}),
            "via_proxy": ("/health/?name=Zoe", {"HTTP_X_FORWARDED_PROTO": "https"}),
        },
    )
    for response in responses.values():
        headers = response["headers"]
        assert response["status"] == 200
        assert headers["Strict-Transport-Security"] == (
            f"max-age={ONE_YEAR}; includeSubDomains; preload"
        )
        assert headers["Content-Security-Policy"].startswith("default-src 'self'; ")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_plain_http_is_redirected_and_x_forwarded_proto_is_not_trusted_by_default() -> None:
    spoofed = {"HTTP_X_FORWARDED_PROTO": "https"}
    responses = production_responses(
        production_env(),
        {
            "plain": ("/sign-in/?name=Zoe", {}),
            "spoofed": ("/sign-in/?name=Zoe", spoofed),
            "health": ("/health/", spoofed),
        },
    )
    for name in ("plain", "spoofed"):
        assert responses[name]["status"] == 301
        assert responses[name]["headers"]["Location"] == f"https://{HOST}/sign-in/?name=Zoe"
    # The health check is exempt from the redirect, and still plain HTTP: no HSTS.
    assert responses["health"]["status"] == 200
    assert "Strict-Transport-Security" not in responses["health"]["headers"]


def test_the_redirect_exemption_is_only_the_health_check() -> None:
    exempt = settings_under(production_env(), "SECURE_REDIRECT_EXEMPT")["SECURE_REDIRECT_EXEMPT"]
    assert exempt == [r"^health/$"]
    assert re.search(exempt[0], "health/") and not re.search(exempt[0], "health/x")
