"""The token bucket behind per-subscription delivery rates: bursts up to a second's worth, then
one token per 1/rate seconds, later callers queued behind earlier ones."""

from __future__ import annotations

import pytest
from evently_platform.workers.rate_limit import TokenBucket


def test_a_full_bucket_lets_a_seconds_worth_through_at_once_then_spaces_the_rest() -> None:
    bucket = TokenBucket(4, now=0.0)
    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 0.0, 0.0]
    assert [bucket.reserve(0.0) for _ in range(3)] == pytest.approx([0.25, 0.5, 0.75])


def test_tokens_come_back_with_time_up_to_the_capacity() -> None:
    bucket = TokenBucket(2, now=0.0)
    bucket.reserve(0.0)
    bucket.reserve(0.0)
    assert bucket.reserve(0.5) == pytest.approx(0.0)  # one came back in half a second
    assert bucket.reserve(100.0) == 0.0  # a long quiet spell refills to two, no more
    assert bucket.reserve(100.0) == 0.0
    assert bucket.reserve(100.0) == pytest.approx(0.5)


def test_a_rate_below_one_a_second_still_lets_one_through() -> None:
    bucket = TokenBucket(0.5, now=0.0)
    assert bucket.reserve(0.0) == 0.0
    assert bucket.reserve(0.0) == pytest.approx(2.0)
