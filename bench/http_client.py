"""A lean HTTP/1.1 GET client over kept-alive connections, for driving load at the gateway.

httpx costs the load generator more CPU per request than the gateway spends answering it (on two
cores it capped even the bare proxy near 450 requests a second), so the gateway's throughput said
more about the client than the server. This client writes a prepared request and reads the
answer by its `content-length`: some tens of microseconds per request."""

from __future__ import annotations

import asyncio

from evently_platform.net import split_addr


class HttpError(RuntimeError):
    pass


class KeepAliveClient:
    def __init__(self, addr: str) -> None:
        self._host, self._port = split_addr(addr)
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> bytes:
        """The body of a 200 answer to `GET path`; HttpError for any other status."""
        reader, writer = self._idle.pop() if self._idle else await self._connect()
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nhost: {self._host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, _, headers = head.partition(b"\r\n")
            length = _content_length(headers)
            body = await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self._idle.append((reader, writer))
        status = int(status_line.split(b" ", 2)[1])
        if status != 200:
            raise HttpError(f"GET {path}: {status} {body[:200]!r}")
        return body

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self._host, self._port)

    async def aclose(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


def _content_length(headers: bytes) -> int:
    for line in headers.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise HttpError("an answer without content-length (this client reads no chunked bodies)")
