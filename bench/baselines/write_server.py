"""Baseline for a write: a bare grpc.aio unary method that inserts a row with SQLAlchemy (in a
worker thread, as our services do) and publishes a message to JetStream with nats-py — the same
work as CreateEvent with nothing of ours (no domain, no outbox relay, no interceptor).

    python -m bench.baselines.write_server PORT DB_URL NATS_URL
"""

from __future__ import annotations

import asyncio
import sys
import uuid

import grpc
import nats
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert

from bench.baselines import start_one_method_server

SERVICE, METHOD = "bench.Write", "Write"
FULL_METHOD = f"/{SERVICE}/{METHOD}"
SUBJECT = "bench.written"

metadata = MetaData()
rows = Table("bench_rows", metadata, Column("id", String(36), primary_key=True), Column("body", String))


async def serve(port: int, db_url: str, nats_url: str) -> None:
    engine = create_engine(db_url, pool_size=16 if not db_url.startswith("sqlite") else 5)
    metadata.create_all(engine)
    connection = await nats.connect(nats_url)
    js = connection.jetstream()
    await js.add_stream(name="BENCH", subjects=[SUBJECT])

    def store(body: bytes) -> str:
        row_id = str(uuid.uuid4())
        with engine.begin() as conn:
            conn.execute(insert(rows).values(id=row_id, body=body.decode(errors="replace")))
        return row_id

    async def write(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        row_id = await asyncio.to_thread(store, request)
        await js.publish(SUBJECT, request, headers={"Nats-Msg-Id": row_id})
        return row_id.encode()

    server = await start_one_method_server(port, SERVICE, METHOD, write)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
