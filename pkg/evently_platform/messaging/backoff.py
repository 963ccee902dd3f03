"""Exponential backoff with jitter — pure, so schedules can be unit-tested."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 after n failures: base·factorⁿ⁻¹, capped, ±jitter."""

    base: float = 1.0
    factor: float = 2.0
    cap: float = 300.0
    jitter: float = 0.2  # fraction of the delay, drawn uniformly on each side

    def delay(self, failures: int, rand: random.Random | None = None) -> float:
        if failures < 1:
            return 0.0
        raw = min(self.cap, self.base * self.factor ** (failures - 1))
        if not self.jitter:
            return raw
        spread = raw * self.jitter
        return max(0.0, (rand or random).uniform(raw - spread, raw + spread))
