"""Fewer malloc arenas for a service process.

glibc gives threads that allocate at the same time arenas of their own, up to eight per core,
and memory freed in one arena is not reused by another: a process whose worker threads each
run database work (the notifier's transactions, gRPC's threads, SQLite) keeps every arena's
high-water mark. Capping the arenas at two (what `MALLOC_ARENA_MAX=2` does, set before any
thread starts) measured 122 to 128 MB of RSS for the notifier after a 500 and a 1,000/s step
against 130 to 137 MB uncapped (bench/README.md). An explicit `MALLOC_ARENA_MAX` in the
environment wins; elsewhere than glibc this does nothing."""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # glibc's malloc.h
DEFAULT_ARENAS = 2


def limit_malloc_arenas(arenas: int = DEFAULT_ARENAS) -> bool:
    """Caps glibc's malloc arenas for threads started from now on; whether it did."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False  # glibc read it at start-up: the operator's choice stands
    try:
        # The process's own symbols, libc's among them: no search for the library on disk.
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_ARENA_MAX, arenas))
