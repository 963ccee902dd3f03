"""When a webhook subscription is failing, switched off, or recovered: by time, not by one answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently_notifier.domain.facts import SubscriptionHealth
from evently_notifier.domain.subscriptions import (
    HealthChange,
    Subscription,
    SubscriptionState,
    after_attempt,
    may_read,
    receives,
)

T0 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
FIVE_DAYS = timedelta(days=5)


def _subscription(**fields: object) -> Subscription:
    base = Subscription(
        id="s1",
        owner_id="olga",
        url="https://hooks.example.com/evently",
        event_types=["*"],
        description="",
        secret="whsec_x",
        state=SubscriptionState.ACTIVE,
        create_time=T0,
    )
    for name, value in fields.items():
        setattr(base, name, value)
    return base


def _after(
    subscription: Subscription, *, ok: bool, at: datetime, gone: bool = False
) -> tuple[Subscription, object]:
    return after_attempt(subscription, succeeded=ok, gone=gone, now=at, disable_after=FIVE_DAYS)


def test_the_first_failure_starts_the_clock_and_says_failing() -> None:
    after, change = _after(_subscription(), ok=False, at=T0)
    assert change is HealthChange.FAILING
    assert (after.state, after.failing_since) == (SubscriptionState.ACTIVE, T0)


def test_failures_within_the_period_change_nothing() -> None:
    failing = _subscription(failing_since=T0)
    after, change = _after(failing, ok=False, at=T0 + FIVE_DAYS - timedelta(seconds=1))
    assert change is None and after.state is SubscriptionState.ACTIVE and after.failing_since == T0


def test_a_failure_after_failing_for_the_whole_period_switches_it_off() -> None:
    after, change = _after(_subscription(failing_since=T0), ok=False, at=T0 + FIVE_DAYS)
    assert change is HealthChange.DISABLED and after.state is SubscriptionState.DISABLED


def test_410_gone_switches_it_off_at_once() -> None:
    after, change = _after(_subscription(), ok=False, gone=True, at=T0)
    assert change is HealthChange.DISABLED and after.state is SubscriptionState.DISABLED


def test_any_success_resets_the_clock_and_says_recovered() -> None:
    after, change = _after(_subscription(failing_since=T0), ok=True, at=T0 + timedelta(days=4))
    assert change is HealthChange.RECOVERED and after.failing_since is None
    # …so failing again starts a new five days.
    again, change = _after(after, ok=False, at=T0 + timedelta(days=4, hours=1))
    assert change is HealthChange.FAILING and again.failing_since == T0 + timedelta(days=4, hours=1)


def test_a_success_on_a_healthy_subscription_is_not_news() -> None:
    assert _after(_subscription(), ok=True, at=T0)[1] is None


def test_a_switched_off_subscription_stays_so_whatever_late_answers_say() -> None:
    off = _subscription(state=SubscriptionState.DISABLED, failing_since=T0)
    assert _after(off, ok=True, at=T0 + FIVE_DAYS)[1] is None
    assert _after(off, ok=False, at=T0 + FIVE_DAYS)[0].state is SubscriptionState.DISABLED


def test_news_of_a_subscription_is_for_its_owner_only() -> None:
    news = SubscriptionHealth("disabled", "s1", "olga", "https://hooks.example.com", "HTTP 500")
    assert may_read("olga", "evently.subscription.disabled", "s1", news)
    assert not may_read("someone-else", "evently.subscription.disabled", "s1", news)


def test_a_subscription_is_not_sent_the_news_of_its_own_health() -> None:
    news = SubscriptionHealth("failing", "s1", "olga", "https://hooks.example.com", "HTTP 500")
    assert not receives(_subscription(), "evently.subscription.failing", "s1", news)
    assert receives(_subscription(id="s2"), "evently.subscription.failing", "s1", news)
