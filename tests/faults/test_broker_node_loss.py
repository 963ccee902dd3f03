"""Beyond one machine: a 3-node NATS cluster (the EVENTLY stream kept on every node), PostgreSQL,
two instances each of the events and notifier services, one users service and the gateway.
Midway through a stream of registrations the stream's leader node and one notifier are killed
(SIGKILL) and later started again. Every registration still reaches the organizer's webhook; a
registration delivered twice carries the same `webhook-id` both times; each reminder that came
due during the trouble is in its owner's inbox exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import httpx
import nats
import pytest
from evently_platform.messaging.jetstream import STREAM
from evently_platform.net import free_port
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.conftest import POSTGRES_URL, postgres_schema
from tests.e2e.accounts import new_event, signed_in, subscribe
from tests.e2e.nats_cluster import NatsCluster
from tests.e2e.webhook_receiver import WebhookReceiver
from tests.support import wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(POSTGRES_URL is None, reason="several instances of a service share PostgreSQL"),
]

ATTENDEES = 45
REMINDERS = 3


@dataclass
class Instance:
    name: str
    component: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "evently_cli.main", "serve", self.component],
                env={**self.env, "EVENTLY_LISTEN_ADDR": f"127.0.0.1:{self.port}"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def serving(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]
        if self.component == "gateway":
            try:
                return httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False
        with grpc.insecure_channel(f"127.0.0.1:{self.port}") as channel:
            try:
                answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
            except grpc.RpcError:
                return False
        return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


@dataclass
class Deployment:
    instances: dict[str, Instance] = field(default_factory=dict)

    def stop(self) -> None:
        for instance in self.instances.values():
            if instance.process is not None and instance.process.poll() is None:
                instance.process.send_signal(signal.SIGTERM)
        for instance in self.instances.values():
            if instance.process is not None:
                try:
                    instance.process.wait(30)
                except subprocess.TimeoutExpired:
                    instance.process.kill()


@contextlib.contextmanager
def deployed(root: Path, cluster: NatsCluster) -> Iterator[Deployment]:
    ports = {
        name: free_port() for name in ("users", "events-1", "events-2", "notifier-1", "notifier-2", "gateway")
    }
    with contextlib.ExitStack() as stack:
        env = {
            **os.environ,
            "EVENTLY_NATS_URL": ",".join(cluster.urls),
            "EVENTLY_STREAM_REPLICAS": "3",
            "EVENTLY_USERS_ADDR": f"127.0.0.1:{ports['users']}",
            # Clients balance over both instances (gRPC's own list syntax, round robin).
            "EVENTLY_EVENTS_ADDR": f"ipv4:127.0.0.1:{ports['events-1']},127.0.0.1:{ports['events-2']}",
            "EVENTLY_NOTIFIER_ADDR": f"ipv4:127.0.0.1:{ports['notifier-1']},127.0.0.1:{ports['notifier-2']}",
            "EVENTLY_GATEWAY_ADDR": f"127.0.0.1:{ports['gateway']}",
            "EVENTLY_SIGNING_KEYS_DIR": str(root / "keys"),
            "EVENTLY_WEBHOOK_ALLOW_PRIVATE": "true",
            "EVENTLY_REMINDER_DEFAULTS": "none",
            "EVENTLY_LOG_FORMAT": "json",
            "OTEL_TRACES_EXPORTER": "none",
        }
        for service in ("users", "events", "notifier"):
            env[f"EVENTLY_{service.upper()}_DB_URL"] = stack.enter_context(postgres_schema())
        env.pop("EVENTLY_METRICS_ADDR", None)
        deployment = Deployment()
        for name, port in ports.items():
            (root / name).mkdir(parents=True)
            instance_env = {**env, "EVENTLY_DATA_DIR": str(root / name)}
            deployment.instances[name] = Instance(
                name, name.split("-")[0], port, instance_env, root / f"{name}.log"
            )
        for instance in deployment.instances.values():
            instance.start()
        try:
            for instance in deployment.instances.values():
                wait_until(instance.serving, timeout=120, interval=0.2)
            yield deployment
        finally:
            deployment.stop()


def _stream_leader(urls: list[str]) -> tuple[str, int]:
    """The node leading the EVENTLY stream, and how many copies the stream keeps."""

    async def ask() -> tuple[str, int]:
        nc = await nats.connect(servers=urls, connect_timeout=2, max_reconnect_attempts=1)
        try:
            info = await nc.jetstream().stream_info(STREAM)
            assert info.cluster is not None and info.cluster.leader is not None
            return info.cluster.leader, info.config.num_replicas or 1
        finally:
            await nc.close()

    return asyncio.run(ask())


def _new_leader(urls: list[str], old: str) -> str | None:
    try:
        leader, _ = _stream_leader(urls)
    except (nats.errors.Error, AssertionError, TimeoutError):
        return None
    return leader if leader != old else None


def _registration_id(delivery: dict[str, Any]) -> str:
    return str(delivery["body"]["data"]["registration"]["id"])


def test_registrations_survive_losing_the_stream_leader_and_a_notifier(tmp_path: Path) -> None:
    cluster = NatsCluster(tmp_path / "nats")
    receiver = WebhookReceiver()
    receiver.start()
    cluster.start()
    try:
        with deployed(tmp_path / "evently", cluster) as deployment:
            _exercise(cluster, deployment, receiver)
    finally:
        cluster.stop()
        receiver.stop()


def _exercise(cluster: NatsCluster, deployment: Deployment, receiver: WebhookReceiver) -> None:
    leader, replicas = _stream_leader(cluster.urls)
    assert replicas == 3
    http = httpx.Client(base_url=f"http://127.0.0.1:{deployment.instances['gateway'].port}", timeout=30)
    organizer = signed_in(http, "Olga")
    subscribe(http, organizer, receiver, ["evently.registration.created"])
    event = new_event(http, organizer, "Cluster day", location="Lisbon", days_ahead=2, hours=3)
    attendees = [signed_in(http, f"Guest{i}") for i in range(ATTENDEES)]

    # Reminders due while the cluster is in trouble (the notifier must know the event first).
    def remind(at: datetime) -> dict[str, Any] | None:
        made = http.post(
            "/v1/reminders", json={"eventId": event["id"], "remindTime": at.isoformat()}, headers=organizer
        )
        return made.json() if made.status_code == 200 else None

    due = datetime.now(UTC) + timedelta(seconds=6)
    reminders = [
        wait_until(partial(remind, due + timedelta(seconds=n)), timeout=30) for n in range(REMINDERS)
    ]

    registered: list[str] = []
    killed_at = restarted_at = 0.0
    notifier = deployment.instances["notifier-1"]
    for i, attendee in enumerate(attendees):
        if i == ATTENDEES // 3:
            cluster.kill(cluster.node(leader))
            notifier.kill()
            killed_at = time.monotonic()
            survivors = [n.url for n in cluster.nodes if n.name != leader]
            new_leader = wait_until(partial(_new_leader, survivors, leader), timeout=60, interval=0.5)
        if i == 2 * ATTENDEES // 3:
            cluster.restart(cluster.node(leader))
            notifier.start()
            wait_until(notifier.serving, timeout=120, interval=0.2)
            restarted_at = time.monotonic()
        answer = http.post(f"/v1/events/{event['id']}:register", json={}, headers=attendee)
        assert answer.status_code == 200, answer.text
        registered.append(answer.json()["id"])

    # Every registration reaches the webhook; watch for the longest time nothing new arrived.
    arrived, last_change, longest_stall = 0, time.monotonic(), 0.0

    def all_arrived() -> bool:
        nonlocal arrived, last_change, longest_stall
        ids = {_registration_id(d) for d in list(receiver.received)}
        now = time.monotonic()
        if len(ids) != arrived:
            longest_stall = max(longest_stall, now - last_change)
            arrived, last_change = len(ids), now
        return set(registered) <= ids

    wait_until(all_arrived, timeout=240, interval=0.1)

    received = list(receiver.received)
    webhook_ids: dict[str, set[str]] = defaultdict(set)
    for delivery in received:
        webhook_ids[_registration_id(delivery)].add(delivery["headers"]["webhook-id"])
    assert {rid: ids for rid, ids in webhook_ids.items() if len(ids) != 1} == {}
    assert set(webhook_ids) == set(registered)
    assert receiver.rejected == []

    # Each reminder fired once: one notice in the organizer's inbox per reminder.
    def reminder_notices() -> list[dict[str, Any]]:
        inbox = http.get("/v1/notifications", params={"pageSize": 100}, headers=organizer).json()
        return [n for n in inbox.get("notifications", []) if n["kind"] == "reminder.due"]

    wait_until(lambda: len(reminder_notices()) >= REMINDERS, timeout=120)
    assert len(reminder_notices()) == REMINDERS

    print(
        f"\ncluster: stream leader {leader} killed, {new_leader} took over; notifier-1 killed "
        f"and restarted {restarted_at - killed_at:.1f}s later; {len(registered)} registrations, "
        f"{len(received)} webhook deliveries received ({len(received) - len(registered)} duplicates, "
        f"each with one webhook-id), {len(reminders)} reminders fired once each; longest stall "
        f"between arrivals {longest_stall:.1f}s"
    )
