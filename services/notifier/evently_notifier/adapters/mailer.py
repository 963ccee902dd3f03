"""Sends e-mail over SMTP (`EVENTLY_SMTP_URL`: smtp://[user:password@]host[:port], or smtps://,
or smtp+starttls://), or writes it as `.eml` files under `<data dir>/mail/` when none is set."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import smtplib
import ssl
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from evently_notifier.adapters.mime import compose
from evently_notifier.domain.emails import Email


class Mailer(Protocol):
    async def send(self, email: Email) -> None:
        """Raise on failure (the e-mail is retried). Called by several tasks at once; a mailer
        that blocks (a network conversation) does so in a worker thread of its own choosing."""
        ...

    def close(self) -> None: ...


class SmtpMailer:
    def __init__(self, url: str, *, sender: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"EVENTLY_SMTP_URL must be smtp://, smtps:// or smtp+starttls://, not {url!r}")
        self._scheme = parts.scheme
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout
        self._sender = sender
        self._envelope_sender = parseaddr(sender)[1]
        self._idle: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()

    async def send(self, email: Email) -> None:
        await asyncio.to_thread(self._send, email)

    def _send(self, email: Email) -> None:
        """Over a kept-open connection when one is idle (a new one per message costs a TCP and
        often a TLS handshake). A kept connection the server dropped while idle fails before
        the server accepts anything; the message then goes once over a new connection."""
        message = _Outgoing(
            self._envelope_sender, email.to_address, compose(email, self._sender, linesep="\r\n")
        )
        try:
            smtp = self._idle.get_nowait()
        except queue.Empty:
            smtp = self._connect()
        else:
            try:
                self._send_on(smtp, message)
                return
            except (smtplib.SMTPServerDisconnected, OSError):
                smtp = self._connect()
        self._send_on(smtp, message)

    def _send_on(self, smtp: smtplib.SMTP, message: _Outgoing) -> None:
        """Sends, then keeps the connection for the next message unless it is broken."""
        try:
            smtp.sendmail(message.sender, [message.recipient], message.data, message.options)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as refused:
            # The server refused this message (smtplib has reset the transaction); 421 means
            # it is closing the connection.
            if getattr(refused, "smtp_code", 0) == 421:
                _quietly_close(smtp)
            else:
                self._idle.put(smtp)
            raise
        except BaseException:
            _quietly_close(smtp)
            raise
        self._idle.put(smtp)

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self._scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            if self._scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self._user is not None:
                smtp.login(self._user, self._password or "")
        except BaseException:
            _quietly_close(smtp)
            raise
        return smtp

    def close(self) -> None:
        while True:
            try:
                smtp = self._idle.get_nowait()
            except queue.Empty:
                return
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                _quietly_close(smtp)


class _Outgoing:
    """One message on the wire: its envelope and its bytes."""

    __slots__ = ("data", "options", "recipient", "sender")

    def __init__(self, sender: str, recipient: str, data: bytes) -> None:
        self.sender = sender
        self.recipient = recipient
        self.data = data
        # RFC 6531: an address beyond ASCII needs the server's SMTPUTF8 (smtplib's send_message
        # asked for it the same way).
        self.options: tuple[str, ...] = (
            () if (sender + recipient).isascii() else ("SMTPUTF8", "BODY=8BITMIME")
        )


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


class FileMailer:
    """For development: each e-mail becomes `<dir>/<id>.eml`, readable by any mail client."""

    def __init__(self, directory: Path, *, sender: str) -> None:
        self._dir = directory
        self._sender = sender

    def close(self) -> None:
        pass

    async def send(self, email: Email) -> None:
        """On the event loop: composing takes ~30 µs and a small local file ~30 µs more, less
        than handing both to a worker thread and back."""
        if not self._dir.is_dir():
            self._dir.mkdir(parents=True, exist_ok=True)
        temporary = self._dir / f".{email.id}.tmp"
        temporary.write_bytes(compose(email, self._sender))
        os.replace(temporary, self._dir / f"{email.id}.eml")
