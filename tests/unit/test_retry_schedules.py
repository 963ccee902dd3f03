"""Failures are retried with exponential backoff and jitter, then given up visibly."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from evently_notifier.domain.deliveries import (
    RETRY_AFTER_CAP,
    AttemptOutcome,
    Delivery,
    DeliveryStatus,
    RetryPolicy,
    parse_retry_after,
    record_attempt,
)
from evently_platform.messaging.backoff import Backoff

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def test_backoff_doubles_until_the_cap() -> None:
    backoff = Backoff(base=1.0, factor=2.0, cap=10.0, jitter=0.0)
    assert [backoff.delay(n) for n in range(0, 7)] == [0.0, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_backoff_jitter_stays_within_its_spread() -> None:
    backoff = Backoff(base=10.0, factor=2.0, cap=100.0, jitter=0.2)
    rand = random.Random(7)
    delays = [backoff.delay(1, rand) for _ in range(200)]
    assert all(8.0 <= d <= 12.0 for d in delays)
    assert len(set(delays)) > 100  # actually jittered


def _delivery(attempts: int = 0) -> Delivery:
    return Delivery(
        id="d1",
        subscription_id="s1",
        event_id="e1",
        event_type="evently.event.created",
        payload=b"{}",
        trace_headers={},
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        last_status_code=0,
        last_error="",
        next_attempt_time=T0,
        create_time=T0,
        update_time=T0,
    )


def test_webhook_schedule_is_svix_like_over_about_a_day() -> None:
    policy = RetryPolicy(jitter=0.0)
    delays = [policy.next_delay(n) for n in range(1, policy.max_attempts + 1)]
    assert delays[:3] == [timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30)]
    assert delays[-1] is None
    assert sum((d for d in delays if d), timedelta()) == timedelta(hours=27, minutes=35, seconds=5)


def test_a_2xx_answer_succeeds_the_delivery() -> None:
    done = record_attempt(_delivery(), AttemptOutcome(204), RetryPolicy(), T0)
    assert (done.status, done.attempts, done.next_attempt_time) == (DeliveryStatus.SUCCEEDED, 1, None)


@pytest.mark.parametrize("status_code", [0, 301, 404, 500, 503])
def test_a_failed_attempt_is_rescheduled_with_its_error(status_code: int) -> None:
    policy = RetryPolicy(jitter=0.0)
    failed = record_attempt(_delivery(), AttemptOutcome(status_code, "boom"), policy, T0)
    assert failed.status is DeliveryStatus.PENDING
    assert failed.next_attempt_time == T0 + timedelta(seconds=5)
    assert (failed.last_status_code, failed.last_error) == (status_code, "boom")


def test_the_last_allowed_failure_ends_in_failed() -> None:
    policy = RetryPolicy(jitter=0.0)
    last = record_attempt(_delivery(attempts=policy.max_attempts - 1), AttemptOutcome(500, "x"), policy, T0)
    assert last.status is DeliveryStatus.FAILED
    assert last.attempts == policy.max_attempts
    assert last.next_attempt_time is None


def test_410_gone_stops_retrying_at_once() -> None:
    gone = record_attempt(_delivery(), AttemptOutcome(410, "gone"), RetryPolicy(), T0)
    assert gone.status is DeliveryStatus.FAILED


def test_a_receiver_s_retry_after_is_honoured_within_an_hour() -> None:
    policy = RetryPolicy(jitter=0.0)
    asked = record_attempt(_delivery(), AttemptOutcome(429, "slow down", timedelta(seconds=90)), policy, T0)
    assert (asked.status, asked.next_attempt_time) == (DeliveryStatus.PENDING, T0 + timedelta(seconds=90))
    greedy = record_attempt(_delivery(), AttemptOutcome(503, "", timedelta(days=3)), policy, T0)
    assert greedy.next_attempt_time == T0 + RETRY_AFTER_CAP
    gone = record_attempt(_delivery(), AttemptOutcome(410, "", timedelta(seconds=5)), policy, T0)
    assert gone.status is DeliveryStatus.FAILED  # 410 still ends it


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", T0) == timedelta(seconds=120)
    later = T0 + timedelta(minutes=2)
    assert parse_retry_after(later.strftime("%a, %d %b %Y %H:%M:%S GMT"), T0) == timedelta(minutes=2)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", T0) == timedelta(0)  # passed: now
    for nonsense in (None, "", "soon", "-5", "1.5"):
        assert parse_retry_after(nonsense, T0) is None
