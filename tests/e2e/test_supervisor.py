"""`evently up` supervises: should it be killed outright (SIGKILL, no chance to clean up), its
components and its NATS server go with it instead of running on, holding the ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
from evently_platform.net import free_port

from tests.e2e.conftest import System
from tests.support import wait_until


def _ready(gateway: str) -> bool:
    try:
        return httpx.get(f"{gateway}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def test_killing_the_supervisor_stops_every_component_and_the_broker(tmp_path: Path) -> None:
    addrs = {name: f"127.0.0.1:{free_port()}" for name in ("users", "events", "notifier", "gateway")}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EVENTLY_")},
        "EVENTLY_DATA_DIR": str(tmp_path),
        "EVENTLY_LOG_FORMAT": "json",
        "OTEL_TRACES_EXPORTER": "none",
        **{f"EVENTLY_{name.upper()}_ADDR": addr for name, addr in addrs.items()},
    }
    with (tmp_path / "up.log").open("wb") as log:
        up = subprocess.Popen(
            [sys.executable, "-m", "evently_cli.main", "up"], env=env, stdout=log, stderr=log
        )
    children: list[psutil.Process] = []
    try:
        wait_until(lambda: _ready(f"http://{addrs['gateway']}"), timeout=90)
        children = psutil.Process(up.pid).children()
        names = sorted(" ".join(c.cmdline()[-2:]) for c in children)
        assert len(children) == 5, names  # four components and the embedded NATS server
        assert any("nats-server" in c.cmdline()[0] for c in children), names

        up.send_signal(signal.SIGKILL)
        up.wait(10)

        def all_gone() -> bool:
            return not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)

        wait_until(all_gone, timeout=30)
    finally:
        if up.poll() is None:
            up.kill()
        for child in children:  # whatever outlived it, should this test fail
            if child.is_running():
                child.kill()


def test_the_start_says_where_to_go_without_migration_chatter(system: System) -> None:
    wait_until(lambda: "Evently is up:" in system.log.read_text())
    said = system.log.read_text()
    assert f"  web UI    {system.gateway}/\n" in said
    assert f"  API docs  {system.gateway}/docs\n" in said
    assert f"users {system.addrs['users']} · events {system.addrs['events']}" in said
    assert "  metrics   http://" in said  # the e2e system serves metrics
    assert "Running upgrade" not in said
