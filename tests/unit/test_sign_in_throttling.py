"""Sign-in throttling rules: free failures, then locks that double, capped, and forgotten in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently_users.domain.throttling import ACCOUNT_POLICY, CLIENT_POLICY, FailedAttempts, record_failure

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _fail(times: int, *, every: timedelta = timedelta(seconds=1)) -> FailedAttempts:
    state = None
    for n in range(times):
        state = record_failure(state, "account:ada@example.com", T0 + n * every, ACCOUNT_POLICY)
    assert state is not None
    return state


def test_the_first_failures_are_free() -> None:
    state = _fail(4)
    assert state.failures == 4
    assert state.locked_for(state.last_failure) is None


def test_from_the_fifth_failure_each_one_doubles_the_lock() -> None:
    locks = [_fail(n).locked_for(_fail(n).last_failure) for n in (5, 6, 7, 8)]
    assert locks == [timedelta(seconds=s) for s in (1, 2, 4, 8)]


def test_the_lock_is_capped_at_fifteen_minutes() -> None:
    state = _fail(40, every=timedelta(seconds=0))
    assert state.locked_for(T0) == timedelta(minutes=15)


def test_a_lock_ends_when_its_time_is_up() -> None:
    state = _fail(5)
    assert state.locked_for(state.last_failure + timedelta(seconds=1)) is None


def test_old_failures_are_forgotten() -> None:
    state = _fail(4)
    later = record_failure(state, state.key, state.last_failure + timedelta(hours=2), ACCOUNT_POLICY)
    assert later.failures == 1


def test_a_shared_client_address_gets_more_room_than_an_account() -> None:
    assert CLIENT_POLICY.free_failures > ACCOUNT_POLICY.free_failures
    assert CLIENT_POLICY.lock_after(CLIENT_POLICY.free_failures - 1) == timedelta(0)
