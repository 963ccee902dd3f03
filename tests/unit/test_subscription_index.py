"""The in-memory index of subscriptions answers what a query per event would."""

from __future__ import annotations

from datetime import UTC, datetime

from evently_notifier.domain.subscriptions import Subscription, SubscriptionState
from evently_notifier.service_layer.subscription_index import SubscriptionIndex


class _Subscriptions:
    def __init__(self, *subscriptions: Subscription) -> None:
        self.stored = list(subscriptions)
        self.number = 1
        self.loads = 0

    def version(self) -> int:
        return self.number

    def active(self) -> list[Subscription]:
        self.loads += 1
        return [s for s in self.stored if s.state is SubscriptionState.ACTIVE]


class _Uow:
    def __init__(self, subscriptions: _Subscriptions) -> None:
        self.subscriptions = subscriptions


def _subscription(sid: str, *patterns: str) -> Subscription:
    return Subscription(
        sid, "olga", "https://hooks.example.com", list(patterns), "", "whsec_x", SubscriptionState.ACTIVE,
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def test_exact_types_prefixes_and_everything_match_each_subscription_once() -> None:
    store = _Subscriptions(
        _subscription("exact", "evently.registration.created"),
        _subscription("prefix", "evently.registration.*", "evently.registration.created"),
        _subscription("all", "*"),
        _subscription("other", "evently.comment.added"),
    )
    index = SubscriptionIndex()
    index.refresh(_Uow(store))  # type: ignore[arg-type]
    assert sorted(s.id for s in index.wanting("evently.registration.created")) == ["all", "exact", "prefix"]
    assert sorted(s.id for s in index.wanting("evently.event.created")) == ["all"]


def test_the_index_reloads_only_when_the_version_moves_or_after_a_rollback() -> None:
    store = _Subscriptions(_subscription("a", "*"))
    uow, index = _Uow(store), SubscriptionIndex()
    index.refresh(uow)  # type: ignore[arg-type]
    index.refresh(uow)  # type: ignore[arg-type]
    assert store.loads == 1
    store.stored.append(_subscription("b", "*"))
    store.number += 1
    index.refresh(uow)  # type: ignore[arg-type]
    assert [s.id for s in index.wanting("evently.event.created")] == ["a", "b"]
    index.forget()
    index.refresh(uow)  # type: ignore[arg-type]
    assert store.loads == 3
