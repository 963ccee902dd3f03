"""The workers' one claim statement, on SQLite and PostgreSQL: a claimed delivery is hidden until
its lease runs out, two claimers never take the same row, and no more of one webhook endpoint is
taken than it has left of its quota."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.domain.deliveries import Delivery, DeliveryStatus
from evently_platform.db.migrations import upgrade
from sqlalchemy import Engine

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def _pending(n: int, subscription_id: str) -> Delivery:
    return Delivery(
        id=f"{subscription_id}-{n:03d}",
        subscription_id=subscription_id,
        event_id=f"event-{n}",
        event_type="evently.registration.created",
        payload=b"{}",
        trace_headers={},
        status=DeliveryStatus.PENDING,
        attempts=0,
        last_status_code=0,
        last_error="",
        next_attempt_time=NOW - timedelta(seconds=1000 - n),  # older ones first
        create_time=NOW,
        update_time=NOW,
    )


def _store(engine: Engine, per_subscription: dict[str, int]) -> NotifierUnitOfWork:
    upgrade(engine, "notifier", MIGRATIONS)
    uow = NotifierUnitOfWork(engine)
    with uow:
        for subscription_id, count in per_subscription.items():
            uow.deliveries.add(*(_pending(n, subscription_id) for n in range(count)))
        uow.commit()
    return uow


def _claim(uow: NotifierUnitOfWork, limit: int, **quota: object) -> list[Delivery]:
    with uow:
        claimed = uow.deliveries.claim_due(NOW, NOW + timedelta(minutes=1), limit, **quota)  # type: ignore[arg-type]
        uow.commit()
    return claimed


def test_a_claimed_delivery_is_hidden_until_its_lease_runs_out(engine: Engine) -> None:
    uow = _store(engine, {"hooks": 5})
    first = _claim(uow, 3)
    assert {d.id for d in first} == {"hooks-000", "hooks-001", "hooks-002"}  # the oldest
    assert {d.id for d in _claim(uow, 10)} == {"hooks-003", "hooks-004"}
    assert _claim(uow, 10) == []
    with uow:
        later = uow.deliveries.claim_due(NOW + timedelta(minutes=2), NOW + timedelta(minutes=3), 10)
        uow.commit()
    assert len(later) == 5  # the claimer died: every lease ran out


def test_claimers_at_the_same_time_take_disjoint_batches(engine: Engine) -> None:
    _store(engine, {"hooks": 200})
    with ThreadPoolExecutor(4) as pool:
        # Each claimer its own unit of work, as each use case takes one from the factory.
        batches = list(pool.map(lambda _: _claim(NotifierUnitOfWork(engine), 30), range(8)))
    taken = [d.id for batch in batches for d in batch]
    assert len(taken) == len(set(taken)) == 200


def test_no_more_of_one_endpoint_than_it_has_left(engine: Engine) -> None:
    uow = _store(engine, {"hanging": 20, "healthy": 20})
    claimed = _claim(uow, 10, per_subscription=3, in_flight={"hanging": 3, "healthy": 1})
    assert Counter(d.subscription_id for d in claimed) == {"healthy": 2}

    claimed = _claim(uow, 10, per_subscription=3, in_flight={})
    assert Counter(d.subscription_id for d in claimed) == {"hanging": 3, "healthy": 3}
