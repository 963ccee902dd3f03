"""A notifier process killed (SIGKILL) in the middle of a stream of events and started again
loses nothing and does nothing twice: every event ends as exactly one notification and one
webhook delivery row."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.jetstream import JetStreamPublisher
from evently_platform.net import free_port, split_addr, wait_for_port
from nats.aio.client import Client as NATS
from sqlalchemy import create_engine, text

from tests.support import eventually

EVENTS = 300


def _count(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    except Exception:  # tables not there yet (the notifier migrates on start)
        return -1
    finally:
        engine.dispose()


@pytest.fixture
def notifier_env(tmp_path: Path, service_dbs: dict[str, str], nats_server: EmbeddedNats) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTLY_")}
    env.update(
        {
            "EVENTLY_DATA_DIR": str(tmp_path),
            "EVENTLY_NATS_URL": nats_server.url,
            "EVENTLY_NOTIFIER_DB_URL": service_dbs["notifier"],
            "EVENTLY_NOTIFIER_ADDR": f"127.0.0.1:{free_port()}",
            "EVENTLY_USERS_ADDR": f"127.0.0.1:{free_port()}",
            "EVENTLY_WEBHOOK_ALLOW_PRIVATE": "true",
            "EVENTLY_LOG_FORMAT": "json",
        }
    )
    return env


@pytest.fixture
def start_notifier(notifier_env: dict[str, str], tmp_path: Path) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / f"notifier-{len(processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "evently_cli.main", "serve", "notifier"],
            env=notifier_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)


async def test_a_killed_notifier_loses_nothing_and_repeats_nothing(
    js_client: NATS, service_dbs: dict[str, str], start_notifier: object, notifier_env: dict[str, str]
) -> None:
    db = service_dbs["notifier"]
    first = start_notifier()  # type: ignore[operator]
    # It serves once its database is migrated.
    await asyncio.to_thread(wait_for_port, *split_addr(notifier_env["EVENTLY_NOTIFIER_ADDR"]), 60.0)
    engine = create_engine(db)
    with engine.begin() as conn:  # the organizer's webhook, as CreateSubscription would store it
        conn.execute(
            text(
                "INSERT INTO subscriptions (id, owner_id, url, event_types, description, secret, state, "
                "create_time, previous_secret) VALUES ('s1', 'olga', 'http://127.0.0.1:9/hook', "
                "'[\"evently.registration.*\"]', '', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'ACTIVE', "
                "CURRENT_TIMESTAMP, '')"
            )
        )
    engine.dispose()

    publisher = JetStreamPublisher(js_client.jetstream())
    for n in range(EVENTS):
        registration = {"id": f"r{n}", "eventId": "e1", "userId": f"u{n}", "status": "CONFIRMED"}
        envelope = Envelope(
            type="evently.registration.created",
            source="//evently/events",
            subject=f"r{n}",
            data={"registration": registration, "organizerId": "olga", "eventTitle": "Crash course"},
        )
        await publisher.publish(envelope.type, envelope.encode(), msg_id=envelope.id, headers={})

    confirmed = "SELECT count(*) FROM notifications WHERE kind = 'registration.confirmed'"
    await eventually(lambda: _count(db, confirmed) >= 50, timeout=60)
    first.kill()  # type: ignore[attr-defined]  # SIGKILL: no goodbye, no drain, no acks in flight
    first.wait(30)  # type: ignore[attr-defined]
    seen_before_the_crash = _count(db, confirmed)
    assert seen_before_the_crash < EVENTS, "the crash came too late to test anything"

    start_notifier()  # type: ignore[operator]
    await eventually(lambda: _count(db, confirmed) == EVENTS, timeout=120)
    await eventually(lambda: _count(db, "SELECT count(*) FROM deliveries") == EVENTS, timeout=60)
    assert (
        _count(
            db,
            "SELECT count(DISTINCT source_event_id) FROM notifications WHERE kind = 'registration.confirmed'",
        )
        == EVENTS
    )
    assert _count(db, "SELECT count(DISTINCT event_id) FROM deliveries") == EVENTS
    assert _count(db, "SELECT count(*) FROM notifications WHERE kind = 'registration.new'") == EVENTS
    print(f"crash after {seen_before_the_crash} of {EVENTS} events; after restart: {EVENTS}, no duplicates")
