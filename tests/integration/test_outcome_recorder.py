"""What sending told the notifier is recorded together: an e-mail's outcome and a webhook attempt's
that come within a moment of each other share one transaction, and each is recorded as it was."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from evently_notifier.adapters.outcomes import OutcomeRecorder
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.adapters.url_guard import UrlGuard
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.domain.deliveries import AttemptOutcome, Delivery, DeliveryStatus, RetryPolicy
from evently_notifier.domain.emails import Email, EmailRetryPolicy, EmailStatus
from evently_notifier.service_layer import webhooks
from evently_notifier.service_layer.commands import CreateSubscription, ListDeliveries, SendTestEvent
from evently_platform.clock import SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.paging import PageRequest
from sqlalchemy import Engine, event

CLOCK = SystemClock()


def _a_delivery(uow: NotifierUnitOfWork) -> Delivery:
    subscription = webhooks.create_subscription(
        CreateSubscription(owner_id="u1", url="http://127.0.0.1:9/hook", event_types=["*"], description=""),
        uow=uow,
        guard=UrlGuard(allow_private=True),
        clock=CLOCK,
    )
    return webhooks.send_test_event(
        SendTestEvent(owner_id="u1", subscription_id=subscription.id), uow=uow, clock=CLOCK, base_url=""
    )


def _an_email(uow: NotifierUnitOfWork) -> Email:
    now = CLOCK.now()
    email = Email(
        id="e1",
        user_id="u1",
        to_address="ada@example.com",
        to_name="Ada",
        subject="You are registered",
        text="Hello",
        html="<p>Hello</p>",
        calendar=None,
        message_id="<e1@evently.test>",
        status=EmailStatus.PENDING,
        attempts=0,
        last_error="",
        next_attempt_time=now,
        create_time=now,
        update_time=now,
    )
    with uow:
        uow.emails.add(email)
        uow.commit()
    return email


def _commits(engine: Engine) -> list[object]:
    seen: list[object] = []
    event.listen(engine, "commit", seen.append)
    return seen


async def test_an_email_and_a_webhook_attempt_finished_together_are_one_transaction(engine: Engine) -> None:
    await asyncio.to_thread(upgrade, engine, "notifier", MIGRATIONS)
    uow = NotifierUnitOfWork(engine)
    delivery, email = _a_delivery(uow), _an_email(uow)
    recorder = OutcomeRecorder(
        uows=NotifierUnitOfWork.factory(engine),
        clock=CLOCK,
        email_policy=EmailRetryPolicy(),
        retry_policy=RetryPolicy(),
        linger=60.0,  # long: the second outcome, not the clock, ends the wait
        enough=2,
    )
    commits = _commits(engine)

    sent, tried = await asyncio.wait_for(
        asyncio.gather(
            recorder.email_sent(email, None),
            recorder.attempted(delivery, AttemptOutcome(status_code=502, error="Bad Gateway")),
        ),
        timeout=30,
    )

    assert len(commits) == 1
    assert (sent.status, sent.attempts) == (EmailStatus.SENT, 1)
    assert (tried.status, tried.attempts, tried.last_status_code) == (DeliveryStatus.PENDING, 1, 502)
    with uow:  # the e-mail is no longer due, by a claim a minute from now
        later = CLOCK.now() + timedelta(minutes=1)
        assert uow.emails.claim_due(later, later, 10) == []
    log = webhooks.list_deliveries(
        ListDeliveries(owner_id="u1", subscription_id=delivery.subscription_id, page=PageRequest(None, 10)),
        uow=uow,
    )
    [logged] = log.deliveries.items
    assert (logged.status, logged.last_status_code) == (DeliveryStatus.PENDING, 502)
    assert [a.status_code for a in log.attempts[delivery.id]] == [502]


async def test_a_lone_outcome_is_recorded_once_the_linger_ends(engine: Engine) -> None:
    await asyncio.to_thread(upgrade, engine, "notifier", MIGRATIONS)
    uow = NotifierUnitOfWork(engine)
    email = _an_email(uow)
    recorder = OutcomeRecorder(
        uows=NotifierUnitOfWork.factory(engine),
        clock=CLOCK,
        email_policy=EmailRetryPolicy(),
        retry_policy=RetryPolicy(),
        linger=0.01,
    )

    failed = await asyncio.wait_for(recorder.email_sent(email, "SMTPServerDisconnected: gone"), timeout=30)

    assert (failed.status, failed.attempts, failed.last_error) == (
        EmailStatus.PENDING,
        1,
        "SMTPServerDisconnected: gone",
    )
