"""Each process imports only its own component, so each composition root must import on its own
in a fresh interpreter — an import cycle hidden by another module's import order shows here."""

from __future__ import annotations

import subprocess
import sys

import pytest

ROOTS = [
    "evently_users.bootstrap",
    "evently_events.bootstrap",
    "evently_notifier.bootstrap",
    "evently_gateway.server",
    "evently_cli.main",
]


@pytest.mark.parametrize("module", ROOTS)
def test_the_composition_root_imports_alone(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_gateway_loads_no_database_or_broker_library() -> None:
    probe = (
        "import sys, evently_cli.components, evently_gateway.server\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'nats') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "[]"
