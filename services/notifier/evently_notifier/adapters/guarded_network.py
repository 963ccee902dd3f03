"""SSRF protection where it cannot be dodged: at connect time. Every connection a webhook makes
resolves its host, refuses it if any address is loopback, private, link-local or otherwise
not public, and connects to the very address it checked — so a DNS answer that changes after
CreateSubscription (DNS rebinding) cannot point a delivery inside the network. Redirects are
not followed at all (see webhook_sender)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from evently_notifier.adapters.url_guard import is_public


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, *, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self._allow_private:
            blocked = [a for a in addresses if not is_public(a)]
            if blocked:
                raise httpcore.ConnectError(
                    f"{host} resolves to a non-public address ({', '.join(blocked)}): refused"
                )
        # Connect to the address that was checked, not to the name (which could resolve anew).
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are not delivered to unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(*, allow_private: bool, max_connections: int = 100) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=max_connections))
    # httpx does not take a network backend itself; its transport is a thin wrapper around this
    # httpcore pool, which does. (httpx 0.28; covered by the webhook tests.)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=transport._pool._ssl_context,
        max_connections=max_connections,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
        network_backend=GuardedNetworkBackend(allow_private=allow_private),
    )
    return transport
