"""Child processes that do not outlive their supervisor."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def dying_with_this_thread() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive SIGTERM when the thread starting it ends (on
    Linux, the kernel's parent-death signal; elsewhere nothing). Start children from the main
    thread, or they die with the worker thread that started them."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    libc = ctypes.CDLL(None, use_errno=True)

    def set_death_signal() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was set
            os._exit(1)

    return set_death_signal
