"""Refuses webhook URLs that resolve to any address that is not globally routable (SSRF):
loopback, private, link-local, carrier-grade NAT, reserved, ... unless
EVENTLY_WEBHOOK_ALLOW_PRIVATE=true (local development, tests)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from evently_platform.errors import FieldViolation, InvalidArgument

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(address: str) -> bool:
    """Globally routable unicast only. A denylist of private ranges misses some (carrier-grade NAT,
    100.64.0.0/10, holds a cloud metadata address); IPv6 forms that carry an IPv4 address
    (mapped, 6to4, Teredo, NAT64) are judged by the address they carry."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is None and ip in _NAT64:
            carried = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if carried is not None and not is_public(str(carried)):
            return False
    return ip.is_global and not ip.is_multicast


class UrlGuard:
    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private

    def check(self, url: str) -> None:
        if self._allow_private:
            return
        host = urlsplit(url).hostname or ""
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror:
            raise InvalidArgument(
                [FieldViolation("subscription.url", f"host {host!r} does not resolve")]
            ) from None
        blocked = sorted({str(info[4][0]) for info in infos if not is_public(str(info[4][0]))})
        if blocked:
            raise InvalidArgument(
                [
                    FieldViolation(
                        "subscription.url",
                        f"resolves to non-public address {', '.join(blocked)}; "
                        "webhooks go to public endpoints only",
                    )
                ]
            )
