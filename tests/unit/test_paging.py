"""One page shape for every list: a page of `size` items, and the next page's start only when a
row beyond it was found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently_platform.paging import Page, PageRequest

T0 = datetime(2026, 12, 4, tzinfo=UTC)
ROWS = [(T0 + timedelta(minutes=i), f"id{i}") for i in range(5)]


def test_a_page_with_more_behind_it_says_where_the_next_starts() -> None:
    request = PageRequest(after=None, size=2)
    fetched = ROWS[: request.fetch]  # the query asks for one row more than a page
    page = Page.of(fetched, request, lambda row: row)
    assert page.items == ROWS[:2]
    assert page.next_cursor == ROWS[1]  # the last item shown, not the extra row


def test_the_last_page_has_no_next_cursor() -> None:
    request = PageRequest(after=ROWS[1], size=5)
    assert Page.of(ROWS[2:], request, lambda row: row).next_cursor is None
    assert Page.of([], request, lambda row: row) == Page([], None)


def test_a_page_converts_its_items_all_at_once_and_keeps_its_cursor() -> None:
    page = Page.of(ROWS[:3], PageRequest(after=None, size=2), lambda row: row)
    converted = page.map(lambda rows: [key for _, key in rows])
    assert converted == Page(["id0", "id1"], ROWS[1])
