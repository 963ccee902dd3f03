"""A service process keeps at most two malloc arenas however many threads allocate at once
(glibc), unless the operator set MALLOC_ARENA_MAX; measured by glibc's own malloc_stats."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Sixteen threads allocate and free at once; glibc then reports one "Arena N:" block per arena.
CHURN = """
import ctypes, ctypes.util, sys, threading
from evently_platform.memory import limit_malloc_arenas
if sys.argv[1] == "cap":
    print("capped:", limit_malloc_arenas(), flush=True)
start = threading.Barrier(16)
def churn():
    start.wait()
    for _ in range(2000):
        blocks = [bytearray(1024) for _ in range(50)]
        del blocks
threads = [threading.Thread(target=churn) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
ctypes.CDLL(ctypes.util.find_library("c")).malloc_stats()
"""

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
    reason="malloc arenas are glibc's",
)


def _arenas(mode: str, **env: str) -> tuple[int, str]:
    pkg = str(Path(__file__).resolve().parents[2] / "pkg")
    environment = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [pkg, environment.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-c", CHURN, mode], env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    arenas = sum(line.startswith("Arena ") for line in done.stderr.splitlines())
    return arenas, done.stdout


def test_many_threads_share_two_arenas_once_capped() -> None:
    uncapped, _ = _arenas("none")
    capped, said = _arenas("cap")
    assert uncapped > 2  # without the cap glibc made more (one per thread, up to 8 a core)
    assert capped == 2
    assert "capped: True" in said


def test_an_operators_malloc_arena_max_stands() -> None:
    arenas, said = _arenas("cap", MALLOC_ARENA_MAX="3")
    assert "capped: False" in said
    assert arenas == 3
