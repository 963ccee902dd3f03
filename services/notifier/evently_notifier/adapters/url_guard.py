"""Refuses webhook URLs that resolve to loopback, private, link-local or reserved addresses (SSRF),
unless EVENTLY_WEBHOOK_ALLOW_PRIVATE=true (local development, tests)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from evently_platform.errors import FieldViolation, InvalidArgument


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


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
