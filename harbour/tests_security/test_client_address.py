"""The client's address: the connecting address, or X-Forwarded-For read from the right
through HARBOUR_TRUSTED_PROXIES only."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from harbour.security import client_address

from .conftest import production_env, run, settings_under

PROXY = "10.0.0.2"
CLIENT = "203.0.113.9"


def request_from(remote_addr: str | None, forwarded_for: str | None = None):
    request = RequestFactory().get("/sign-in/")
    if remote_addr is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote_addr
    if forwarded_for is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return request


@pytest.fixture
def trusted_proxy(settings) -> None:
    settings.HARBOUR_TRUSTED_PROXIES = [f"{PROXY}/32"]


def test_with_no_trusted_proxies_the_connecting_address_is_the_client() -> None:
    assert client_address(request_from(CLIENT)) == CLIENT
    assert client_address(request_from(PROXY, "198.51.100.1")) == PROXY


def test_a_forwarded_for_header_from_a_peer_that_is_not_trusted_is_ignored(
    trusted_proxy,
) -> None:
    spoofed = request_from(CLIENT, "198.51.100.1, 10.0.0.2")
    assert client_address(spoofed) == CLIENT


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(trusted_proxy) -> None:
    assert client_address(request_from(PROXY, CLIENT)) == CLIENT


def test_a_client_cannot_choose_its_address_by_sending_the_header_itself(trusted_proxy) -> None:
    # The proxy appends the address it saw to whatever the client sent.
    assert client_address(request_from(PROXY, f"198.51.100.1, 10.0.0.9, {CLIENT}")) == CLIENT
    assert client_address(request_from(PROXY, f"{PROXY}, {CLIENT}")) == CLIENT


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings) -> None:
    settings.HARBOUR_TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.10/32"]
    forwarded = f"198.51.100.1, {CLIENT}, 192.0.2.10, 10.0.0.7"
    assert client_address(request_from(PROXY, forwarded)) == CLIENT


def test_a_trusted_proxy_with_no_forwarded_header_is_itself_the_client(trusted_proxy) -> None:
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, "")) == PROXY


def test_when_every_hop_is_trusted_the_furthest_one_is_the_client(settings) -> None:
    settings.HARBOUR_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from(PROXY, "10.1.1.1, 10.0.0.7")) == "10.1.1.1"


@pytest.mark.parametrize(
    "forwarded",
    ["unknown", "", " , ", "999.1.1.1", "203.0.113.9/24", "<script>", "a" * 5000],
)
def test_a_malformed_hop_stops_the_walk_at_the_nearest_proxy(trusted_proxy, forwarded) -> None:
    # Nothing left of a hop no trusted proxy wrote can be believed.
    assert client_address(request_from(PROXY, f"{CLIENT}, {forwarded}")) == PROXY


def test_ports_brackets_and_mapped_addresses_are_understood(trusted_proxy) -> None:
    assert client_address(request_from(PROXY, f"{CLIENT}:51234")) == CLIENT
    assert client_address(request_from(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(request_from(PROXY, "2001:DB8:0::7")) == "2001:db8::7"
    assert client_address(request_from(f"::ffff:{PROXY}", f"::ffff:{CLIENT}")) == CLIENT


def test_ipv6_proxies_and_networks_are_trusted(settings) -> None:
    settings.HARBOUR_TRUSTED_PROXIES = ["fd00::/8"]
    assert client_address(request_from("fd00::1", CLIENT)) == CLIENT
    assert client_address(request_from("fe80::1", CLIENT)) == "fe80::1"


def test_a_missing_or_malformed_connecting_address_gives_none() -> None:
    assert client_address(request_from(None)) is None
    assert client_address(request_from("")) is None
    assert client_address(request_from("not an address", CLIENT)) is None
    assert client_address(None) is None


# The setting, as a server reads it -------------------------------------------------------


def test_no_proxy_is_trusted_by_default() -> None:
    assert settings_under(production_env(), "HARBOUR_TRUSTED_PROXIES") == {
        "HARBOUR_TRUSTED_PROXIES": []
    }


def test_trusted_proxies_are_addresses_and_networks_separated_by_commas() -> None:
    env = production_env(HARBOUR_TRUSTED_PROXIES=" 127.0.0.1, 10.0.0.0/24 ,fd00::/8,")
    assert settings_under(env, "HARBOUR_TRUSTED_PROXIES") == {
        "HARBOUR_TRUSTED_PROXIES": ["127.0.0.1/32", "10.0.0.0/24", "fd00::/8"]
    }


def test_a_trusted_proxy_that_is_not_an_address_stops_the_server_starting() -> None:
    env = production_env(HARBOUR_TRUSTED_PROXIES="127.0.0.1, proxy.internal")
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "HARBOUR_TRUSTED_PROXIES" in result.stderr
    assert "'proxy.internal' is not an IP address or network" in result.stderr
