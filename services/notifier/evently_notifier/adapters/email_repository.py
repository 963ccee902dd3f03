"""Recipients and outgoing e-mail, stored with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from evently_platform.db.upsert import upsert
from evently_platform.workers.claims import claim_rows
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from evently_notifier.adapters.tables import emails, recipients
from evently_notifier.domain.emails import Email, EmailStatus, Recipient

# Statements built once: building one per call costs several times what executing it does.
_INSERT_EMAIL = insert(emails)
_RECIPIENTS = select(recipients).where(recipients.c.user_id.in_(bindparam("b_users", expanding=True)))
_RECIPIENT = select(recipients).where(recipients.c.user_id == bindparam("b_user"))
_SAVE_EMAIL = (
    update(emails)
    .where(emails.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        last_error=bindparam("b_last_error"),
        next_attempt_time=bindparam("b_next"),
        update_time=bindparam("b_update"),
    )
)


class SqlRecipientRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, user_id: str) -> Recipient | None:
        row = self._connection.execute(_RECIPIENT, {"b_user": user_id}).first()
        return Recipient(row.user_id, row.email, row.display_name, row.time_zone) if row else None

    def get_many(self, user_ids: Collection[str]) -> dict[str, Recipient]:
        if not user_ids:
            return {}
        found = self._connection.execute(_RECIPIENTS, {"b_users": list(user_ids)})
        return {r.user_id: Recipient(r.user_id, r.email, r.display_name, r.time_zone) for r in found}

    def save(self, recipient: Recipient) -> None:
        row = {
            "user_id": recipient.user_id,
            "email": recipient.email,
            "display_name": recipient.display_name,
            "time_zone": recipient.time_zone,
        }
        upsert(self._connection, recipients, row, key=("user_id",))

    def delete(self, user_id: str) -> None:
        self._connection.execute(delete(recipients).where(recipients.c.user_id == user_id))


def _to_email(row: Any) -> Email:
    return Email(
        id=row.id,
        user_id=row.user_id,
        to_address=row.to_address,
        to_name=row.to_name,
        subject=row.subject,
        text=row.text,
        html=row.html,
        calendar=bytes(row.calendar) if row.calendar is not None else None,
        message_id=row.message_id,
        status=EmailStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_time=row.next_attempt_time,
        create_time=row.create_time,
        update_time=row.update_time,
        unsubscribe_url=row.unsubscribe_url,
    )


class SqlEmailRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *added: Email) -> None:
        if not added:
            return
        self._connection.execute(
            _INSERT_EMAIL,
            [
                dict(
                    id=email.id,
                    user_id=email.user_id,
                    to_address=email.to_address,
                    to_name=email.to_name,
                    subject=email.subject,
                    text=email.text,
                    html=email.html,
                    calendar=email.calendar,
                    message_id=email.message_id,
                    status=email.status.value,
                    attempts=email.attempts,
                    last_error=email.last_error,
                    next_attempt_time=email.next_attempt_time,
                    create_time=email.create_time,
                    update_time=email.update_time,
                    unsubscribe_url=email.unsubscribe_url,
                )
                for email in added
            ],
        )

    def save(self, *saved: Email) -> None:
        if not saved:
            return
        self._connection.execute(
            _SAVE_EMAIL,
            [
                {
                    "b_id": email.id,
                    "b_status": email.status.value,
                    "b_attempts": email.attempts,
                    "b_last_error": email.last_error,
                    "b_next": email.next_attempt_time,
                    "b_update": email.update_time,
                }
                for email in saved
            ],
        )

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        # Hidden from other workers until the lease runs out (then due again if we died).
        rows = claim_rows(
            self._connection,
            emails,
            where=[emails.c.status == EmailStatus.PENDING.value, emails.c.next_attempt_time <= now],
            order_by=emails.c.next_attempt_time,
            limit=limit,
            values={"next_attempt_time": lease_until},
        )
        return [_to_email(r) for r in rows]

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(
            delete(emails).where(emails.c.user_id == user_id, emails.c.status == EmailStatus.PENDING.value)
        )
