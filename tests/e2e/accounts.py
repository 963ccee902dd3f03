"""Accounts, events and webhook subscriptions made over HTTP, as the end-to-end tests need them."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.e2e.webhook_receiver import WebhookReceiver

PASSWORD = "correct horse battery staple"


def signed_in(http: httpx.Client, name: str) -> dict[str, str]:
    """Signs up `name` with a fresh e-mail, logs in, and returns the Authorization header."""
    email = f"{name.lower()}-{secrets.token_hex(4)}@example.com"
    account = {"email": email, "password": PASSWORD}
    http.post("/v1/users", json={**account, "displayName": name}).raise_for_status()
    login = http.post("/v1/users:login", json=account).json()
    return {"authorization": f"Bearer {login['accessToken']}"}


def new_event(
    http: httpx.Client,
    organizer: dict[str, str],
    title: str,
    *,
    location: str = "Online",
    days_ahead: float = 3,
    hours: float = 1,
) -> dict[str, Any]:
    """Publishes an event starting `days_ahead` from now, as `organizer`; returns it as JSON."""
    start = datetime.now(UTC) + timedelta(days=days_ahead)
    created = http.post(
        "/v1/events",
        json={
            "title": title,
            "location": location,
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=hours)).isoformat(),
        },
        headers=organizer,
    )
    assert created.status_code == 200, created.text
    event: dict[str, Any] = created.json()
    return event


def subscribe(
    http: httpx.Client, owner: dict[str, str], receiver: WebhookReceiver, event_types: list[str]
) -> dict[str, Any]:
    """Subscribes `receiver` to `event_types` as `owner`, and gives it the signing secret."""
    created = http.post(
        "/v1/subscriptions", json={"url": receiver.url, "eventTypes": event_types}, headers=owner
    )
    assert created.status_code == 200, created.text
    subscription: dict[str, Any] = created.json()
    receiver.secret = subscription["secret"]
    return subscription
