"""Notification e-mails: composed from a notice, queued, and retried until sent or failed.
Pure Python (the templates are plain string templates, the HTML escaped)."""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from string import Template

from evently_notifier.domain.routing import Notice

# How long a claimed e-mail is this worker's: longer than an SMTP conversation may take.
SEND_LEASE = timedelta(minutes=2)


class EmailStatus(enum.Enum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Recipient:
    user_id: str
    email: str
    display_name: str
    time_zone: str = "UTC"  # IANA: the times in what they are told, also in their own


@dataclass(frozen=True)
class Email:
    id: str
    user_id: str
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str
    calendar: bytes | None  # an iCalendar attachment (registration confirmations)
    message_id: str  # fixed when composed, so a retried e-mail is the same message
    status: EmailStatus
    attempts: int
    last_error: str
    next_attempt_time: datetime | None
    create_time: datetime
    update_time: datetime
    # RFC 8058 one-click unsubscribe: where a mail client POSTs to turn this kind off.
    unsubscribe_url: str = ""


TEXT = Template("""Hello $name,

$title

$body

$link

You receive this because of your Evently notification preferences. To stop this kind of
message: $unsubscribe
To choose what you are told: $account
""")

HTML = Template("""<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello $name,</p>
<h2 style="font-size: 1.2em">$title</h2>
<p>$body</p>
<p><a href="$link">Open in Evently</a></p>
<p style="color: #666; font-size: .85em">You receive this because of your Evently notification
preferences. <a href="$unsubscribe">Stop this kind of message</a> ·
<a href="$account">Choose what you are told</a></p>
</body></html>
""")


def compose(
    email_id: str,
    notice: Notice,
    recipient: Recipient,
    *,
    message_id: str,
    base_url: str,
    calendar: bytes | None,
    now: datetime,
    unsubscribe_token: str = "",
) -> Email:
    """`unsubscribe_token`: see domain.unsubscribe; the message then carries List-Unsubscribe
    (for mail clients' one-click button) and a link to the same on a page of the web UI."""
    # The web UI's own route for an event (it routes by the fragment: one page, shareable links).
    base = base_url.rstrip("/")
    link = f"{base}/#/events/{notice.event_id}" if notice.event_id else base
    if notice.link_path:
        link = f"{base}{notice.link_path}"
    account = f"{base}/#/account"
    unsubscribe = f"{base}/#/unsubscribe/{unsubscribe_token}" if unsubscribe_token else account
    name = recipient.display_name or "there"
    body = notice.body_for(recipient.time_zone)
    return Email(
        id=email_id,
        user_id=recipient.user_id,
        to_address=recipient.email,
        to_name=recipient.display_name,
        subject=notice.title,
        text=TEXT.substitute(
            name=name, title=notice.title, body=body, link=link, unsubscribe=unsubscribe, account=account
        ),
        html=HTML.substitute(
            name=html.escape(name),
            title=html.escape(notice.title),
            body=html.escape(body),
            link=html.escape(link, quote=True),
            unsubscribe=html.escape(unsubscribe, quote=True),
            account=html.escape(account, quote=True),
        ),
        unsubscribe_url=f"{base}/v1/unsubscribe/{unsubscribe_token}" if unsubscribe_token else "",
        calendar=calendar,
        message_id=message_id,
        status=EmailStatus.PENDING,
        attempts=0,
        last_error="",
        next_attempt_time=now,
        create_time=now,
        update_time=now,
    )


@dataclass(frozen=True)
class EmailRetryPolicy:
    """Mail servers recover in minutes to hours; after the last delay the e-mail is FAILED."""

    delays: tuple[timedelta, ...] = field(
        default=(
            timedelta(minutes=1),
            timedelta(minutes=5),
            timedelta(minutes=30),
            timedelta(hours=2),
            timedelta(hours=6),
        )
    )


def after_attempt(email: Email, error: str | None, policy: EmailRetryPolicy, now: datetime) -> Email:
    attempts = email.attempts + 1
    if error is None:
        return replace(
            email,
            status=EmailStatus.SENT,
            attempts=attempts,
            last_error="",
            next_attempt_time=None,
            update_time=now,
        )
    if attempts > len(policy.delays):
        return replace(
            email,
            status=EmailStatus.FAILED,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_time=None,
            update_time=now,
        )
    return replace(
        email,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_time=now + policy.delays[attempts - 1],
        update_time=now,
    )
