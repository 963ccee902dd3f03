"""NotifierService over gRPC: proto in → command → the bus → proto out."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Callable

import grpc
from evently.notifier.v1 import (
    notification_pb2,
    notifier_service_pb2,
    notifier_service_pb2_grpc,
    subscription_pb2,
)
from evently_platform.auth.principal import require_principal
from evently_platform.bus import MessageBus
from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.grpc.dead_letters import DeadLetterEndpoints, DeadLetterMethods
from evently_platform.grpc.pagination import page_request
from evently_platform.grpc.timestamps import optional_time
from evently_platform.grpc.translate import caller_id, empty, listed, page_reply, translated
from evently_platform.messaging.contracts import CONTRACTS
from evently_platform.messaging.examples import EXAMPLE_TIME, example_event
from evently_platform.messaging.json_schema import json_schema
from evently_platform.paging import PageRequest

from evently_notifier.adapters.inbox_hub import InboxHub
from evently_notifier.adapters.protos import (
    delivery_to_proto,
    notification_to_proto,
    preferences_to_proto,
    reminder_to_proto,
    subscription_to_proto,
)
from evently_notifier.adapters.recoveries import Recoveries
from evently_notifier.domain.chat import DeliveryFormat
from evently_notifier.domain.routing import Preferences
from evently_notifier.domain.subscriptions import NEVER_DELIVERED, Subscription
from evently_notifier.service_layer import commands, webhooks

SERVICE = notifier_service_pb2.DESCRIPTOR.services_by_name["NotifierService"].full_name
PUBLIC_METHODS: frozenset[str] = frozenset({f"/{SERVICE}/Unsubscribe", f"/{SERVICE}/ListEventTypes"})


def _create_subscription(
    request: notifier_service_pb2.CreateSubscriptionRequest,
) -> commands.CreateSubscription:
    return commands.CreateSubscription(
        owner_id=caller_id(),
        url=request.subscription.url,
        event_types=list(request.subscription.event_types),
        description=request.subscription.description,
        format=_delivery_format(request.subscription.format),
        rate_limit=request.subscription.rate_limit,
    )


def _with_secret(subscription: Subscription) -> subscription_pb2.Subscription:
    """A subscription as its owner sees it once, when it is made or its secret rotated."""
    return subscription_to_proto(subscription, with_secret=True)


def _update_preferences(request: notifier_service_pb2.UpdatePreferencesRequest) -> commands.UpdatePreferences:
    user_id = caller_id()
    wanted = Preferences(
        user_id=user_id,
        email=request.preferences.email,
        in_app=request.preferences.in_app,
        muted_kinds=tuple(request.preferences.muted_kinds),
    )
    return commands.UpdatePreferences(user_id, tuple(request.update_mask.paths), wanted)


class NotifierServicer(DeadLetterEndpoints, notifier_service_pb2_grpc.NotifierServiceServicer):
    def __init__(
        self,
        *,
        bus: MessageBus,
        dead_letters: DeadLetterMethods,
        hub: InboxHub | None = None,
        watch_poll_seconds: float = 2.0,
        on_retry: Callable[[], None] | None = None,
        recoveries: Recoveries | None = None,
    ) -> None:
        self.bus = bus
        self._recoveries = recoveries
        self._dead_letters = dead_letters
        self._on_retry = on_retry
        self._hub = hub or InboxHub()
        self._watch_poll_seconds = watch_poll_seconds

    CreateSubscription = translated(
        notifier_service_pb2.CreateSubscriptionRequest, _create_subscription, _with_secret
    )
    ListSubscriptions = listed(
        notifier_service_pb2.ListSubscriptionsRequest,
        lambda r: commands.ListSubscriptions(caller_id(), page_request(r)),
        notifier_service_pb2.ListSubscriptionsResponse,
        "subscriptions",
        subscription_to_proto,
    )
    DeleteSubscription = translated(
        notifier_service_pb2.DeleteSubscriptionRequest,
        lambda r: commands.DeleteSubscription(caller_id(), r.id),
        empty,
    )
    RotateSubscriptionSecret = translated(
        notifier_service_pb2.RotateSubscriptionSecretRequest,
        lambda r: commands.RotateSecret(caller_id(), r.id),
        _with_secret,
    )
    MarkNotificationsRead = translated(
        notifier_service_pb2.MarkNotificationsReadRequest,
        lambda r: commands.MarkRead(caller_id(), list(r.ids)),
        lambda marked: notifier_service_pb2.MarkNotificationsReadResponse(marked_count=marked),
    )
    GetPreferences = translated(
        notifier_service_pb2.GetPreferencesRequest,
        lambda r: commands.GetPreferences(caller_id()),
        preferences_to_proto,
    )
    UpdatePreferences = translated(
        notifier_service_pb2.UpdatePreferencesRequest, _update_preferences, preferences_to_proto
    )
    Unsubscribe = translated(
        notifier_service_pb2.UnsubscribeRequest,
        lambda r: commands.Unsubscribe(r.token),
        lambda kind: notifier_service_pb2.UnsubscribeResponse(kind=kind),
    )
    CreateReminder = translated(
        notifier_service_pb2.CreateReminderRequest,
        lambda r: commands.CreateReminder(
            caller_id(), r.event_id, optional_time(r, "remind_time", "remind_time")
        ),
        reminder_to_proto,
    )
    ListReminders = listed(
        notifier_service_pb2.ListRemindersRequest,
        lambda r: commands.ListReminders(caller_id(), r.event_id, page_request(r)),
        notifier_service_pb2.ListRemindersResponse,
        "reminders",
        reminder_to_proto,
    )
    DeleteReminder = translated(
        notifier_service_pb2.DeleteReminderRequest,
        lambda r: commands.DeleteReminder(caller_id(), r.id),
        empty,
    )

    async def ListDeliveries(
        self, request: notifier_service_pb2.ListDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListDeliveriesResponse:
        caller = require_principal()
        cmd = commands.ListDeliveries(caller.user_id, request.subscription_id, page_request(request))
        log = await self.bus.handle(cmd)
        return page_reply(
            notifier_service_pb2.ListDeliveriesResponse,
            "deliveries",
            log.deliveries,
            lambda d: delivery_to_proto(d, log.attempts.get(d.id, [])),
            request,
        )

    async def ListNotifications(
        self, request: notifier_service_pb2.ListNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListNotificationsResponse:
        caller = require_principal()
        cmd = commands.ListNotifications(caller.user_id, page_request(request), request.unread_only)
        inbox = await self.bus.handle(cmd)
        return page_reply(
            notifier_service_pb2.ListNotificationsResponse,
            "notifications",
            inbox.notifications,
            notification_to_proto,
            request,
            unread_count=inbox.unread_count,
        )

    async def WatchNotifications(
        self, request: notifier_service_pb2.WatchNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[notification_pb2.Notification]:
        caller = require_principal()
        user_id = caller.user_id
        seen = await self.bus.handle(commands.NewestNotification(user_id))
        # Headers now: the client knows the watch is live, and from which point (the gateway
        # also learns that the call was accepted before it starts a Server-Sent Events reply).
        await context.send_initial_metadata(())
        if request.include_unread:
            unread = commands.ListNotifications(user_id, PageRequest(after=None, size=100), unread_only=True)
            inbox = await self.bus.handle(unread)
            for notification in reversed(inbox.notifications.items):  # oldest first
                yield notification_to_proto(notification)
        while True:
            for notification in await self.bus.handle(commands.NewerNotifications(user_id, seen)):
                seen = (notification.create_time, notification.id)
                yield notification_to_proto(notification)
            await self._hub.wait(user_id, self._watch_poll_seconds)

    async def RetryDelivery(
        self, request: notifier_service_pb2.RetryDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> subscription_pb2.Delivery:
        caller = require_principal()
        delivery = await self.bus.handle(commands.RetryDelivery(caller.user_id, request.id))
        if self._on_retry is not None:
            self._on_retry()
        return delivery_to_proto(delivery)

    async def ListEventTypes(
        self, request: notifier_service_pb2.ListEventTypesRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListEventTypesResponse:
        return _event_catalog()

    async def SendTestEvent(
        self, request: notifier_service_pb2.SendTestEventRequest, context: grpc.aio.ServicerContext
    ) -> subscription_pb2.Delivery:
        caller = require_principal()
        delivery = await self.bus.handle(commands.SendTestEvent(caller.user_id, request.subscription_id))
        if self._on_retry is not None:
            self._on_retry()  # the delivery worker claims it now, not at its next poll
        return delivery_to_proto(delivery)

    async def RecoverDeliveries(
        self, request: notifier_service_pb2.RecoverDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.RecoverDeliveriesResponse:
        caller = require_principal()
        if self._recoveries is None:
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, "recovery is not wired in this process")
        assert self._recoveries is not None
        since = optional_time(request, "since", "since")
        subscription, count = await self._recoveries.recover(caller.user_id, request.subscription_id, since)
        return notifier_service_pb2.RecoverDeliveriesResponse(
            subscription=subscription_to_proto(subscription), delivery_count=count
        )


def _delivery_format(value: int) -> DeliveryFormat:
    if value == subscription_pb2.Subscription.FORMAT_UNSPECIFIED:
        return DeliveryFormat.CLOUDEVENTS
    try:
        return DeliveryFormat(subscription_pb2.Subscription.Format.Name(value))  # type: ignore[arg-type]
    except ValueError:  # a number no version of the enum has (proto3 keeps unknown values)
        choices = ", ".join(f.value for f in DeliveryFormat)
        raise InvalidArgument([FieldViolation("subscription.format", f"must be one of {choices}")]) from None


_EXAMPLE_ID = "0b5c8a1e9f2d4c7a8e6b3d1f0a9c2e4b"
_TEST_EVENT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {"message": {"type": "string"}, "subscriptionId": {"type": "string"}},
    "additionalProperties": False,
}


@functools.cache
def _event_catalog() -> notifier_service_pb2.ListEventTypesResponse:
    """Built once: the contracts do not change while the process runs."""
    types = [
        notifier_service_pb2.EventType(
            type=contract.event_type,
            description=contract.description,
            data_schema=json.dumps(json_schema(contract.payload.DESCRIPTOR)),  # type: ignore[arg-type]
            example=json.dumps(example_event(contract), indent=2),
        )
        for contract in sorted(CONTRACTS.values(), key=lambda c: c.event_type)
        if contract.event_type not in NEVER_DELIVERED
    ]
    types.append(
        notifier_service_pb2.EventType(
            type=webhooks.TEST_EVENT_TYPE,
            description="A test event, sent on request to one subscription (SendTestEvent).",
            data_schema=json.dumps(_TEST_EVENT_SCHEMA),
            example=json.dumps(webhooks.test_event(_EXAMPLE_ID, EXAMPLE_TIME).to_cloudevent(), indent=2),
        )
    )
    return notifier_service_pb2.ListEventTypesResponse(event_types=types)
