"""Recipients and outgoing e-mail, stored with SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently_platform.db.engine import is_postgres
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from evently_notifier.adapters.tables import emails, recipients
from evently_notifier.domain.emails import Email, EmailStatus, Recipient

# Statements built once: building one per call costs several times what executing it does.
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
        return Recipient(row.user_id, row.email, row.display_name) if row else None

    def save(self, recipient: Recipient) -> None:
        values = {"email": recipient.email, "display_name": recipient.display_name}
        changed = self._connection.execute(
            update(recipients)
            .where(recipients.c.user_id == recipient.user_id)
            .values(**values)
            .returning(recipients.c.user_id)
        ).first()
        if changed is None:
            self._connection.execute(insert(recipients), dict(user_id=recipient.user_id, **values))

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
    )


class SqlEmailRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, email: Email) -> None:
        self._connection.execute(
            insert(emails),
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
            ),
        )

    def save(self, email: Email) -> None:
        self._connection.execute(
            _SAVE_EMAIL,
            {
                "b_id": email.id,
                "b_status": email.status.value,
                "b_attempts": email.attempts,
                "b_last_error": email.last_error,
                "b_next": email.next_attempt_time,
                "b_update": email.update_time,
            },
        )

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        candidates = (
            select(emails.c.id)
            .where(emails.c.status == EmailStatus.PENDING.value, emails.c.next_attempt_time <= now)
            .order_by(emails.c.next_attempt_time)
            .limit(limit)
        )
        if is_postgres(self._connection.engine):
            candidates = candidates.with_for_update(skip_locked=True)
        ids = [r.id for r in self._connection.execute(candidates)]
        if not ids:
            return []
        # Hidden from other workers until the lease runs out (then due again if we died).
        self._connection.execute(
            update(emails).where(emails.c.id.in_(ids)).values(next_attempt_time=lease_until)
        )
        return [_to_email(r) for r in self._connection.execute(select(emails).where(emails.c.id.in_(ids)))]

    def delete_for_user(self, user_id: str) -> None:
        self._connection.execute(
            delete(emails).where(emails.c.user_id == user_id, emails.c.status == EmailStatus.PENDING.value)
        )
