"""The unit of work that every service shares between its concurrent requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from evently_platform.db.unit_of_work import SqlUnitOfWork
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.outbox import unpublished_count
from evently_platform.messaging.tables import metadata
from sqlalchemy import Engine


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    metadata.create_all(engine)
    return SqlUnitOfWork(engine, translate=lambda event: event)  # type: ignore[arg-type,return-value]


def test_concurrent_use_cases_each_get_their_own_transaction(uow: SqlUnitOfWork, engine: Engine) -> None:
    def use_case(n: int) -> None:
        with uow:
            uow.record(Envelope(type="evently.event.created", source="//test", data={"n": n}))
            uow.commit()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(use_case, range(200)))
    assert unpublished_count(engine) == 200


def test_what_is_not_committed_is_rolled_back(uow: SqlUnitOfWork, engine: Engine) -> None:
    def changes_its_mind() -> None:
        with uow:
            uow.record(Envelope(type="evently.event.created", source="//test", data={}))
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        changes_its_mind()
    assert unpublished_count(engine) == 0


def test_repositories_exist_only_inside_the_block(uow: SqlUnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="outside its `with` block"):
        uow.record()
