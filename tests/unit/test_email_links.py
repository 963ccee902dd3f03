"""An e-mail about an event links to that event's page in the web UI."""

from __future__ import annotations

from datetime import UTC, datetime

from evently_notifier.domain.emails import Recipient, compose
from evently_notifier.domain.routing import Notice


def _email(event_id: str) -> tuple[str, str]:
    notice = Notice("u1", "registration.created", "Someone registered", "Ada registered.", event_id)
    email = compose(
        "e1",
        notice,
        Recipient("u1", "olga@example.com", "Olga"),
        message_id="<e1@evently.invalid>",
        base_url="https://evently.example.org/",
        calendar=None,
        now=datetime(2026, 11, 22, tzinfo=UTC),
    )
    return email.text, email.html


def test_the_link_opens_the_events_page_in_the_web_ui() -> None:
    text, html = _email("ev42")
    assert "https://evently.example.org/#/events/ev42" in text
    assert 'href="https://evently.example.org/#/events/ev42"' in html


def test_a_notice_about_no_event_links_to_the_home_page() -> None:
    text, _ = _email("")
    assert "https://evently.example.org/" in text
    assert "#/events/" not in text
