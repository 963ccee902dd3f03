"""Scenario 4: fan-out — 10,000 reminders falling due at the same moment across 1,000 events;
the time from that moment until the last one is in its owner's in-app inbox (what the bell
shows), with one notifier instance and with two sharing the database. Target: ≤ 5 s with one.

The reminders are written straight into the notifier's tables (with its own table definitions)
rather than made by 10,000 registrations: what is measured is firing and fanning out, not
registering. Each run is bounded: after `LIMIT_SECONDS` it reports how many arrived."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

from evently_notifier.adapters.tables import known_events, notifications, reminders
from sqlalchemy import create_engine, func, insert, select

from bench.context import Context
from bench.processes import Running, evently
from bench.report import Row, Target, row

EVENTS, PER_EVENT = 1_000, 10
LEAD_SECONDS = 3.0  # time to seed before the moment they all fall due
LIMIT_SECONDS = 60.0  # keeps the whole `make bench` under 10 minutes


def _seed(db_url: str, events: int, per_event: int, due: datetime) -> None:
    engine = create_engine(db_url)
    start = due + timedelta(hours=1)
    event_rows = [
        {
            "id": uuid.uuid4().hex,
            "organizer_id": uuid.uuid4().hex,
            "title": f"Fan-out {n}",
            "start_time": start,
            "cancelled": False,
        }
        for n in range(events)
    ]
    reminder_rows = [
        {
            "id": uuid.uuid4().hex,
            "user_id": uuid.uuid4().hex,
            "event_id": event["id"],
            "before_start_seconds": 3600,
            "remind_time": due,
            "state": "SCHEDULED",
            "is_default": True,
            "create_time": due - timedelta(days=1),
        }
        for event in event_rows
        for _ in range(per_event)
    ]
    with engine.begin() as conn:
        conn.execute(insert(known_events), event_rows)
        conn.execute(insert(reminders), reminder_rows)
    engine.dispose()


def _in_inboxes(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            query = (
                select(func.count()).select_from(notifications).where(notifications.c.kind == "reminder.due")
            )
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


async def _fan_out(system: Running, events: int, per_event: int) -> tuple[float, int]:
    """Seconds from the due moment to the last reminder in an inbox, and how many arrived."""
    due = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    db_url = system.db_urls["notifier"]
    await asyncio.to_thread(_seed, db_url, events, per_event, due)
    expected = events * per_event
    wait = (due - datetime.now(UTC)).total_seconds()
    if wait > 0:
        await asyncio.sleep(wait)
    began = time.perf_counter()
    arrived = 0
    while time.perf_counter() - began < LIMIT_SECONDS:
        arrived = await asyncio.to_thread(_in_inboxes, db_url)
        if arrived >= expected:
            break
        await asyncio.sleep(0.1)
    return time.perf_counter() - began, arrived


async def run(ctx: Context) -> list[Row]:
    events, per_event = (10, 10) if ctx.smoke else (EVENTS, PER_EVENT)
    expected = events * per_event
    results: dict[int, tuple[float, int]] = {}
    for instances in (1, 2):
        with evently(ctx.work_dir / f"notifiers-{instances}", notifiers=instances) as system:
            results[instances] = await _fan_out(system, events, per_event)
    rows = []
    name = f"fan-out {expected:,}"
    for instances, (seconds, arrived) in results.items():
        one = results[1][0] if instances == 2 else None
        target = Target("ours", at_most=5)  # a run cut off at the limit misses it too
        rows.append(row(name, f"{instances} notifier(s): last in inbox", "s", seconds, one, target))
        if arrived < expected:
            rows.append(
                row(name, f"{instances} notifier(s): arrived within {LIMIT_SECONDS:.0f}s", "count", arrived)
            )
        rows.append(row(name, f"{instances} notifier(s): rate", "reminders/s", arrived / seconds))
    return rows
