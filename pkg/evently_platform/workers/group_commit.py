"""Group commit: outcomes recorded while a write is running join the next write, so that many
concurrent tasks (webhook attempts, e-mails) cost one transaction per group instead of one each.
A group whose write fails is written again one item at a time, so one bad item fails alone.

At a steady trickle nothing runs when an item comes, and each would be a group of one: with a
`linger`, a small group waits that long for company (until `enough` items have come) before it
is written."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(
        self,
        write: Callable[[list[T]], list[R]],
        *,
        max_group: int = 500,
        linger: float = 0.0,
        enough: int = 1,
    ) -> None:
        """`write` runs in a worker thread: one transaction for the items, a result for each."""
        self._write = write
        self._max_group = max_group
        self._linger = linger
        self._enough = enough
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._company = asyncio.Event()

    async def add(self, item: T) -> R:
        """Waits until `item` is written; its result, or the error writing it alone raised."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if len(self._pending) >= self._enough:
            self._company.set()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        if self._linger > 0 and len(self._pending) < self._enough:
            self._company.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._linger):
                    await self._company.wait()
        while self._pending:
            group, self._pending = self._pending[: self._max_group], self._pending[self._max_group :]
            try:
                results = await asyncio.to_thread(self._write, [item for item, _ in group])
            except Exception as exc:
                if len(group) == 1:
                    _settle(group[0][1], error=exc)
                    continue
                for item, future in group:  # find the one that cannot be written
                    try:
                        [result] = await asyncio.to_thread(self._write, [item])
                    except Exception as alone:
                        _settle(future, error=alone)
                    else:
                        _settle(future, result)
                continue
            for (_, future), result in zip(group, results, strict=True):
                _settle(future, result)


def _settle(
    future: asyncio.Future[R], result: R | None = None, *, error: BaseException | None = None
) -> None:
    if future.done():  # its awaiter was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
