"""Webhooks go to globally routable addresses only: every other range is refused, however it is
written."""

from __future__ import annotations

import pytest
from evently_notifier.adapters.url_guard import is_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "100.100.100.200",  # a cloud metadata address inside it
        "198.18.0.1",  # benchmarking
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "2001:db8::1",  # documentation
        "::ffff:100.64.0.1",  # IPv4-mapped
        "::ffff:127.0.0.1",
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "ff02::1",
    ],
)
def test_addresses_that_are_not_globally_routable_are_refused(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public(address)
