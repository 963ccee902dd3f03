"""Outcomes recorded together: concurrent adds share one write; a bad item fails alone."""

from __future__ import annotations

import asyncio

import pytest
from evently_platform.workers.group_commit import GroupCommit


async def test_outcomes_added_while_a_write_runs_share_the_next_write() -> None:
    writes: list[list[int]] = []

    def write(items: list[int]) -> list[int]:
        writes.append(items)
        return [i * 10 for i in items]

    group = GroupCommit(write)
    results = await asyncio.gather(*(group.add(i) for i in range(5)))
    assert results == [0, 10, 20, 30, 40]
    assert writes == [[0, 1, 2, 3, 4]]


async def test_one_item_that_cannot_be_written_fails_alone() -> None:
    def write(items: list[int]) -> list[int]:
        if 3 in items:
            raise ValueError("3 is not welcome")
        return items

    group = GroupCommit(write)
    results = await asyncio.gather(*(group.add(i) for i in range(5)), return_exceptions=True)
    assert results[:3] == [0, 1, 2] and results[4] == 4
    assert isinstance(results[3], ValueError)
    with pytest.raises(ValueError, match="not welcome"):
        await group.add(3)
