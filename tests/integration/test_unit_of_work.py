"""A unit of work per use case, from the service's factory: concurrent use cases never share one."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from evently_events.adapters.repository import EventsUnitOfWork, SqlEventRepository
from evently_platform.db.migrations import upgrade
from evently_platform.db.unit_of_work import SqlUnitOfWork
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.outbox import unpublished_count
from evently_platform.messaging.tables import metadata
from sqlalchemy import Engine


@pytest.fixture
def uows(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    metadata.create_all(engine)
    return SqlUnitOfWork.factory(engine, translate=lambda event: event)  # type: ignore[arg-type,return-value]


def test_concurrent_use_cases_each_get_their_own_transaction(
    uows: Callable[[], SqlUnitOfWork], engine: Engine
) -> None:
    def use_case(n: int) -> None:
        with uows() as uow:
            uow.record(Envelope(type="evently.event.created", source="//test", data={"n": n}))
            uow.commit()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(use_case, range(200)))
    assert unpublished_count(engine) == 200


def test_what_is_not_committed_is_rolled_back(uows: Callable[[], SqlUnitOfWork], engine: Engine) -> None:
    def changes_its_mind() -> None:
        with uows() as uow:
            uow.record(Envelope(type="evently.event.created", source="//test", data={}))
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        changes_its_mind()
    assert unpublished_count(engine) == 0


def test_a_unit_of_work_is_used_only_inside_its_block(uows: Callable[[], SqlUnitOfWork]) -> None:
    uow = uows()
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        uow.record()


def test_an_open_unit_of_work_cannot_be_entered_again(uows: Callable[[], SqlUnitOfWork]) -> None:
    uow = uows()
    with uow, pytest.raises(RuntimeError, match="each use takes its own from the factory"):
        uow.__enter__()


def test_one_use_case_may_take_two_transactions_in_turn(
    uows: Callable[[], SqlUnitOfWork], engine: Engine
) -> None:
    uow = uows()
    for n in range(2):
        with uow:
            uow.record(Envelope(type="evently.event.created", source="//test", data={"n": n}))
            uow.commit()
    assert unpublished_count(engine) == 2


def test_repositories_are_typed_attributes_that_exist_only_inside_the_block(engine: Engine) -> None:
    upgrade(engine, "events", "evently_events:migrations")
    uow = EventsUnitOfWork(engine)
    with uow:
        assert isinstance(uow.events, SqlEventRepository)
        assert uow.events.get("no-such-event") is None
    with pytest.raises(AttributeError):
        uow.events  # noqa: B018 - the access is what is tested
