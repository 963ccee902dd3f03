"""Sign-in throttling (OWASP Authentication Cheat Sheet): a few free failures, then a lock that
doubles with every further failure, up to a cap. Counted per account and per client, so a
guesser is slowed whether it tries many passwords on one account or one password on many.
Pure Python: the state is a value; the service layer stores it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int
    first_lock: timedelta = timedelta(seconds=1)
    longest_lock: timedelta = timedelta(minutes=15)
    # Failures this old are forgotten: a user who mistyped yesterday starts afresh.
    memory: timedelta = timedelta(hours=1)

    def lock_after(self, failures: int) -> timedelta:
        """How long the key is locked after its `failures`-th failure (zero while free)."""
        beyond = failures - self.free_failures
        if beyond < 0:
            return timedelta(0)
        lock: timedelta = min(self.first_lock * (2 ** min(beyond, 30)), self.longest_lock)
        return lock


ACCOUNT_POLICY = ThrottlePolicy(free_failures=5)
# A client (address) may be shared by many people (an office, a NAT): it gets more room.
CLIENT_POLICY = ThrottlePolicy(free_failures=20)


@dataclass(frozen=True)
class FailedAttempts:
    key: str
    failures: int
    last_failure: datetime
    locked_until: datetime | None

    def locked_for(self, now: datetime) -> timedelta | None:
        if self.locked_until is None or self.locked_until <= now:
            return None
        return self.locked_until - now


def record_failure(
    previous: FailedAttempts | None, key: str, now: datetime, policy: ThrottlePolicy
) -> FailedAttempts:
    failures = 1
    if previous is not None and now - previous.last_failure < policy.memory:
        failures = previous.failures + 1
    lock = policy.lock_after(failures)
    state = previous or FailedAttempts(key=key, failures=0, last_failure=now, locked_until=None)
    return replace(state, failures=failures, last_failure=now, locked_until=now + lock if lock else None)


def account_key(email: str) -> str:
    return f"account:{email}"


def client_key(client: str) -> str:
    return f"client:{client}"
