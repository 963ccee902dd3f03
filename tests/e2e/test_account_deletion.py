"""Deleting an account, end to end: the users service announces it on JetStream; the events
service cancels the user's upcoming events and the notifier removes their subscriptions."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import create_engine, text

from tests.e2e.accounts import new_event
from tests.e2e.conftest import System
from tests.support import wait_until

PASSWORD = "correct horse battery staple"


def _sign_in(http: httpx.Client) -> tuple[str, str, dict[str, str]]:
    email = f"gone-{secrets.token_hex(4)}@example.com"
    user = http.post("/v1/users", json={"email": email, "password": PASSWORD, "displayName": "Gone"}).json()
    login = http.post("/v1/users:login", json={"email": email, "password": PASSWORD}).json()
    return user["id"], email, {"authorization": f"Bearer {login['accessToken']}"}


def _subscriptions_of(system: System, user_id: str) -> int:
    engine = create_engine(system.db_urls["notifier"])
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM subscriptions WHERE owner_id = :owner")
            return int(conn.execute(query, {"owner": user_id}).scalar_one())
    finally:
        engine.dispose()


def test_a_deleted_account_leaves_no_upcoming_events_and_no_subscriptions(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    user_id, email, auth = _sign_in(http)
    event = new_event(http, auth, "Soon gone")
    http.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}, headers=auth)
    assert _subscriptions_of(system, user_id) == 1

    deleted = http.delete(f"/v1/users/{user_id}", headers=auth)
    assert deleted.status_code == 200, deleted.text
    assert http.post("/v1/users:login", json={"email": email, "password": PASSWORD}).status_code == 401

    cancelled = wait_until(
        lambda: (got := http.get(f"/v1/events/{event['id']}").json()).get("state") == "CANCELLED" and got,
        timeout=30,
    )
    assert cancelled["cancelReason"] == "the organizer's account was deleted"
    wait_until(lambda: _subscriptions_of(system, user_id) == 0, timeout=30)


def test_a_deleted_accounts_token_stops_working_in_every_service(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    user_id, _, auth = _sign_in(http)
    assert http.get("/v1/subscriptions", headers=auth).status_code == 200
    assert http.delete(f"/v1/users/{user_id}", headers=auth).status_code == 200

    # Within moments, not when the token expires. (Polled with reads, which change nothing.)
    def refused(path: str) -> bool:
        return http.get(path, headers=auth).status_code == 401

    wait_until(lambda: refused("/v1/subscriptions"))  # the notifier
    wait_until(lambda: refused(f"/v1/users/{user_id}"))  # the users service
    wait_until(lambda: refused("/v1/events?organizerId=me"))  # the events service
    start = datetime.now(UTC) + timedelta(days=3)
    body = {
        "title": "After the account",
        "location": "Online",
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "endTime": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    }
    made = http.post("/v1/events", json=body, headers=auth)
    assert made.status_code == 401, made.text
    assert "deleted" in made.json()["message"]
    hook = http.post(
        "/v1/subscriptions", json={"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}, headers=auth
    )
    assert hook.status_code == 401
    assert _subscriptions_of(system, user_id) == 0  # nothing outlives the account
