"""A delivery is one domain event on its way to one subscription. Pure Python."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

# How long a claimed attempt is this worker's before another may take it: longer than it may wait
# in memory to start (the worker kit's hold, 20 s) plus an attempt's whole deadline (15 s), with
# room for recording its outcome.
ATTEMPT_LEASE = timedelta(seconds=60)


class DeliveryStatus(enum.Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Delivery:
    id: str
    subscription_id: str
    event_id: str
    event_type: str
    payload: bytes
    trace_headers: dict[str, str]
    status: DeliveryStatus
    attempts: int
    last_status_code: int
    last_error: str
    next_attempt_time: datetime | None
    create_time: datetime
    update_time: datetime


@dataclass(frozen=True)
class Attempt:
    """One try, as the delivery log shows it."""

    number: int
    status_code: int
    error: str
    attempt_time: datetime
    response: str = ""  # the start of the answer's body (up to 4 KiB), as text


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int  # 0: no HTTP answer (timeout, refused, ...)
    error: str = ""
    retry_after: timedelta | None = None  # the receiver's Retry-After, when it sent one
    response: str = ""  # the start of the answer's body, for the delivery log

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status_code < 300


RETRY_AFTER_CAP = timedelta(hours=1)  # a receiver may ask for a pause, not for silence


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """An HTTP Retry-After (RFC 9110: seconds, or an HTTP date) as a wait from `now`; None when
    absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(timedelta(0), when - now)


@dataclass(frozen=True)
class RetryPolicy:
    """Delays after each failed attempt (Svix's schedule: 5 s … 10 h over ~28 h), with jitter."""

    delays: tuple[timedelta, ...] = field(
        default=(
            timedelta(seconds=5),
            timedelta(minutes=5),
            timedelta(minutes=30),
            timedelta(hours=2),
            timedelta(hours=5),
            timedelta(hours=10),
            timedelta(hours=10),
        )
    )
    jitter: float = 0.2
    # A subscription failing continuously for this long is switched off (domain.subscriptions).
    disable_after: timedelta = timedelta(days=5)

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def next_delay(self, attempts_made: int, rand: random.Random | None = None) -> timedelta | None:
        """None when `attempts_made` attempts exhaust the schedule."""
        if attempts_made > len(self.delays):
            return None
        base = self.delays[attempts_made - 1]
        spread = base.total_seconds() * self.jitter
        return timedelta(
            seconds=(rand or random).uniform(base.total_seconds() - spread, base.total_seconds() + spread)
        )


def record_attempt(
    delivery: Delivery, outcome: AttemptOutcome, policy: RetryPolicy, now: datetime
) -> Delivery:
    attempts = delivery.attempts + 1
    attempted = replace(
        delivery,
        attempts=attempts,
        last_status_code=outcome.status_code,
        last_error=outcome.error[:1000],
        update_time=now,
    )
    if outcome.succeeded:
        return replace(attempted, status=DeliveryStatus.SUCCEEDED, next_attempt_time=None)
    delay = policy.next_delay(attempts)
    if delay is None or outcome.status_code == 410:  # 410 Gone: the receiver asks us to stop
        return replace(attempted, status=DeliveryStatus.FAILED, next_attempt_time=None)
    if outcome.retry_after is not None:  # the receiver said when: that, within reason
        delay = min(outcome.retry_after, RETRY_AFTER_CAP)
    return replace(attempted, status=DeliveryStatus.PENDING, next_attempt_time=now + delay)
