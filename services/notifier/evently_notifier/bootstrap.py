"""Composition root of the notifier service."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable

from evently.notifier.v1 import notifier_service_pb2_grpc
from evently_platform.bus import MessageBus, PerCommand
from evently_platform.clock import Clock, SystemClock
from evently_platform.config import Settings, mail_domain
from evently_platform.grpc.dead_letters import DeadLetterMethods
from evently_platform.grpc.interceptors import platform_interceptors
from evently_platform.grpc.server import ServiceHost
from evently_platform.messaging.consumer import DurableConsumer
from evently_platform.messaging.dead_letters import SqlDeadLetters
from evently_platform.runtime import start_runtime, users_service_verifier

from evently_notifier.adapters.delivery_worker import DeliveryWorker
from evently_notifier.adapters.email_worker import EmailWorker, calendar_for
from evently_notifier.adapters.inbox_hub import InboxHub
from evently_notifier.adapters.keys import shared_key
from evently_notifier.adapters.mailer import FileMailer, Mailer, SmtpMailer
from evently_notifier.adapters.outcomes import OutcomeRecorder
from evently_notifier.adapters.protos import to_integration_event
from evently_notifier.adapters.recoveries import Recoveries
from evently_notifier.adapters.reminder_scheduler import ReminderScheduler
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.adapters.url_guard import UrlGuard
from evently_notifier.adapters.webhook_sender import WebhookSender
from evently_notifier.domain.deliveries import RetryPolicy
from evently_notifier.domain.emails import EmailRetryPolicy
from evently_notifier.domain.unsubscribe import unsubscribe_token
from evently_notifier.entrypoints import event_consumer
from evently_notifier.entrypoints.grpc_servicer import PUBLIC_METHODS, SERVICE, NotifierServicer
from evently_notifier.service_layer.channels import MailContext
from evently_notifier.service_layer.consuming import ConsumeBatch, Consuming
from evently_notifier.service_layer.messagebus import HANDLERS
from evently_notifier.service_layer.ports import UnitOfWorkFactory
from evently_notifier.service_layer.ports import UrlGuard as UrlGuardPort

MIGRATIONS = "evently_notifier:migrations"


def message_bus(
    *,
    uows: UnitOfWorkFactory,
    consuming: Consuming,
    clock: Clock,
    guard: UrlGuardPort,
    unsubscribe_key: bytes,
    base_url: str,
) -> MessageBus:
    """The notifier's use cases — its API's commands and the consumed batches of domain events —
    wired to what they need: SQL storage in the service, in-memory storage in the use-case
    tests, through this one door."""
    return MessageBus.wire(
        {**HANDLERS, ConsumeBatch: consuming.handle},
        uow=PerCommand(uows),
        clock=clock,
        guard=guard,
        unsubscribe_key=unsubscribe_key,
        base_url=base_url,
    )


async def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    retry_policy: RetryPolicy | None = None,
    email_policy: EmailRetryPolicy | None = None,
    reminder_poll_seconds: float = 1.0,
    webhook_timeout: float = 15.0,
) -> ServiceHost:
    clock = clock or SystemClock()
    runtime = await start_runtime("notifier", settings, MIGRATIONS, clock=clock)
    verifier, users_channel = users_service_verifier(settings, runtime.revocations)
    uows = NotifierUnitOfWork.factory(runtime.engine, translate=to_integration_event, relay=runtime.relay)
    config = settings.notifier
    sender = WebhookSender(allow_private=config.webhook_allow_private, timeout=webhook_timeout, clock=clock)
    hub = InboxHub()
    mailer: Mailer = (
        SmtpMailer(config.smtp_url, sender=config.mail_from)
        if config.smtp_url
        else FileMailer(config.mail_dir, sender=config.mail_from)
    )
    unsubscribe_key = await asyncio.to_thread(shared_key, runtime.engine, "unsubscribe")
    mail = MailContext(
        base_url=settings.public_url,
        domain=mail_domain(config.mail_from),
        calendar_for=calendar_for,
        unsubscribe_token=functools.partial(unsubscribe_token, unsubscribe_key),
    )
    policy = retry_policy or RetryPolicy(disable_after=config.webhook_disable_after)
    outcomes = OutcomeRecorder(
        uows=uows,
        clock=clock,
        email_policy=email_policy or EmailRetryPolicy(),
        retry_policy=policy,
        mail=mail,
    )
    emails = EmailWorker(uows=uows, mailer=mailer, clock=clock, outcomes=outcomes)
    worker = DeliveryWorker(uows=uows, sender=sender, clock=clock, outcomes=outcomes)
    dead_letters = SqlDeadLetters(runtime.engine, clock=clock)
    consuming = Consuming(
        consumer=event_consumer.SPEC.durable,
        uows=uows,
        clock=clock,
        mail=mail,
        reminder_defaults=config.reminder_defaults,
        hand_off=lambda: worker.has_room() and emails.has_room(),
    )
    bus = message_bus(
        uows=uows,
        consuming=consuming,
        clock=clock,
        guard=UrlGuard(allow_private=config.webhook_allow_private),
        unsubscribe_key=unsubscribe_key,
        base_url=settings.public_url,
    )
    consumer = DurableConsumer(
        runtime.nc,
        event_consumer.SPEC,
        event_consumer.make_handler(
            bus,
            on_deliveries=worker.offer,
            on_notified=hub.notify,
            on_emails=emails.offer,
        ),
        dead_letters,
    )
    runtime.on_reconnect.append(consumer.ensure)
    servicer = NotifierServicer(
        bus=bus,
        hub=hub,
        on_retry=worker.wake,
        dead_letters=DeadLetterMethods(dead_letters, consumer),
        recoveries=Recoveries(
            js=runtime.js, worker=worker, uows=uows, clock=clock, base_url=settings.public_url
        ),
    )
    return ServiceHost(
        name="notifier",
        readiness=runtime.readiness(),
        addr=settings.bind_addr("notifier"),
        register=[
            lambda server: notifier_service_pb2_grpc.add_NotifierServiceServicer_to_server(servicer, server)
        ],
        service_names=[SERVICE],
        interceptors=platform_interceptors(
            verifier, PUBLIC_METHODS, max_in_flight=settings.max_calls_in_flight
        ),
        workers=[
            *runtime.workers,
            consumer.run,
            worker.run,
            emails.run,
            ReminderScheduler(
                uows=uows,
                clock=clock,
                mail=mail,
                on_notified=hub.notify,
                on_emails=emails.offer,
                hand_off=emails.has_room,
                poll_interval=reminder_poll_seconds,
            ).run,
        ],
        cleanups=[sender.close, _closing(mailer), users_channel.close, runtime.close],
    )


def _closing(mailer: Mailer) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        await asyncio.to_thread(mailer.close)

    return close
