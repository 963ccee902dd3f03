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


async def test_at_a_trickle_an_item_waits_a_moment_for_company() -> None:
    writes: list[list[int]] = []

    def write(items: list[int]) -> list[int]:
        writes.append(items)
        return items

    group = GroupCommit(write, linger=30.0, enough=3)
    first = asyncio.create_task(group.add(1))
    await asyncio.sleep(0)  # the first is waiting alone
    assert writes == []
    second = asyncio.create_task(group.add(2))
    await asyncio.sleep(0)
    assert writes == []
    # The third is enough: the group is written at once, not after the 30 s.
    assert await asyncio.wait_for(group.add(3), timeout=10) == 3
    assert (await first, await second) == (1, 2)
    assert writes == [[1, 2, 3]]


async def test_a_lone_item_is_written_once_the_linger_ends() -> None:
    group: GroupCommit[int, int] = GroupCommit(lambda items: items, linger=0.01, enough=100)
    assert await asyncio.wait_for(group.add(7), timeout=10) == 7
