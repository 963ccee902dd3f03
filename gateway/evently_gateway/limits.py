"""What one HTTP request may ask of the gateway: how long it may wait, how much it may send."""

from __future__ import annotations

import asyncio
import re

from starlette.requests import Request

# gRPC's own timeout header (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md),
# which grpc-gateway also accepts from HTTP clients: up to 8 digits and a unit.
_GRPC_TIMEOUT = re.compile(r"^(\d{1,8})([HMSmun])$")
_UNIT_SECONDS = {"H": 3600.0, "M": 60.0, "S": 1.0, "m": 1e-3, "u": 1e-6, "n": 1e-9}


class LimitError(ValueError):
    """The request asked for something the gateway refuses; `status` is the HTTP answer."""

    def __init__(self, status: int, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.field = field


# A forwarded header becomes gRPC metadata, whose default limit is 8 KiB for all of it: a larger
# one would come back as RESOURCE_EXHAUSTED (429), which says "slow down" when it means "too big".
MAX_FORWARDED_HEADER_BYTES = 4096


def check_forwarded_header(name: str, value: str) -> None:
    if len(value) > MAX_FORWARDED_HEADER_BYTES:
        raise LimitError(431, f"the {name} header is longer than {MAX_FORWARDED_HEADER_BYTES} bytes", name)


def deadline_seconds(header: str | None, ceiling: float) -> float:
    """The client's `grpc-timeout` when it asks for less than our ceiling, else the ceiling."""
    if header is None:
        return ceiling
    match = _GRPC_TIMEOUT.match(header.strip())
    if match is None:
        raise LimitError(400, f"grpc-timeout {header!r} is not a timeout like 5S or 500m", "grpc-timeout")
    requested = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return min(requested, ceiling)


async def read_body(request: Request, limit: int, deadline: float) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed `limit` — before it is all read
    when the client declares its length, after `limit` bytes when it streams — and with 408 when
    it has not all arrived within `deadline` seconds (a client trickling its body holds a
    connection no longer than the call itself may take)."""
    declared = request.headers.get("content-length")
    if declared is None and "transfer-encoding" not in request.headers:
        return b""  # no body follows (RFC 9112, 6.3): most GETs, nothing to wait for
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise LimitError(413, f"request body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(deadline):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise LimitError(413, f"request body exceeds the limit of {limit} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise LimitError(408, f"the request body did not arrive within {deadline:g} s") from None
    return b"".join(chunks)
