"""Notification e-mail as RFC 5322 / MIME bytes: text and HTML alternatives, and the calendar file
when there is one.

Written directly rather than through the `email` package's generator: every message has the same
few parts, and the generator refolds each header through `email.header.Header` — ~0.4 ms per
message (most of a message's cost to the notifier, twice per registration) against ~0.03 ms
here. The bodies are quoted-printable by `binascii` (C); non-ASCII header text becomes RFC 2047
encoded-words. The tests read these messages back with the standard library's modern parser."""

from __future__ import annotations

import base64
import binascii
from email.utils import format_datetime, formataddr, parseaddr

from evently_notifier.domain.emails import Email

# RFC 2047: an encoded-word is at most 75 characters, and a line holding one at most 76. Words
# of 30 bytes of UTF-8 (40 characters of base64, 52 with `=?utf-8?b?` and `?=`) fit on a line
# after any header's name.
_WORD_BYTES = 30
# RFC 5322: lines should stay within 78 characters (and must within 998).
_LINE = 78


def compose(email: Email, sender: str, *, linesep: str = "\n") -> bytes:
    """The whole message. `linesep` "\n" for files (as mail clients and the parser read them),
    "\r\n" on the SMTP wire."""
    # Boundaries of our own: the parts are quoted-printable, which never contains "=_".
    alternative = f"=_alt_{email.id}"
    parts = [
        _part("text/plain", email.text),
        _part("text/html", email.html),
    ]
    body = _multipart("alternative", alternative, parts)
    if email.calendar is not None:
        mixed = f"=_mix_{email.id}"
        calendar = _part(
            "text/calendar",
            email.calendar.decode(),
            extra='Content-Disposition: attachment; filename="event.ics"\n',
        )
        top = _multipart("mixed", mixed, [body, calendar])
    else:
        top = body
    headers = [
        _header("From", _mailbox(*parseaddr(sender)), ready=True),
        _header("To", _mailbox(email.to_name, email.to_address), ready=True),
        _header("Subject", email.subject),
        _header("Message-ID", email.message_id),
        _header("Date", format_datetime(email.create_time)),
    ]
    if email.unsubscribe_url:
        # RFC 8058: mail clients show an unsubscribe button that POSTs this, no sign-in needed.
        headers.append(_header("List-Unsubscribe", f"<{email.unsubscribe_url}>"))
        headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\n")
    text = "".join(headers) + "MIME-Version: 1.0\n" + top
    if linesep != "\n":
        text = text.replace("\n", linesep)
    return text.encode()


def _multipart(subtype: str, boundary: str, parts: list[str]) -> str:
    # The line end before a delimiter belongs to the delimiter (RFC 2046), not to the part.
    inner = "".join(f"--{boundary}\n{part}\n" for part in parts)
    return f'Content-Type: multipart/{subtype};\n boundary="{boundary}"\n\n{inner}--{boundary}--\n'


def _part(content_type: str, content: str, *, extra: str = "") -> str:
    # One line ending inside the message; quoted-printable keeps the text readable in the raw
    # message (Python's default for UTF-8 would be base64).
    data = content.replace("\r\n", "\n").replace("\r", "\n").encode()
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).decode("ascii")
    return (
        f'Content-Type: {content_type}; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        f"{extra}\n{encoded}"
    )


def _header(name: str, value: str, *, ready: bool = False) -> str:
    """`Name: value` and its line end; a value never spans lines of its own (a line break in it
    would start a header of the attacker's choosing), long ones are folded at spaces. Text
    beyond ASCII becomes encoded-words unless the value is `ready` (already in its wire form)."""
    value = " ".join(value.splitlines())
    words = value.split(" ") if ready or value.isascii() else _encoded_words(value)
    lines: list[str] = []
    line = f"{name}:"
    for word in words:
        if len(line) + 1 + len(word) > _LINE and line != f"{name}:":
            lines.append(line)
            line = ""
        line += " " + word
    lines.append(line)
    return "\n".join(lines) + "\n"


def _mailbox(name: str, address: str) -> str:
    """`Name <address>`: a name beyond ASCII as one encoded-word, as `formataddr` writes it
    (readers, the standard library's among them, keep the space between words of a name); the
    address as it is — beyond ASCII it goes as UTF-8 (RFC 6532, over SMTPUTF8), which
    `formataddr` refuses."""
    name = " ".join(name.splitlines())
    if not name:
        return address
    if name.isascii():
        return formataddr((name, "a@a"))[: -len("<a@a>")] + f"<{address}>"
    return f"{_word(name.encode())} <{address}>"


def _encoded_words(value: str) -> list[str]:
    """RFC 2047 "B" encoded-words, each whole characters' UTF-8; a reader joins adjacent words
    with no space between them."""
    words: list[str] = []
    chunk = b""
    for character in value:
        encoded = character.encode()
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(_word(chunk))
            chunk = b""
        chunk += encoded
    if chunk:
        words.append(_word(chunk))
    return words


def _word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="
