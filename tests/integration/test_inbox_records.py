"""The inbox records a batch's message ids in as few statements as its size allows, and tells
which of them were new, whatever the batch's size and however it overlaps earlier ones."""

from __future__ import annotations

from evently_platform.messaging.inbox import first_deliveries
from evently_platform.messaging.tables import inbox, metadata
from sqlalchemy import Engine, func, select


def test_a_batch_of_any_size_reports_exactly_its_new_messages(engine: Engine) -> None:
    metadata.create_all(engine, tables=[inbox])
    earlier = [f"m{i}" for i in range(0, 300, 3)]  # every third of what comes next
    batch = [f"m{i}" for i in range(300)]
    with engine.begin() as connection:
        assert first_deliveries(connection, "notifier", earlier) == set(earlier)
        assert first_deliveries(connection, "notifier", batch) == set(batch) - set(earlier)
        assert first_deliveries(connection, "notifier", batch) == set()
        # Each consumer keeps its own record.
        assert first_deliveries(connection, "reminders", ["m1", "m2"]) == {"m1", "m2"}
        assert first_deliveries(connection, "notifier", []) == set()
        counted = connection.execute(select(func.count()).select_from(inbox)).scalar_one()
    assert counted == 302
