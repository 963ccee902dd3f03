"""The whole system as `evently up` runs it, shared by the end-to-end tests (one per backend)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from evently_cli.components import COMPONENTS
from evently_platform.net import free_port

from tests.conftest import backends, postgres_schema
from tests.e2e.otlp_collector import Collector
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import free_ports_in_a_row, wait_until

# The one foreign origin the system under test lets browsers call it from.
CORS_ORIGIN = "https://app.example.org"


@dataclass
class System:
    addrs: dict[str, str]
    gateway: str
    collector: Collector
    process: subprocess.Popen[bytes]
    log: Path
    db_urls: dict[str, str]  # each service's own database
    metrics: dict[str, str]  # each component's Prometheus endpoint


@pytest.fixture(scope="session", params=backends())
def databases(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The databases of the system the end-to-end tests share, one per backend."""
    with contextlib.ExitStack() as stack:
        yield fresh_databases(request.param, stack)


@contextlib.contextmanager
def running_system(
    data_dir: Path, databases: dict[str, str], extra_env: dict[str, str] | None = None
) -> Iterator[System]:
    """`evently up` on free ports, traced into a local collector; stopped with SIGINT, which must
    end it cleanly (exit status 0)."""
    collector = Collector()
    collector.start()
    addrs = {name: f"127.0.0.1:{free_port()}" for name in ("users", "events", "notifier", "gateway")}
    metrics_port = free_ports_in_a_row(len(COMPONENTS))
    metrics = {name: f"http://127.0.0.1:{metrics_port + i}/metrics" for i, name in enumerate(COMPONENTS)}
    env = {
        **os.environ,
        "EVENTLY_DATA_DIR": str(data_dir),
        "EVENTLY_USERS_ADDR": addrs["users"],
        "EVENTLY_EVENTS_ADDR": addrs["events"],
        "EVENTLY_NOTIFIER_ADDR": addrs["notifier"],
        "EVENTLY_GATEWAY_ADDR": addrs["gateway"],
        "EVENTLY_WEBHOOK_ALLOW_PRIVATE": "true",
        "EVENTLY_LOG_FORMAT": "json",
        "EVENTLY_CORS_ORIGINS": CORS_ORIGIN,
        "EVENTLY_METRICS_ADDR": f"127.0.0.1:{metrics_port}",  # the next ports serve the others
        "OTEL_TRACES_EXPORTER": "otlp",
        "EVENTLY_TRACE_SQL": "true",  # the spine test follows a request into the database too
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}",
        "OTEL_EXPORTER_OTLP_INSECURE": "true",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    for name in (
        "EVENTLY_NATS_URL",
        "EVENTLY_USERS_DB_URL",
        "EVENTLY_EVENTS_DB_URL",
        "EVENTLY_NOTIFIER_DB_URL",
    ):
        env.pop(name, None)
    env.update(databases)
    env.update(extra_env or {})
    log = data_dir / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "evently_cli.main", "up"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    gateway = f"http://{addrs['gateway']}"

    def ready() -> bool:
        assert process.poll() is None, f"evently up exited early:\n{log.read_text()[-3000:]}"
        try:
            return httpx.get(f"{gateway}/readyz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(ready, timeout=90)
    db_urls = {
        name: databases.get(f"EVENTLY_{name.upper()}_DB_URL") or f"sqlite:///{data_dir / f'{name}.db'}"
        for name in ("users", "events", "notifier")
    }
    yield System(addrs, gateway, collector, process, log, db_urls, metrics)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    finally:
        collector.stop()
    assert process.returncode == 0, log.read_text()[-3000:]


def fresh_databases(backend: str, stack: contextlib.ExitStack) -> dict[str, str]:
    """Each service's own database: SQLite files in the data dir, or a new PostgreSQL schema each."""
    if backend == "sqlite":
        return {}
    return {
        f"EVENTLY_{name.upper()}_DB_URL": stack.enter_context(postgres_schema())
        for name in ("users", "events", "notifier")
    }


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory, databases: dict[str, str]) -> Iterator[System]:
    with running_system(tmp_path_factory.mktemp("evently"), databases) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
