"""`evently up`: the whole system on one machine — an embedded NATS server when none is given,
then every component as a child process; Ctrl-C (or SIGTERM) stops them all gracefully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from evently_platform.config import Settings
from evently_platform.logging import configure_logging, get_logger
from evently_platform.messaging.accounts import PUBLISHES, generate_accounts
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.net import split_addr, wait_for_port
from evently_platform.process import dying_with_this_thread

from evently_cli.components import COMPONENTS

log = get_logger("evently.up")
STOP_TIMEOUT = 20.0


def up() -> int:
    settings = Settings.from_env()
    configure_logging("up", log_format=settings.log_format)
    if settings.listen_addr:
        raise SystemExit(
            "EVENTLY_LISTEN_ADDR is one process's listening address, and `evently up` runs four: "
            "set EVENTLY_USERS_ADDR, EVENTLY_EVENTS_ADDR, ... instead."
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "EVENTLY_DATA_DIR": str(settings.data_dir)}

    nats: EmbeddedNats | None = None
    if not settings.nats_urls:
        # Each service connects as its own account, which may publish its own events only.
        nats = EmbeddedNats(settings.data_dir / "nats", supervised=True, accounts=generate_accounts())
        nats.start()
        log.info("up.nats_started", url=nats.url, store=str(nats.store_dir))

    stopping = False

    def request_stop(signum: int, _: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    children: dict[str, subprocess.Popen[bytes]] = {}
    exit_code = 0
    try:
        for component in COMPONENTS:
            children[component] = subprocess.Popen(
                [sys.executable, "-m", "evently_cli.main", "serve", component],
                env=component_env(env, settings, component, nats),
                start_new_session=True,  # we forward signals ourselves, once
                preexec_fn=dying_with_this_thread(),  # killed with us, even by SIGKILL
            )
        _announce_when_listening(settings, children)
        while not stopping:
            for component, child in children.items():
                if child.poll() is not None:
                    log.error("up.component_exited", component=component, code=child.returncode)
                    stopping = True
                    exit_code = 1
            time.sleep(0.2)
    finally:
        log.info("up.stopping")
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for component, child in children.items():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("up.killing", component=component)
                child.kill()
                child.wait()
        if nats is not None:
            nats.stop()
        log.info("up.stopped")
    return exit_code


def _announce_when_listening(settings: Settings, children: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + 120
    for component in COMPONENTS:
        host, port = split_addr(settings.addrs[component])
        while True:
            if any(child.poll() is not None for child in children.values()):
                return  # the main loop reports it
            try:
                wait_for_port(host, port, timeout=0.5)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    log.warning("up.slow_start", component=component)
                    return
    print(started_banner(settings), file=sys.stderr, flush=True)


def started_banner(settings: Settings) -> str:
    """Where to go now: the web UI and API docs first, then what developers dial."""
    lines = [
        "",
        "Evently is up:",
        f"  web UI    {settings.public_url}/",
        f"  API docs  {settings.public_url}/docs",
        "  gRPC      " + " · ".join(f"{c} {settings.addrs[c]}" for c in COMPONENTS if c != "gateway"),
    ]
    if settings.metrics_addr:
        host, port = split_addr(settings.metrics_addr)
        lines.append(f"  metrics   http://{host}:{port}/metrics (and the next {len(COMPONENTS) - 1} ports)")
    lines += [f"  data      {Path(settings.data_dir)}", "Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


def component_env(
    env: dict[str, str], settings: Settings, component: str, nats: EmbeddedNats | None = None
) -> dict[str, str]:
    """One component's environment: the embedded broker's URL with its own account (the gateway
    needs none), and metrics, when asked for at `host:port`, served by the components on that port
    and the next ones, in the order of COMPONENTS."""
    env = dict(env)
    if nats is not None and component in PUBLISHES:
        env["EVENTLY_NATS_URL"] = nats.url_for(component)
    if settings.metrics_addr:
        host, port = split_addr(settings.metrics_addr)
        env["EVENTLY_METRICS_ADDR"] = f"{host}:{port + COMPONENTS.index(component)}"
    return env
