"""PostgreSQL stopped under traffic (a throwaway cluster the test runs itself, stopped at once as a
crash would) and started again: calls meanwhile are UNAVAILABLE — never INTERNAL — and change
nothing, health says NOT_SERVING, and afterwards the services recover by themselves: every
accepted registration reaches the organizer's webhook, once, with no restart."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from pathlib import Path

import grpc
import pytest
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently_platform.net import free_port
from evently_users.adapters.signing_keys import SigningKeyStore
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import create_engine, text

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.conftest import Services
from tests.services.venue import Venue, build_events_service, build_notifier_service, build_users_service
from tests.support import eventually

PER_PHASE = 10


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, on a free port (run as the `postgres` user
    when the tests run as root, as initdb refuses root)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="evently-pg-"))
        self.port = free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin / tool), *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start"
        )

    def crash(self) -> None:
        """Stopped at once, connections cut, as a crash or a lost host would."""
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def remove(self) -> None:
        subprocess.run(
            [*self._as, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres() -> Iterator[ThrowawayPostgres]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
    if not found[-1]:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    cluster = ThrowawayPostgres(Path(found[-1]).parent)
    cluster.start()
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("users", "events", "notifier"):
            conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    yield cluster
    cluster.remove()


@pytest.fixture
def service_dbs(postgres: ThrowawayPostgres) -> dict[str, str]:
    """Every service on the cluster this test stops (replacing the shared databases)."""
    return {name: postgres.url(name) for name in ("users", "events", "notifier")}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    endpoint = WebhookReceiver()
    endpoint.start()
    yield endpoint
    endpoint.stop()


async def test_a_database_crash_is_unavailable_then_recovered_with_nothing_lost(
    services: Services, postgres: ThrowawayPostgres, receiver: WebhookReceiver
) -> None:
    await services.start(build_users_service)
    events_channel = await services.start(build_events_service)
    notifier = notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build_notifier_service))
    venue = Venue(
        event_service_pb2_grpc.EventServiceStub(events_channel),
        SigningKeyStore(services.settings.users.signing_keys_dir),
    )
    health = health_pb2_grpc.HealthStub(events_channel)
    _, organizer = venue.person()
    event = await venue.event(organizer)
    made = await notifier.CreateSubscription(
        notifier_service_pb2.CreateSubscriptionRequest(
            subscription=subscription_pb2.Subscription(
                url=receiver.url, event_types=["evently.registration.*"]
            )
        ),
        metadata=organizer,
    )
    receiver.secret = made.secret
    accepted: list[str] = []
    refused: Counter[str] = Counter()

    async def register() -> bool:
        _, person = venue.person()
        try:
            accepted.append((await venue.register(event.id, person)).id)
        except grpc.aio.AioRpcError as exc:
            refused[exc.code().name] += 1
            return False
        return True

    for _ in range(PER_PHASE):
        assert await register()
    postgres.crash()
    for _ in range(PER_PHASE):
        assert not await register()  # nothing can be committed: refused, not half-done

    async def status() -> int:
        return int((await health.Check(health_pb2.HealthCheckRequest())).status)

    await eventually(lambda: _equals(status(), int(health_pb2.HealthCheckResponse.NOT_SERVING)))
    postgres.start()
    back = time.monotonic()
    await eventually(lambda: _equals(status(), int(health_pb2.HealthCheckResponse.SERVING)))
    await eventually(register)  # the first call that works again
    recovery = time.monotonic() - back
    for _ in range(PER_PHASE - 1):
        assert await register()

    def arrived() -> Counter[str]:
        return Counter(d["body"]["data"]["registration"]["id"] for d in receiver.received)

    await eventually(lambda: set(arrived()) >= set(accepted), timeout=60)
    delivered = arrived()
    print(
        f"\naccepted {len(accepted)}, refused {dict(refused)}, recovered in {recovery:.1f}s, "
        f"lost {len(set(accepted) - set(delivered))}, doubled {sum(n > 1 for n in delivered.values())}"
    )
    assert set(refused) == {"UNAVAILABLE"}  # never INTERNAL
    assert set(delivered) == set(accepted) and max(delivered.values()) == 1
    listed = await venue.events.ListRegistrations(
        event_service_pb2.ListRegistrationsRequest(event_id=event.id, page_size=100), metadata=organizer
    )
    assert sorted(r.id for r in listed.registrations) == sorted(accepted)  # the refused left nothing


async def _equals(value: Awaitable[int], expected: int) -> bool:
    try:
        return await value == expected
    except grpc.aio.AioRpcError:
        return False
