"""Sends e-mail over SMTP (`EVENTLY_SMTP_URL`: smtp://[user:password@]host[:port], or smtps://,
or smtp+starttls://), or writes it as `.eml` files under `<data dir>/mail/` when none is set."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from evently_notifier.domain.emails import Email

SENDER = Address("Evently", "notifications", "evently.invalid")


def to_message(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = Address(email.to_name, addr_spec=email.to_address)
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.create_time)
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    if email.calendar is not None:
        message.add_attachment(email.calendar, maintype="text", subtype="calendar", filename="event.ics")
    return message


class Mailer(Protocol):
    def send(self, email: Email) -> None:
        """Raise on failure (the e-mail is retried)."""
        ...


class SmtpMailer:
    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"EVENTLY_SMTP_URL must be smtp://, smtps:// or smtp+starttls://, not {url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout

    def send(self, email: Email) -> None:
        smtp: smtplib.SMTP
        if self._scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        with smtp:
            if self._scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self._user is not None:
                smtp.login(self._user, self._password or "")
            smtp.send_message(to_message(email))


class FileMailer:
    """For development: each e-mail becomes `<dir>/<id>.eml`, readable by any mail client."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def send(self, email: Email) -> None:
        self._dir.mkdir(parents=True, exist_ok=True)
        temporary = self._dir / f".{email.id}.tmp"
        temporary.write_bytes(bytes(to_message(email)))
        os.replace(temporary, self._dir / f"{email.id}.eml")
