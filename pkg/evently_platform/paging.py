"""One page of a list, for every list method: the items, and where the next page starts.

Lists page by position (a time and an id: the last item of a page), never by offset, so that a
page stays right while items are added before it. A query fetches `size + 1` rows: the extra
row only says that there is more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")

Cursor = tuple[datetime, str]  # the (time, id) of the last item of the previous page


@dataclass(frozen=True)
class PageRequest:
    after: Cursor | None  # the last item of the previous page, in the list's order; None: the first
    size: int

    @property
    def fetch(self) -> int:
        """How many rows to ask the database for: one more than a page."""
        return self.size + 1


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: Cursor | None  # None on the last page

    @classmethod
    def of(cls, rows: Sequence[T], request: PageRequest, position: Callable[[T], Cursor]) -> Page[T]:
        """The page in `rows` (fetched with `request.fetch`): `position` of its last item is
        the next page's start when there is more."""
        items = list(rows[: request.size])
        more = len(rows) > request.size and bool(items)
        return cls(items, position(items[-1]) if more else None)

    def map(self, convert: Callable[[list[T]], list[U]]) -> Page[U]:
        """The same page with its items converted (all at once, so a conversion can batch)."""
        return Page(convert(self.items), self.next_cursor)
