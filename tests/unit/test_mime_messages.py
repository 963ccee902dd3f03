"""The notification e-mail as a mail client reads it: the bytes the notifier writes, parsed back by
the standard library's modern parser, give the same headers, texts and calendar file."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import EmailMessage

from evently_notifier.adapters.mime import compose
from evently_notifier.domain.emails import Email, EmailStatus

SENDER = "Evently <notifications@example.com>"
TEXT = (
    "Hello Zoë,\n\nYou are registered for Café = Code.\n\n"
    "When: Friday 4 December 2026, 18:00\u201320:00 (Europe/Paris)   \n"
    + "A line longer than any mail line should be, " * 4
    + "\n\thttps://evently.example/#/events/e1?a=1&b=2\n"
)
HTML = '<p>Hello Zoë,</p><p><a href="https://evently.example/#/events/e1?a=1&amp;b=2">Café = Code</a></p>'
CALENDAR = "\r\n".join(
    ["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "SUMMARY:Café", "END:VEVENT", "END:VCALENDAR", ""]
).encode()


def an_email(**changes: object) -> Email:
    fields: dict[str, object] = {
        "id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        "user_id": "u1",
        "to_address": "zoe@example.com",
        "to_name": "Zoë Durand",
        "subject": "You are registered for Café = Code",
        "text": TEXT,
        "html": HTML,
        "calendar": CALENDAR,
        "message_id": "<0190a1b2@evently.example>",
        "status": EmailStatus.PENDING,
        "attempts": 0,
        "last_error": "",
        "next_attempt_time": None,
        "create_time": datetime(2026, 12, 4, 17, 5, 9, tzinfo=UTC),
        "update_time": datetime(2026, 12, 4, 17, 5, 9, tzinfo=UTC),
        "unsubscribe_url": "https://evently.example/v1/unsubscribe/token-abc",
        **changes,
    }
    return Email(**fields)  # type: ignore[arg-type]


def read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert not message.defects, message.defects
    return message


def test_a_confirmation_reads_back_as_written() -> None:
    message = read(compose(an_email(), SENDER))

    assert message["From"] == SENDER
    assert message["To"] == "Zoë Durand <zoe@example.com>"
    assert message["To"].addresses[0].addr_spec == "zoe@example.com"
    assert message["Subject"] == "You are registered for Café = Code"
    assert message["Message-ID"] == "<0190a1b2@evently.example>"
    assert message["Date"].datetime == datetime(2026, 12, 4, 17, 5, 9, tzinfo=UTC)
    assert message["List-Unsubscribe"] == "<https://evently.example/v1/unsubscribe/token-abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["MIME-Version"] == "1.0"
    assert message.get_content_type() == "multipart/mixed"

    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert text.get_content() == TEXT
    assert html.get_content() == HTML
    [attachment] = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "event.ics"
    assert attachment.get_content() == CALENDAR.decode().replace("\r\n", "\n")


def test_without_a_calendar_the_message_is_the_two_alternatives() -> None:
    message = read(compose(an_email(calendar=None, unsubscribe_url=""), SENDER))

    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["List-Unsubscribe"] is None


def test_lines_stay_within_the_mail_limits() -> None:
    subject = "A very long event title that goes on " * 5
    raw = compose(an_email(subject=subject.strip()), SENDER)

    assert max(len(line) for line in raw.split(b"\n")) <= 78
    assert read(raw)["Subject"] == subject.strip()


def test_a_long_subject_beyond_ascii_survives_whole() -> None:
    subject = ("Réunion des amis du café — " * 6).strip()
    message = read(compose(an_email(subject=subject), SENDER))

    assert message["Subject"] == subject


def test_a_line_break_in_a_header_value_cannot_add_a_header() -> None:
    message = read(compose(an_email(subject="Chess\r\nBcc: eve@example.com"), SENDER))

    assert message["Bcc"] is None
    assert message["Subject"] == "Chess Bcc: eve@example.com"


def test_an_address_beyond_ascii_is_sent_as_utf8() -> None:
    raw = compose(an_email(to_address="zoë@exämple.com"), SENDER)

    # (The standard library's parser reads headers from bytes as ASCII: a mail client that
    # speaks RFC 6532 reads them as UTF-8.)
    message = email.message_from_string(raw.decode(), policy=email.policy.default)

    assert message["To"].addresses[0].addr_spec == "zoë@exämple.com"


def test_on_the_smtp_wire_every_line_ends_in_crlf() -> None:
    raw = compose(an_email(), SENDER, linesep="\r\n")

    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert read(raw).get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n") == TEXT  # type: ignore[union-attr]
