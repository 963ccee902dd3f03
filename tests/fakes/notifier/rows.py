"""What several in-memory repositories do alike: ordered pages, inserts, updates, due rows."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from evently_notifier.service_layer.ports import Cursor


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


class _Retried(_Identified, Protocol):
    @property
    def status(self) -> Any: ...
    @property
    def next_attempt_time(self) -> datetime | None: ...


Row = TypeVar("Row")
Identified = TypeVar("Identified", bound=_Identified)
Retried = TypeVar("Retried", bound=_Retried)


def newest_first(
    rows: Iterable[Row], key: Callable[[Row], Cursor], before: Cursor | None, limit: int
) -> list[Row]:
    found = [r for r in rows if before is None or key(r) < before]
    return sorted(found, key=key, reverse=True)[:limit]


def oldest_first(
    rows: Iterable[Row], key: Callable[[Row], Cursor], after: Cursor | None, limit: int
) -> list[Row]:
    found = [r for r in rows if after is None or key(r) > after]
    return sorted(found, key=key)[:limit]


def insert_all(rows: dict[str, Identified], added: Iterable[Identified]) -> None:
    """An INSERT: a key already there is a bug of the caller's."""
    for row in added:
        assert row.id not in rows, "duplicate key"
        rows[row.id] = row


def update_existing(rows: dict[str, Identified], saved: Iterable[Identified]) -> None:
    """An UPDATE by key: a row that vanished meanwhile stays vanished."""
    for row in saved:
        if row.id in rows:
            rows[row.id] = row


def due(rows: dict[str, Retried], pending: object, now: datetime) -> list[Retried]:
    """Pending rows whose next attempt is due, the longest due first (as the claims order them)."""
    found: list[tuple[datetime, Retried]] = []
    for row in rows.values():
        at = row.next_attempt_time
        if row.status is pending and at is not None and at <= now:
            found.append((at, row))
    return [row for _, row in sorted(found, key=lambda pair: pair[0])]


class ByKey(Generic[Row]):
    """Rows kept by one key: get, get many, save (insert or replace), delete."""

    def __init__(self, rows: dict[str, Row], key: Callable[[Row], str]) -> None:
        self._rows = rows
        self._key = key

    def get(self, key: str) -> Row | None:
        return self._rows.get(key)

    def get_many(self, keys: Collection[str]) -> dict[str, Row]:
        return {k: self._rows[k] for k in keys if k in self._rows}

    def save(self, row: Row) -> None:
        self._rows[self._key(row)] = row

    def delete(self, key: str) -> None:
        self._rows.pop(key, None)
