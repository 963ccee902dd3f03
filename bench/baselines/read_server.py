"""Baseline for a read: a bare grpc.aio unary method doing GetEvent's work with nothing of ours —
the request parsed, the same two SELECTs on the events service's own database (the event row by
id, its seat counts grouped by status) with SQLAlchemy Core in a worker thread, the Event proto
built and serialized. No interceptor, no auth, no domain objects, no unit of work.

    python -m bench.baselines.read_server PORT DB_URL
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

import grpc
from evently.events.v1 import event_pb2, event_service_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, select

from bench.baselines import start_one_method_server

SERVICE, METHOD = "bench.Read", "Read"
FULL_METHOD = f"/{SERVICE}/{METHOD}"

metadata = MetaData()
events = Table(
    "events",
    metadata,
    Column("id", String),
    Column("organizer_id", String),
    Column("title", String),
    Column("description", String),
    Column("location", String),
    Column("start_time", DateTime(timezone=True)),
    Column("end_time", DateTime(timezone=True)),
    Column("capacity", Integer),
    Column("state", String),
    Column("create_time", DateTime(timezone=True)),
    Column("update_time", DateTime(timezone=True)),
    Column("cancel_reason", String),
    Column("time_zone", String),
    Column("revision", Integer),
)
registrations = Table("registrations", metadata, Column("event_id", String), Column("status", String))


def _stamp(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when if when.tzinfo else when.replace(tzinfo=UTC))
    return stamp


async def serve(port: int, db_url: str) -> None:
    engine = create_engine(db_url, pool_size=16 if not db_url.startswith("sqlite") else 5)
    c, r = events.c, registrations.c

    def read(event_id: str) -> bytes:
        with engine.connect() as conn:
            row = conn.execute(select(events).where(c.id == event_id)).first()
            if row is None:
                return b""
            counts: dict[str, int] = {
                status: count
                for status, count in conn.execute(
                    select(r.status, func.count())
                    .where(r.event_id == event_id, r.status != "CANCELLED")
                    .group_by(r.status)
                )
            }
        return event_pb2.Event(
            id=row.id,
            organizer_id=row.organizer_id,
            title=row.title,
            description=row.description,
            location=row.location,
            start_time=_stamp(row.start_time),
            end_time=_stamp(row.end_time),
            capacity=row.capacity,
            state=row.state,  # the enum's name, as stored
            create_time=_stamp(row.create_time),
            update_time=_stamp(row.update_time),
            cancel_reason=row.cancel_reason,
            time_zone=row.time_zone,
            revision=row.revision,
            confirmed_count=counts.get("CONFIRMED", 0),
            waitlist_count=counts.get("WAITLISTED", 0),
        ).SerializeToString()

    async def get(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        event_id = event_service_pb2.GetEventRequest.FromString(request).id
        return await asyncio.to_thread(read, event_id)

    server = await start_one_method_server(port, SERVICE, METHOD, get)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2]))
