"""Health follows readiness: a service whose broker is gone answers NOT_SERVING (load balancers
and `evently health` look elsewhere), and SERVING again once the broker is back — no restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evently_platform.messaging.embedded_server import EmbeddedNats
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.services.conftest import Services
from tests.services.venue import build_users_service
from tests.support import eventually

SERVING, NOT_SERVING = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING


class Broker:
    """A NATS server of this test's own, to stop and start again on the same port and store."""

    def __init__(self, store: Path) -> None:
        self.server = EmbeddedNats(store)
        self.url = self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def start_again(self) -> None:
        self.server = EmbeddedNats(self.server.store_dir, port=self.server.port)
        self.server.start()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path / "own-nats")
    yield broker
    broker.stop()


@pytest.fixture
def extra_env(broker: Broker) -> dict[str, str]:
    return {"EVENTLY_NATS_URL": broker.url}


async def test_health_is_not_serving_while_the_broker_is_away(services: Services, broker: Broker) -> None:
    health = health_pb2_grpc.HealthStub(await services.start(build_users_service))

    async def status_is(wanted: int) -> bool:
        answer = await health.Check(health_pb2.HealthCheckRequest(service=""))
        return bool(answer.status == wanted)

    assert await status_is(SERVING)
    broker.stop()
    await eventually(lambda: status_is(NOT_SERVING))
    broker.start_again()
    await eventually(lambda: status_is(SERVING))
