"""Run as a child process by the outbox tests: commits one change with its domain event, then
dies by SIGKILL before any relay could publish it."""

from __future__ import annotations

import os
import signal
import sys

from evently_events.adapters.protos import to_integration_event
from evently_events.adapters.repository import EventsUnitOfWork
from evently_events.bootstrap import MIGRATIONS
from evently_events.service_layer import handlers
from evently_events.service_layer.commands import CreateEvent
from evently_platform.clock import SystemClock
from evently_platform.db.engine import make_engine
from evently_platform.db.migrations import upgrade

from tests.integration.test_outbox import a_draft

engine = make_engine(sys.argv[1], instrument=False)
upgrade(engine, "events", MIGRATIONS)
uow = EventsUnitOfWork(engine, translate=to_integration_event)
event = handlers.create_event(CreateEvent("ann", a_draft()), uow=uow, clock=SystemClock())
print(event.id, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
