"""Whom to e-mail, and the e-mail waiting to be sent, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from evently_notifier.domain.emails import Email, EmailStatus, Recipient

from tests.fakes.notifier.rows import ByKey, due, insert_all, update_existing
from tests.fakes.notifier.tables import Tables


class FakeRecipientRepository(ByKey[Recipient]):
    def __init__(self, tables: Tables) -> None:
        super().__init__(tables.recipients, lambda r: r.user_id)


class FakeEmailRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.emails

    def add(self, *added: Email) -> None:
        insert_all(self._rows, added)

    def save(self, *saved: Email) -> None:
        update_existing(self._rows, saved)

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        claimed = due(self._rows, EmailStatus.PENDING, now)[:limit]
        for email in claimed:
            self._rows[email.id] = replace(email, next_attempt_time=lease_until)
        return [self._rows[e.id] for e in claimed]

    def delete_for_user(self, user_id: str) -> None:
        for e in [e for e in self._rows.values() if e.user_id == user_id and e.status is EmailStatus.PENDING]:
            del self._rows[e.id]
