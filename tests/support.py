"""Test helpers: waiting by polling with a deadline, never by fixed sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.jetstream import STREAM
from evently_platform.net import free_port
from nats.aio.client import Client as NATS

T = TypeVar("T")


def free_ports_in_a_row(count: int, host: str = "127.0.0.1") -> int:
    """The first of `count` consecutive ports that are free now."""
    for _ in range(50):
        first = free_port(host)
        if first + count > 65535:
            continue
        try:
            with contextlib.ExitStack() as held:
                for port in range(first, first + count):
                    sock = held.enter_context(socket.socket())
                    sock.bind((host, port))
            return first
        except OSError:
            continue
    raise AssertionError(f"no {count} free ports in a row")


async def eventually(
    check: Callable[[], Any],
    *,
    until: Callable[[Any], bool] | None = None,
    timeout: float = 30.0,
    interval: float = 0.05,
) -> Any:
    """Poll `check` until it returns something truthy (or, with `until`, something `until`
    accepts); fail with its last value after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if asyncio.iscoroutine(value) or isinstance(value, Awaitable):
            value = await value
        if until(value) if until is not None else value:
            return value  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


def wait_until(check: Callable[[], T], *, timeout: float = 60.0, interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)


@dataclass(frozen=True)
class StoredMessage:
    subject: str
    msg_id: str  # the Nats-Msg-Id header
    envelope: Envelope


async def stream_messages(nc: NATS, subject: str | None = None) -> list[StoredMessage]:
    """Everything on the EVENTLY stream, in order (optionally one subject only)."""
    js = nc.jetstream()
    info = await js.stream_info(STREAM)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        message = await js.get_msg(STREAM, seq)
        if message.data and (subject is None or message.subject == subject):
            headers = message.headers or {}
            found.append(
                StoredMessage(
                    message.subject or "", headers.get("Nats-Msg-Id", ""), Envelope.decode(message.data)
                )
            )
    return found
