"""The worker kit: a step that fails is retried, a wake runs a step at once, claims stop at the
free slots, and one key at its limit is skipped by the claim while other keys go on."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from evently_platform.workers.leased import LeasedPoller
from evently_platform.workers.poller import Poller

from tests.support import eventually


@asynccontextmanager
async def running(run: Callable[[], Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    task = asyncio.create_task(run())
    try:
        yield
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_failing_step_is_retried_and_the_worker_lives_on() -> None:
    calls = 0

    async def step() -> bool:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise RuntimeError("database away")
        return False

    poller = Poller("test", step, poll_interval=60, first_backoff=0.01)
    async with running(poller.run):
        await eventually(lambda: calls >= 3)


async def test_a_wake_runs_a_step_before_the_poll_interval() -> None:
    steps = 0

    async def step() -> bool:
        nonlocal steps
        steps += 1
        return False

    poller = Poller("test", step, poll_interval=3600)
    async with running(poller.run):
        await eventually(lambda: steps == 1)
        threading.Thread(target=poller.wake).start()  # from another thread, as a commit does
        await eventually(lambda: steps == 2)


@dataclass(frozen=True)
class Job:
    id: int
    endpoint: str


class Table:
    """Due jobs, claimed as the real claim statement does (claims.KeyQuota): up to the limit,
    and no more of a key than `per_key` minus those in flight."""

    def __init__(self, jobs: list[Job], per_key: int = 1_000) -> None:
        self.due = list(jobs)
        self.per_key = per_key
        self.claims: list[tuple[int, dict[str, int]]] = []

    def claim(self, limit: int, in_flight: Mapping[str, int]) -> list[Job]:
        self.claims.append((limit, dict(in_flight)))
        left = Counter({key: self.per_key - n for key, n in in_flight.items()})
        taken: list[Job] = []
        for job in self.due:
            if len(taken) == limit:
                break
            if left.get(job.endpoint, self.per_key) > 0:
                left[job.endpoint] = left.get(job.endpoint, self.per_key) - 1
                taken.append(job)
        for job in taken:
            self.due.remove(job)
        return taken


async def test_a_hanging_endpoint_holds_only_its_own_slots() -> None:
    hanging = [Job(n, "slow.example") for n in range(10)]
    healthy = [Job(100 + n, "fast.example") for n in range(20)]
    table = Table(hanging + healthy)
    release = asyncio.Event()
    done: list[int] = []
    slow_in_flight = slow_most = 0

    async def work(job: Job) -> None:
        nonlocal slow_in_flight, slow_most
        if job.endpoint == "slow.example":
            slow_in_flight += 1
            slow_most = max(slow_most, slow_in_flight)
            await release.wait()
            slow_in_flight -= 1
        done.append(job.id)

    poller = LeasedPoller(
        "test", claim=table.claim, work=work, slots=8, key=lambda j: j.endpoint, per_key=2, poll_interval=0.05
    )
    assert poller.claim_quota == 4
    table.per_key = poller.claim_quota
    async with running(poller.run):
        await eventually(lambda: sorted(done) == [job.id for job in healthy])
        # Two slow jobs in flight at most and two more claimed ahead; the other six were never
        # claimed (no lease runs out on work that waits in memory).
        assert slow_most == 2
        assert [job.endpoint for job in table.due] == ["slow.example"] * 6
        assert any(taken.get("slow.example") == 4 for _, taken in table.claims)
        release.set()
        await eventually(lambda: len(done) == 30)
        assert slow_most == 2


async def test_a_backlog_of_one_key_is_claimed_as_its_places_free_not_once_a_poll() -> None:
    table = Table([Job(n, "busy.example") for n in range(30)])
    done: list[int] = []

    async def work(job: Job) -> None:
        await asyncio.sleep(0)
        done.append(job.id)

    poller = LeasedPoller(
        "test", claim=table.claim, work=work, slots=8, key=lambda j: j.endpoint, per_key=2, poll_interval=3600
    )
    table.per_key = poller.claim_quota or 0
    async with running(poller.run):
        # Each claim is cut to the key's quota; its places freeing must bring the next claim, or
        # the backlog would move a quota per poll interval (here, an hour).
        await eventually(lambda: len(done) == 30)


async def test_claims_reach_one_round_of_slots_ahead_and_no_further() -> None:
    table = Table([Job(n, "e") for n in range(30)])
    gate = asyncio.Event()
    running_now = most = 0

    async def work(job: Job) -> None:
        nonlocal running_now, most
        running_now += 1
        most = max(most, running_now)
        await gate.wait()
        running_now -= 1

    poller = LeasedPoller("test", claim=table.claim, work=work, slots=5, poll_interval=0.05)
    async with running(poller.run):
        await eventually(lambda: poller.in_flight == 5 and poller.waiting == 5)
        assert len(table.due) == 20  # five at work, five waiting in memory
        gate.set()
        await eventually(lambda: not table.due and poller.in_flight == 0)
    assert most == 5
    assert all(limit <= 10 for limit, _ in table.claims)


async def test_work_that_raises_frees_its_slot() -> None:
    table = Table([Job(n, "e") for n in range(4)])
    seen: list[int] = []

    async def work(job: Job) -> None:
        seen.append(job.id)
        raise ValueError("a bug in the work")

    poller = LeasedPoller("test", claim=table.claim, work=work, slots=1, poll_interval=0.05)
    async with running(poller.run):
        await eventually(lambda: sorted(seen) == [0, 1, 2, 3])
        await eventually(lambda: poller.in_flight == 0)


async def test_offered_work_starts_without_a_claim_and_keys_take_turns() -> None:
    table = Table([])
    started: list[int] = []
    gate = asyncio.Event()

    async def work(job: Job) -> None:
        started.append(job.id)
        await gate.wait()

    poller = LeasedPoller(
        "test", claim=table.claim, work=work, slots=4, key=lambda j: j.endpoint, per_key=2, poll_interval=3600
    )
    async with running(poller.run):
        await eventually(lambda: len(table.claims) == 1)  # the first look at the table
        poller.offer([Job(n, "busy") for n in range(10)] + [Job(100, "quiet")])
        await eventually(lambda: len(started) == 3)
        assert sorted(started) == [0, 1, 100]  # the busy key's backlog did not starve the other
        assert len(table.claims) == 1
        gate.set()
        await eventually(lambda: len(started) == 11)


async def test_a_released_key_lets_the_next_of_that_key_start_while_the_work_goes_on() -> None:
    table = Table([])
    posted: list[int] = []
    recording = asyncio.Event()
    poller: LeasedPoller[Job]

    async def work(job: Job) -> None:
        posted.append(job.id)
        poller.release_key()  # answered: the endpoint is free
        await recording.wait()  # still recording the outcome

    poller = LeasedPoller(
        "test", claim=table.claim, work=work, slots=8, key=lambda j: j.endpoint, per_key=1, poll_interval=3600
    )
    async with running(poller.run):
        poller.offer([Job(n, "one.example") for n in range(3)])
        await eventually(lambda: posted == [0, 1, 2])
        assert poller.in_flight == 3  # each still holds its slot
        recording.set()
        await eventually(lambda: poller.in_flight == 0)


async def test_offered_work_that_cannot_start_in_time_is_let_go_to_the_claim() -> None:
    table = Table([])
    gate = asyncio.Event()
    started: list[int] = []

    async def work(job: Job) -> None:
        started.append(job.id)
        await gate.wait()

    poller = LeasedPoller("test", claim=table.claim, work=work, slots=1, poll_interval=0.05, hold=0.2)
    async with running(poller.run):
        poller.offer([Job(1, "e"), Job(2, "e")])
        await eventually(lambda: started == [1])
        await asyncio.sleep(0.3)  # past `hold`: the second job's wait is what is under test
        gate.set()
        await eventually(lambda: poller.in_flight == 0)
        assert started == [1]  # job 2 was let go; its lease would bring it back to a claim
        assert poller.waiting == 0


async def test_past_its_waiting_limit_a_poller_asks_for_no_more_offers_until_work_starts() -> None:
    table = Table([])
    gate = asyncio.Event()

    async def work(job: Job) -> None:
        await gate.wait()

    poller = LeasedPoller("test", claim=table.claim, work=work, slots=1, poll_interval=3600, max_waiting=3)
    async with running(poller.run):
        assert poller.has_room()
        poller.offer([Job(n, "e") for n in range(4)])  # one starts, three wait
        await eventually(lambda: poller.in_flight == 1)
        assert poller.waiting == 3
        assert not poller.has_room()  # a producer leaves new work in the table for the claims
        gate.set()
        await eventually(lambda: poller.waiting == 0 and poller.in_flight == 0)
        assert poller.has_room()


async def test_new_work_cuts_a_failure_backoff_short() -> None:
    calls = 0

    async def step() -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("broker away")
        return False

    poller = Poller("test", step, poll_interval=3600, first_backoff=3600)
    async with running(poller.run):
        await eventually(lambda: calls == 1)
        poller.wake()  # a commit wrote new work: the broker may well be back
        await eventually(lambda: calls == 2)
