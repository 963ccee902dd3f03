"""The README's API walkthrough, run as a reader would paste it into a shell (the addresses
pointed at this test's system): every command must succeed and print what the next one reads."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.e2e.conftest import System

README = Path(__file__).resolve().parents[2] / "README.md"
DEFAULT_ADDRS = {"users": "127.0.0.1:50051", "events": "127.0.0.1:50052", "notifier": "127.0.0.1:50053"}


def _walkthrough() -> str:
    """The shell block under "## Calling the API"."""
    section = README.read_text().split("## Calling the API", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _pointed_at(script: str, system: System) -> str:
    for name, default in DEFAULT_ADDRS.items():
        script = script.replace(default, system.addrs[name])
    script = script.replace("localhost:8080", system.gateway.removeprefix("http://"))
    # Fresh people, as the walkthrough signs up (a second run would find them taken).
    for email in ("ann@example.com", "bo@example.com"):
        script = script.replace(email, f"{secrets.token_hex(4)}-{email}")
    return script


def _run(script: str) -> subprocess.CompletedProcess[str]:
    scripts = sysconfig.get_path("scripts")  # grpcurl comes with the project's environment
    env = {**os.environ, "PATH": f"{scripts}:{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_grpc_walkthrough_runs_as_printed(system: System) -> None:
    script = _walkthrough().split("# HTTP through the gateway", 1)[0]
    done = _run(_pointed_at(script, system))
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"organizer_id"' in done.stdout  # the event the last command created


def test_the_http_walkthrough_runs_as_printed(system: System) -> None:
    script = "# HTTP through the gateway" + _walkthrough().split("# HTTP through the gateway", 1)[1]
    # The live inbox never ends by itself: it is watched for a moment, as a reader would.
    script = script.replace("curl -sN ", "timeout 2 curl -sN ").replace(
        "# live (SSE)", "|| test $? -eq 124  # live (SSE)"
    )
    done = _run(_pointed_at(script, system).replace("curl -s", "curl -sf"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BEGIN:VCALENDAR" in done.stdout  # the calendar file
    assert '"refreshExpireTime"' in done.stdout  # the refresh token's exchange
    assert '"openapi"' in done.stdout
    assert '"dataSchema"' in done.stdout  # the event catalog
    assert '"rateLimit"' in done.stdout  # the subscription, as RecoverDeliveries answered
    assert '"winnerOptionId"' in done.stdout  # the poll, closed
    assert '"evently.watch.snapshot"' in done.stdout and '"location":"Potsdam"' in done.stdout  # moved
