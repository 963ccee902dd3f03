"""Baseline for the whole pipeline, written bare: a grpc.aio unary handler inserts a row with
SQLAlchemy and publishes to JetStream; a pull consumer in the same process fetches the messages
and POSTs each to a webhook URL with aiohttp, acking after a 2xx. No outbox, no inbox, no
signature, no retries — the floor our pipeline is compared with. On SQLite it uses the same
settings as Evently's engines (WAL, synchronous=NORMAL).

    python -m bench.baselines.pipeline_server PORT DB_URL NATS_URL WEBHOOK_URL
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import grpc
import nats
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeout
from sqlalchemy import Column, MetaData, String, Table, create_engine, event, insert

from bench.baselines import start_one_method_server

SERVICE, METHOD = "bench.Pipeline", "Register"
FULL_METHOD = f"/{SERVICE}/{METHOD}"
SUBJECT = "bench.registered"

metadata = MetaData()
registrations = Table(
    "bench_registrations", metadata, Column("id", String(36), primary_key=True), Column("key", String)
)


async def serve(port: int, db_url: str, nats_url: str, webhook_url: str) -> None:
    engine = create_engine(db_url)
    if engine.dialect.name == "sqlite":  # the settings Evently's own SQLite engines use

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: object, _: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    metadata.create_all(engine)
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await js.add_stream(name="BENCH_PIPELINE", subjects=[SUBJECT])
    subscription = await js.pull_subscribe(SUBJECT, durable="bench-deliverer")
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    def store(key: str) -> str:
        row_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(insert(registrations).values(id=row_id, key=key))
        return row_id

    # SQLite has one writer at a time: one thread for the writes, rather than several sleeping
    # in SQLite's busy handler.
    writer = ThreadPoolExecutor(max_workers=1)

    async def register(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        row_id = await asyncio.get_running_loop().run_in_executor(writer, store, request.decode())
        await js.publish(SUBJECT, request, headers={"Nats-Msg-Id": row_id})
        return row_id.encode()

    async def deliver_one(message: Msg) -> None:
        body = json.dumps({"key": message.data.decode()}).encode()
        async with http.post(
            webhook_url, data=body, headers={"content-type": "application/json"}
        ) as response:
            await response.read()
        if 200 <= response.status < 300:
            await message.ack()
        else:
            await message.nak()

    async def deliver() -> None:
        while True:
            with contextlib.suppress(NatsTimeout):
                batch = await subscription.fetch(64, timeout=1)
                await asyncio.gather(*(deliver_one(m) for m in batch))

    server = await start_one_method_server(port, SERVICE, METHOD, register)
    delivering = asyncio.create_task(deliver())
    try:
        await server.wait_for_termination()
    finally:
        delivering.cancel()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
