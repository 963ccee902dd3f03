"""A database that cannot be reached is an outage, not a bug: use cases raise Unavailable (gRPC
UNAVAILABLE with a RetryInfo, HTTP 503), which clients retry, instead of INTERNAL."""

from __future__ import annotations

from pathlib import Path

import pytest
from evently_platform.db.engine import make_engine
from evently_platform.db.unit_of_work import SqlUnitOfWork
from evently_platform.errors import Unavailable
from evently_platform.grpc.status import grpc_code, to_status
from evently_platform.net import free_port
from google.rpc import error_details_pb2
from sqlalchemy import text
from sqlalchemy.exc import OperationalError


def _unreachable(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path}"  # a directory: SQLite cannot open it
    return f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=2"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_database_that_cannot_be_reached_is_unavailable_not_internal(backend: str, tmp_path: Path) -> None:
    uow = SqlUnitOfWork(make_engine(_unreachable(backend, tmp_path)))
    with pytest.raises(Unavailable) as raised, uow:
        uow.connection.execute(text("SELECT 1"))

    status = to_status(raised.value)
    assert grpc_code(status).name == "UNAVAILABLE"
    retry, info = error_details_pb2.RetryInfo(), error_details_pb2.ErrorInfo()
    first, last = status.details
    assert first.Unpack(retry) and retry.retry_delay.seconds == 1
    assert last.Unpack(info) and (info.reason, info.domain) == ("UNAVAILABLE", "evently")


def _insert_after_the_database_turned_read_only(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.connection.execute(text("PRAGMA query_only = ON"))  # the database refuses writes now
        uow.connection.execute(text("INSERT INTO t VALUES (1)"))


def test_a_database_that_refuses_work_mid_transaction_is_unavailable(tmp_path: Path) -> None:
    uow = SqlUnitOfWork(make_engine(f"sqlite:///{tmp_path / 'refusing.db'}"))
    with uow:
        uow.connection.execute(text("CREATE TABLE t (x INTEGER)"))
        uow.commit()
    with pytest.raises(Unavailable):
        _insert_after_the_database_turned_read_only(uow)


def test_a_statement_of_ours_that_is_wrong_stays_a_bug(tmp_path: Path) -> None:
    uow = SqlUnitOfWork(make_engine(f"sqlite:///{tmp_path / 'fine.db'}"))
    with pytest.raises(OperationalError, match="syntax error"), uow:
        uow.connection.execute(text("SELEC nonsense"))
