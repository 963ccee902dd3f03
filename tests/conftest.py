"""Shared fixtures: a real NATS server with JetStream, and real databases (SQLite always,
PostgreSQL too when EVENTLY_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
from evently_platform.db.engine import make_engine
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.messaging.jetstream import STREAM, ensure_stream
from nats.aio.client import Client as NATS
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tests.support import eventually

POSTGRES_URL = os.environ.get("EVENTLY_TEST_POSTGRES_URL")


@pytest.fixture(scope="session")
def nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    server = EmbeddedNats(tmp_path_factory.mktemp("nats"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def js_client(nats_server: EmbeddedNats) -> AsyncIterator[NATS]:
    """A connection with a fresh EVENTLY stream (emptied between tests)."""
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await js.delete_stream(STREAM)

    async def created() -> bool:
        try:
            await ensure_stream(js)
        except nats.js.errors.ServerError:
            # "error creating store for stream": the deleted stream's files are still going away.
            return False
        return True

    await eventually(created, timeout=15)
    yield nc
    await nc.close()


def backends() -> list[str]:
    return ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL to a fresh PostgreSQL schema, dropped afterwards (one per service or test)."""
    assert POSTGRES_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = base.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each kind: a SQLite file, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def service_dbs(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty database of the backend for each service, as each service owns its own."""
    names = ("users", "events", "notifier")
    if backend == "sqlite":
        yield {name: f"sqlite:///{tmp_path / f'{name}.db'}" for name in names}
        return
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(postgres_schema()) for name in names}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, instrument=False)
    yield engine
    engine.dispose()
