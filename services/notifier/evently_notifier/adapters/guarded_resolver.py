"""SSRF protection where it cannot be dodged: at connect time. Every connection a webhook makes
resolves its host through this resolver, which refuses it if any address is loopback, private,
link-local or otherwise not public; aiohttp then connects to the very addresses it checked (and
TLS still verifies the real host name) — so a DNS answer that changes after CreateSubscription
(DNS rebinding) cannot point a delivery inside the network. Redirects are not followed at all
(see webhook_sender)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from evently_notifier.adapters.url_guard import is_public


class RefusedAddress(aiohttp.ClientConnectionError):
    """The webhook's host resolves to an address webhooks may not reach."""


def refuse_inside_literal(url: str, *, allow_private: bool) -> None:
    """aiohttp connects to an IP-literal host without asking the resolver: check those here."""
    host = (urlsplit(url).hostname or "").strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return  # a name: the resolver checks what it resolves to
    if not allow_private and not is_public(host):
        raise RefusedAddress(f"{host} is a non-public address: refused")


class GuardedResolver(AbstractResolver):
    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_UNSPEC
    ) -> list[ResolveResult]:
        try:
            found = await self._inner.resolve(host, port, family)
        except OSError as exc:
            raise aiohttp.ClientConnectionError(f"{host} does not resolve: {exc}") from exc
        if not self._allow_private:
            blocked = list(dict.fromkeys(r["host"] for r in found if not is_public(r["host"])))
            if blocked:
                raise RefusedAddress(
                    f"{host} resolves to a non-public address ({', '.join(blocked)}): refused"
                )
        return found

    async def close(self) -> None:
        await self._inner.close()


def guarded_connector(*, allow_private: bool, per_endpoint: int, **options: Any) -> aiohttp.TCPConnector:
    """Pooled keep-alive connections, at most `per_endpoint` to one host and port: a slow or hung
    endpoint delays only its own deliveries. DNS answers are not cached (every new connection is
    checked against what the name resolves to now)."""
    return aiohttp.TCPConnector(
        resolver=GuardedResolver(allow_private=allow_private),
        limit=0,
        limit_per_host=per_endpoint,
        use_dns_cache=False,
        keepalive_timeout=15.0,
        **options,
    )
