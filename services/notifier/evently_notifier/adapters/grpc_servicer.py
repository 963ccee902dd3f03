"""NotifierService over gRPC: proto in → command → use case (in a worker thread) → proto out."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Callable

import grpc
from evently.notifier.v1 import (
    notification_pb2,
    notifier_service_pb2,
    notifier_service_pb2_grpc,
    reminder_pb2,
    subscription_pb2,
)
from evently.operations.v1 import dead_letter_pb2
from evently_platform.auth.principal import require_principal
from evently_platform.clock import Clock
from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.grpc.dead_letters import DeadLetterMethods
from evently_platform.grpc.pagination import decode_time_cursor, encode_time_cursor, page_size
from evently_platform.grpc.timestamps import optional_time
from evently_platform.messaging.contracts import CONTRACTS
from evently_platform.messaging.examples import EXAMPLE_TIME, example_event
from evently_platform.messaging.json_schema import json_schema
from google.protobuf import empty_pb2

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
from evently_notifier.domain.subscriptions import NEVER_DELIVERED
from evently_notifier.service_layer import inbox, reminders, webhooks
from evently_notifier.service_layer.ports import UnitOfWork, UrlGuard

SERVICE = notifier_service_pb2.DESCRIPTOR.services_by_name["NotifierService"].full_name
PUBLIC_METHODS: frozenset[str] = frozenset({f"/{SERVICE}/Unsubscribe", f"/{SERVICE}/ListEventTypes"})


class NotifierServicer(notifier_service_pb2_grpc.NotifierServiceServicer):
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        guard: UrlGuard,
        clock: Clock,
        dead_letters: DeadLetterMethods,
        hub: InboxHub | None = None,
        watch_poll_seconds: float = 2.0,
        on_retry: Callable[[], None] | None = None,
        unsubscribe_key: bytes = b"",
        base_url: str = "",
        recoveries: Recoveries | None = None,
    ) -> None:
        self._recoveries = recoveries
        self._base_url = base_url
        self._dead_letters = dead_letters
        self._unsubscribe_key = unsubscribe_key
        self._on_retry = on_retry
        self._uow = uow
        self._guard = guard
        self._clock = clock
        self._hub = hub or InboxHub()
        self._watch_poll_seconds = watch_poll_seconds

    async def ListDeadLetters(
        self, request: dead_letter_pb2.ListDeadLettersRequest, context: grpc.aio.ServicerContext
    ) -> dead_letter_pb2.ListDeadLettersResponse:
        return await self._dead_letters.list(request)

    async def ReplayDeadLetter(
        self, request: dead_letter_pb2.ReplayDeadLetterRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        return await self._dead_letters.replay(request)

    async def CreateSubscription(
        self, request: notifier_service_pb2.CreateSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> subscription_pb2.Subscription:
        caller = require_principal()
        cmd = webhooks.CreateSubscription(
            owner_id=caller.user_id,
            url=request.subscription.url,
            event_types=list(request.subscription.event_types),
            description=request.subscription.description,
            format=_delivery_format(request.subscription.format),
            rate_limit=request.subscription.rate_limit,
        )
        subscription = await asyncio.to_thread(
            webhooks.create_subscription, cmd, uow=self._uow, guard=self._guard, clock=self._clock
        )
        return subscription_to_proto(subscription, with_secret=True)

    async def ListSubscriptions(
        self, request: notifier_service_pb2.ListSubscriptionsRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListSubscriptionsResponse:
        caller = require_principal()
        size = page_size(request.page_size)
        items = await asyncio.to_thread(
            webhooks.list_subscriptions,
            caller.user_id,
            before=decode_time_cursor(request.page_token, request),
            page_size=size,
            uow=self._uow,
        )
        return notifier_service_pb2.ListSubscriptionsResponse(
            subscriptions=[subscription_to_proto(s) for s in items[:size]],
            next_page_token=encode_time_cursor(webhooks.page_cursor(items, size), request),
        )

    async def DeleteSubscription(
        self, request: notifier_service_pb2.DeleteSubscriptionRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        caller = require_principal()
        await asyncio.to_thread(webhooks.delete_subscription, caller.user_id, request.id, uow=self._uow)
        return empty_pb2.Empty()

    async def ListDeliveries(
        self, request: notifier_service_pb2.ListDeliveriesRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListDeliveriesResponse:
        caller = require_principal()
        size = page_size(request.page_size)
        log = await asyncio.to_thread(
            webhooks.list_deliveries,
            caller.user_id,
            request.subscription_id,
            before=decode_time_cursor(request.page_token, request),
            page_size=size,
            uow=self._uow,
        )
        return notifier_service_pb2.ListDeliveriesResponse(
            deliveries=[delivery_to_proto(d, log.attempts.get(d.id, [])) for d in log.deliveries[:size]],
            next_page_token=encode_time_cursor(webhooks.page_cursor(log.deliveries, size), request),
        )

    async def ListNotifications(
        self, request: notifier_service_pb2.ListNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListNotificationsResponse:
        caller = require_principal()
        page = await asyncio.to_thread(
            inbox.list_notifications,
            caller.user_id,
            before=decode_time_cursor(request.page_token, request),
            page_size=page_size(request.page_size),
            unread_only=request.unread_only,
            uow=self._uow,
        )
        return notifier_service_pb2.ListNotificationsResponse(
            notifications=[notification_to_proto(n) for n in page.notifications],
            next_page_token=encode_time_cursor(page.next_cursor, request),
            unread_count=page.unread_count,
        )

    async def WatchNotifications(
        self, request: notifier_service_pb2.WatchNotificationsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[notification_pb2.Notification]:
        caller = require_principal()
        user_id = caller.user_id
        seen = await asyncio.to_thread(inbox.newest_notification, user_id, uow=self._uow)
        # Headers now: the client knows the watch is live, and from which point (the gateway
        # also learns that the call was accepted before it starts a Server-Sent Events reply).
        await context.send_initial_metadata(())
        if request.include_unread:
            page = await asyncio.to_thread(
                inbox.list_notifications,
                user_id,
                before=None,
                page_size=100,
                unread_only=True,
                uow=self._uow,
            )
            for notification in reversed(page.notifications):  # oldest first
                yield notification_to_proto(notification)
        while True:
            for notification in await asyncio.to_thread(
                inbox.newer_notifications, user_id, seen, uow=self._uow
            ):
                seen = (notification.create_time, notification.id)
                yield notification_to_proto(notification)
            await self._hub.wait(user_id, self._watch_poll_seconds)

    async def MarkNotificationsRead(
        self, request: notifier_service_pb2.MarkNotificationsReadRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.MarkNotificationsReadResponse:
        caller = require_principal()
        marked = await asyncio.to_thread(
            inbox.mark_read, caller.user_id, list(request.ids), uow=self._uow, clock=self._clock
        )
        return notifier_service_pb2.MarkNotificationsReadResponse(marked_count=marked)

    async def GetPreferences(
        self, request: notifier_service_pb2.GetPreferencesRequest, context: grpc.aio.ServicerContext
    ) -> notification_pb2.Preferences:
        caller = require_principal()
        preferences = await asyncio.to_thread(inbox.get_preferences, caller.user_id, uow=self._uow)
        return preferences_to_proto(preferences)

    async def UpdatePreferences(
        self, request: notifier_service_pb2.UpdatePreferencesRequest, context: grpc.aio.ServicerContext
    ) -> notification_pb2.Preferences:
        caller = require_principal()
        wanted = Preferences(
            user_id=caller.user_id,
            email=request.preferences.email,
            in_app=request.preferences.in_app,
            muted_kinds=tuple(request.preferences.muted_kinds),
        )
        preferences = await asyncio.to_thread(
            inbox.update_preferences,
            caller.user_id,
            tuple(request.update_mask.paths),
            wanted,
            uow=self._uow,
        )
        return preferences_to_proto(preferences)

    async def Unsubscribe(
        self, request: notifier_service_pb2.UnsubscribeRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.UnsubscribeResponse:
        kind = await asyncio.to_thread(
            inbox.unsubscribe, request.token, key=self._unsubscribe_key, uow=self._uow
        )
        return notifier_service_pb2.UnsubscribeResponse(kind=kind)

    async def CreateReminder(
        self, request: notifier_service_pb2.CreateReminderRequest, context: grpc.aio.ServicerContext
    ) -> reminder_pb2.Reminder:
        caller = require_principal()
        remind_time = optional_time(request, "remind_time", "remind_time")
        reminder = await asyncio.to_thread(
            reminders.create_reminder,
            caller.user_id,
            request.event_id,
            remind_time,
            uow=self._uow,
            clock=self._clock,
        )
        return reminder_to_proto(reminder)

    async def ListReminders(
        self, request: notifier_service_pb2.ListRemindersRequest, context: grpc.aio.ServicerContext
    ) -> notifier_service_pb2.ListRemindersResponse:
        caller = require_principal()
        items, next_cursor = await asyncio.to_thread(
            reminders.list_reminders,
            caller.user_id,
            event_id=request.event_id,
            after=decode_time_cursor(request.page_token, request),
            page_size=page_size(request.page_size),
            uow=self._uow,
        )
        return notifier_service_pb2.ListRemindersResponse(
            reminders=[reminder_to_proto(r) for r in items],
            next_page_token=encode_time_cursor(next_cursor, request),
        )

    async def DeleteReminder(
        self, request: notifier_service_pb2.DeleteReminderRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        caller = require_principal()
        await asyncio.to_thread(reminders.delete_reminder, caller.user_id, request.id, uow=self._uow)
        return empty_pb2.Empty()

    async def RetryDelivery(
        self, request: notifier_service_pb2.RetryDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> subscription_pb2.Delivery:
        caller = require_principal()
        delivery = await asyncio.to_thread(
            webhooks.retry_delivery, caller.user_id, request.id, uow=self._uow, clock=self._clock
        )
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
        delivery = await asyncio.to_thread(
            webhooks.send_test_event,
            caller.user_id,
            request.subscription_id,
            uow=self._uow,
            clock=self._clock,
            base_url=self._base_url,
        )
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

    async def RotateSubscriptionSecret(
        self, request: notifier_service_pb2.RotateSubscriptionSecretRequest, context: grpc.aio.ServicerContext
    ) -> subscription_pb2.Subscription:
        caller = require_principal()
        subscription = await asyncio.to_thread(
            webhooks.rotate_secret, caller.user_id, request.id, uow=self._uow, clock=self._clock
        )
        return subscription_to_proto(subscription, with_secret=True)


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
