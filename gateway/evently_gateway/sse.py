"""Server-streaming gRPC methods as Server-Sent Events: one `data:` line of proto3 JSON per
message, a comment line as keep-alive, an `error` event if the stream fails midway, and the
gRPC call cancelled when the browser goes away or the gateway stops. A stream whose messages
carry a `cursor` is resumable: each event gets it as its `id:`, and the browser's
`Last-Event-ID` on reconnecting becomes the request's `last_event_id`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
from evently_platform import protojson
from google.protobuf.message import Message

from evently_gateway.errors import details_from_trailers, error_body

KEEP_ALIVE_SECONDS = 15.0


def _event(data: Any, name: str = "") -> str:
    prefix = f"event: {name}\n" if name else ""
    cursor = data.get("cursor") if isinstance(data, dict) else None
    if isinstance(cursor, str) and cursor.isprintable():
        prefix += f"id: {cursor}\n"
    return f"{prefix}data: {json.dumps(data, separators=(',', ':'))}\n\n"


def resume_after(message: Message, last_event_id: str | None) -> None:
    """The browser's `Last-Event-ID` into a resumable request (one with `last_event_id`)."""
    if last_event_id and "last_event_id" in message.DESCRIPTOR.fields_by_name:
        message.last_event_id = last_event_id  # type: ignore[attr-defined]


async def events(
    call: grpc.aio.UnaryStreamCall, keep_alive: float = KEEP_ALIVE_SECONDS
) -> AsyncIterator[str]:
    iterator = call.__aiter__()
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({pending}, timeout=keep_alive)
            if not done:
                yield ": keep-alive\n\n"
                continue
            try:
                message = pending.result()
            except StopAsyncIteration:
                return
            except grpc.aio.AioRpcError as exc:
                details = details_from_trailers(exc.trailing_metadata())
                yield _event(error_body(exc.code(), exc.details() or exc.code().name, details), "error")
                return
            finally:
                pending = None
            yield _event(protojson.to_dict(message))
    finally:
        call.cancel()
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(BaseException):
                await pending
