"""The notifier's use cases as its users meet them: who is told what of a registration, by which
channel, once; webhook subscriptions that only their owner sees; preferences that are obeyed.

Run through the service's own message bus (`bootstrap.message_bus`, the door the gRPC servicer
and the event consumer use) with in-memory storage instead of a database: fast, and no network.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from evently_notifier.adapters.email_worker import calendar_for
from evently_notifier.adapters.url_guard import UrlGuard
from evently_notifier.bootstrap import message_bus
from evently_notifier.domain.deliveries import DeliveryStatus
from evently_notifier.domain.facts import (
    EventChange,
    EventChanged,
    EventSnapshot,
    Fact,
    RegistrationChange,
    RegistrationChanged,
    UserDetails,
)
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import SubscriptionState
from evently_notifier.domain.unsubscribe import unsubscribe_token
from evently_notifier.service_layer.channels import MailContext
from evently_notifier.service_layer.commands import (
    CreateSubscription,
    DeleteSubscription,
    ListDeliveries,
    ListSubscriptions,
    RetryDelivery,
    RotateSecret,
    Unsubscribe,
    UpdatePreferences,
)
from evently_notifier.service_layer.consuming import ConsumeBatch, Consuming, Incoming
from evently_platform.bus import MessageBus
from evently_platform.clock import FrozenClock
from evently_platform.errors import InvalidArgument, NotFound
from evently_platform.paging import PageRequest

from tests.fakes.notifier.store import NotifierStore

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
START = NOW + timedelta(days=7)
PUBLIC_URL = "https://93.184.215.14/hooks"  # a literal public address: the guard needs no DNS
ANN, OLA = "ann", "ola"  # an attendee and the organizer
UNSUBSCRIBE_KEY = b"k" * 32


@pytest.fixture
def store() -> NotifierStore:
    return NotifierStore()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def bus(store: NotifierStore, clock: FrozenClock) -> MessageBus:
    mail = MailContext(
        base_url="https://evently.example", domain="evently.example", calendar_for=calendar_for
    )
    consuming = Consuming(consumer="notifier", uows=store.units_of_work(), clock=clock, mail=mail)
    return message_bus(
        uows=store.units_of_work(),
        consuming=consuming,
        clock=clock,
        guard=UrlGuard(allow_private=False),
        unsubscribe_key=UNSUBSCRIBE_KEY,
        base_url="https://evently.example",
    )


def _incoming(fact: Fact, event_type: str, message_id: str) -> Incoming:
    return Incoming(message_id, event_type, None, NOW, fact, f'{{"id":"{message_id}"}}'.encode(), {})


def _registered() -> RegistrationChanged:
    """Ann's confirmed seat at Ola's event a week from now."""
    event = EventSnapshot(
        id="e1", organizer_id=OLA, title="Rust meetup", start_time=START, end_time=START + timedelta(hours=2)
    )
    return RegistrationChanged(
        RegistrationChange.CREATED, "r1", "e1", ANN, "CONFIRMED", NOW, OLA, "Rust meetup", event
    )


def _registration(message_id: str = "m-reg") -> Incoming:
    return _incoming(_registered(), "evently.registration.created", message_id)


async def _people(bus: MessageBus) -> None:
    await bus.handle(
        ConsumeBatch(
            [
                _incoming(UserDetails(ANN, "ann@example.com", "Ann"), "evently.user.created", "m-ann"),
                _incoming(
                    UserDetails(OLA, "ola@example.com", "Ola", "Europe/Oslo"), "evently.user.created", "m-ola"
                ),
            ]
        )
    )


async def test_a_registration_tells_both_people_and_the_organizers_webhook_once(
    bus: MessageBus, store: NotifierStore
) -> None:
    await _people(bus)
    subscription = await bus.handle(
        CreateSubscription(OLA, PUBLIC_URL, ["evently.registration.*"], "sign-ups")
    )

    fan_out = await bus.handle(ConsumeBatch([_registration()]))

    tables = store.tables
    assert sorted((n.user_id, n.kind) for n in tables.notifications.values()) == [
        (ANN, "registration.confirmed"),
        (OLA, "registration.new"),
    ]
    mails = {e.to_address: e for e in tables.emails.values()}
    assert sorted(mails) == ["ann@example.com", "ola@example.com"]
    assert mails["ann@example.com"].subject == "You are registered for Rust meetup"
    assert mails["ann@example.com"].calendar is not None  # the confirmation carries the event
    assert mails["ola@example.com"].calendar is None
    (delivery,) = tables.deliveries.values()
    assert (delivery.subscription_id, delivery.event_type) == (
        subscription.id,
        "evently.registration.created",
    )
    assert delivery.payload == b'{"id":"m-reg"}'  # the CloudEvent as it travelled
    assert sorted(r.remind_time for r in tables.reminders.values() if r.user_id == ANN) == [
        START - timedelta(hours=24),
        START - timedelta(hours=1),
    ]
    assert [d.delivery.id for d in fan_out.deliveries] == [delivery.id]
    assert sorted(fan_out.notified_users) == [ANN, OLA]

    again = await bus.handle(ConsumeBatch([_registration()]))  # JetStream redelivers

    assert (again.deliveries, again.emails, again.notified_users) == ([], [], [])
    assert (len(store.tables.notifications), len(store.tables.emails)) == (2, 2)
    assert (len(store.tables.deliveries), len(store.tables.reminders)) == (1, 2)


async def test_someone_who_turned_email_off_is_told_in_the_app_only(
    bus: MessageBus, store: NotifierStore
) -> None:
    await _people(bus)
    await bus.handle(UpdatePreferences(ANN, ("email",), Preferences(ANN, email=False)))

    await bus.handle(ConsumeBatch([_registration()]))

    assert [n.kind for n in store.tables.notifications.values() if n.user_id == ANN] == [
        "registration.confirmed"
    ]
    assert [e.to_address for e in store.tables.emails.values()] == ["ola@example.com"]


async def test_a_webhook_to_a_private_address_is_refused_and_nothing_is_stored(
    bus: MessageBus, store: NotifierStore
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await bus.handle(CreateSubscription(OLA, "http://10.0.0.7/hooks", ["evently.event.*"], ""))

    assert [v.field for v in refused.value.violations] == ["subscription.url"]
    assert "non-public address 10.0.0.7" in refused.value.violations[0].description
    assert (store.tables.subscriptions, store.commits) == ({}, 0)


async def test_a_subscription_is_its_owners_alone(bus: MessageBus, clock: FrozenClock) -> None:
    first = await bus.handle(CreateSubscription(OLA, PUBLIC_URL, ["evently.event.*"], "first"))
    clock.at += timedelta(seconds=1)
    second = await bus.handle(CreateSubscription(OLA, PUBLIC_URL, ["evently.comment.*"], "second"))

    page = await bus.handle(ListSubscriptions(OLA, PageRequest(after=None, size=1)))
    assert [s.id for s in page.items] == [second.id]  # newest first, a page at a time
    rest = await bus.handle(ListSubscriptions(OLA, PageRequest(after=page.next_cursor, size=1)))
    assert ([s.id for s in rest.items], rest.next_cursor) == ([first.id], None)

    assert (await bus.handle(ListSubscriptions(ANN, PageRequest(after=None, size=10)))).items == []
    for someone_elses in (
        DeleteSubscription(ANN, first.id),
        RotateSecret(ANN, first.id),
        ListDeliveries(ANN, first.id, PageRequest(after=None, size=10)),
    ):
        with pytest.raises(NotFound):
            await bus.handle(someone_elses)


async def test_a_rotated_secret_still_signs_for_a_day(bus: MessageBus) -> None:
    created = await bus.handle(CreateSubscription(OLA, PUBLIC_URL, ["evently.event.*"], ""))

    rotated = await bus.handle(RotateSecret(OLA, created.id))

    assert rotated.secret.startswith("whsec_") and rotated.secret != created.secret
    assert (rotated.previous_secret, rotated.previous_secret_expire_time) == (
        created.secret,
        NOW + timedelta(hours=24),
    )


async def test_retrying_a_delivery_switches_its_subscription_back_on(
    bus: MessageBus, store: NotifierStore, clock: FrozenClock
) -> None:
    await _people(bus)
    subscription = await bus.handle(CreateSubscription(OLA, PUBLIC_URL, ["evently.registration.*"], ""))
    await bus.handle(ConsumeBatch([_registration()]))
    (delivery,) = store.tables.deliveries.values()
    with store.units_of_work()() as uow:  # as the delivery worker leaves them after giving up
        uow.subscriptions.save(replace(subscription, state=SubscriptionState.DISABLED))
        uow.deliveries.fail_pending(subscription.id, NOW, "the subscription was switched off")
        uow.commit()
    clock.at += timedelta(hours=1)

    again = await bus.handle(RetryDelivery(OLA, delivery.id))

    assert (again.status, again.next_attempt_time) == (DeliveryStatus.PENDING, clock.at)
    switched_on = store.tables.subscriptions[subscription.id]
    assert (switched_on.state, switched_on.failing_since) == (SubscriptionState.ACTIVE, clock.at)


async def test_reminders_move_with_their_event_and_go_with_the_registration(
    bus: MessageBus, store: NotifierStore
) -> None:
    await _people(bus)
    await bus.handle(ConsumeBatch([_registration()]))
    later = START + timedelta(days=1)
    moved = EventSnapshot(
        id="e1", organizer_id=OLA, title="Rust meetup", start_time=later, end_time=later + timedelta(hours=2)
    )
    update = EventChanged(EventChange.UPDATED, moved, frozenset({"start_time", "end_time"}))

    await bus.handle(ConsumeBatch([_incoming(update, "evently.event.updated", "m-moved")]))

    assert sorted(r.remind_time for r in store.tables.reminders.values()) == [
        later - timedelta(hours=24),
        later - timedelta(hours=1),
    ]
    cancelled = replace(
        _registered(),
        change=RegistrationChange.CANCELLED,
        status="CANCELLED",
        update_time=NOW + timedelta(minutes=1),
    )
    await bus.handle(ConsumeBatch([_incoming(cancelled, "evently.registration.cancelled", "m-cancel")]))

    assert store.tables.reminders == {}


async def test_a_one_click_unsubscribe_turns_off_that_kind_only_for_its_recipient(
    bus: MessageBus, store: NotifierStore
) -> None:
    await _people(bus)
    token = unsubscribe_token(UNSUBSCRIBE_KEY, ANN, "registration.confirmed")

    assert await bus.handle(Unsubscribe(token)) == "registration.confirmed"

    assert store.tables.preferences[ANN].muted_kinds == ("registration.confirmed",)
    forged = unsubscribe_token(b"another key" * 3, OLA, "registration.new")
    with pytest.raises(InvalidArgument) as refused:
        await bus.handle(Unsubscribe(forged))
    assert [v.field for v in refused.value.violations] == ["token"]
    assert OLA not in store.tables.preferences
