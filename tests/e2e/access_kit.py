"""What the access matrix is made of: the roles and statuses, a client that calls as any role over
gRPC or HTTP, the resources a method needs made first, and the shape of one row."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
from evently.events.v1 import event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2_grpc
from evently.users.v1 import user_service_pb2_grpc

from tests.e2e.conftest import System

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "another horse battery staple"
OK, UNAUTHENTICATED, DENIED, NOT_FOUND = (
    grpc.StatusCode.OK,
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.NOT_FOUND,
)
HTTP = {OK: 200, UNAUTHENTICATED: 401, DENIED: 403, NOT_FOUND: 404}
ROLES = ("anonymous", "stranger", "owner")


@dataclass
class Person:
    id: str
    token: str


@dataclass
class Resources:
    """What one row of the matrix acts on, made fresh for each transport."""

    owner: Person
    stranger: Person
    ids: dict[str, str]


class Client:
    def __init__(self, system: System) -> None:
        self.http = httpx.Client(base_url=system.gateway, timeout=30)
        self.stubs = {
            "users": user_service_pb2_grpc.UserServiceStub(grpc.insecure_channel(system.addrs["users"])),
            "events": event_service_pb2_grpc.EventServiceStub(grpc.insecure_channel(system.addrs["events"])),
            "notifier": notifier_service_pb2_grpc.NotifierServiceStub(
                grpc.insecure_channel(system.addrs["notifier"])
            ),
        }

    def person(self) -> Person:
        email = f"p-{secrets.token_hex(6)}@example.com"
        user = self.http.post("/v1/users", json={"email": email, "password": PASSWORD, "displayName": "P"})
        assert user.status_code == 200, user.text
        login = self.http.post("/v1/users:login", json={"email": email, "password": PASSWORD}).json()
        return Person(user.json()["id"], login["accessToken"])

    def call(self, person: Person, verb: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(verb, path, json=body, headers={"authorization": f"Bearer {person.token}"})
        assert answer.status_code == 200, answer.text
        return answer.json()


def next_week() -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=7)
    return {
        "title": "Meetup",
        "location": "Berlin",
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "endTime": (start + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
    }


def in_hours(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def a_minute_ago() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")


def an_event(client: Client, owner: Person) -> dict[str, str]:
    return {"event": client.call(owner, "POST", "/v1/events", next_week())["id"]}


def a_comment(client: Client, owner: Person) -> dict[str, str]:
    ids = an_event(client, owner)
    said = client.call(owner, "POST", f"/v1/events/{ids['event']}/comments", {"text": "Welcome!"})
    return {**ids, "comment": said["id"]}


TWO_CHOICES = {"kind": "QUESTION", "options": [{"text": "Pizza"}, {"text": "Sushi"}]}


def a_poll(client: Client, owner: Person) -> dict[str, str]:
    ids = an_event(client, owner)
    poll = client.call(owner, "POST", f"/v1/events/{ids['event']}/polls", TWO_CHOICES)
    return {**ids, "poll": poll["id"], "option": poll["options"][0]["id"]}


def registered(client: Client, owner: Person) -> dict[str, str]:
    ids = an_event(client, owner)
    client.call(owner, "POST", f"/v1/events/{ids['event']}:register", {})
    return ids


def attending(client: Client, owner: Person) -> dict[str, str]:
    """The owner registered for their own event, and the notifier has taken note (its welcome
    is in the inbox), so reminders can be made; their default reminders exist."""
    ids = registered(client, owner)
    deadline = time.monotonic() + 30
    while True:
        inbox = client.call(owner, "GET", "/v1/notifications").get("notifications", [])
        reminders = client.call(owner, "GET", f"/v1/reminders?eventId={ids['event']}").get("reminders", [])
        if any(n.get("eventId") == ids["event"] for n in inbox) and reminders:
            return {**ids, "reminder": reminders[0]["id"]}
        assert time.monotonic() < deadline, "the notifier did not see the registration"
        time.sleep(0.05)


def delivered(client: Client, owner: Person) -> dict[str, str]:
    """A subscription with one delivery in its log (to an endpoint nobody listens on)."""
    ids = subscription(client, owner)
    an_event(client, owner)
    deadline = time.monotonic() + 30
    while True:
        log = client.call(owner, "GET", f"/v1/subscriptions/{ids['subscription']}/deliveries")
        if log.get("deliveries"):
            return {**ids, "delivery": log["deliveries"][0]["id"]}
        assert time.monotonic() < deadline, "no delivery was made"
        time.sleep(0.05)


def subscription(client: Client, owner: Person) -> dict[str, str]:
    created = client.call(
        owner, "POST", "/v1/subscriptions", {"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}
    )
    return {"subscription": created["id"]}


@dataclass(frozen=True)
class Row:
    """One method: how to call it over gRPC and over HTTP, and what each role gets."""

    service: str
    method: str
    request: Callable[[Resources], dict[str, Any]]  # the request message as proto3 JSON
    http: Callable[[Resources], tuple[str, str, Any]]  # verb, path, body
    expected: tuple[grpc.StatusCode, grpc.StatusCode, grpc.StatusCode]  # anonymous, stranger, owner
    prepare: Callable[[Client, Person], dict[str, str]] = lambda client, owner: {}
    fresh_people: bool = False  # the owner's call uses the owner up (DeleteUser)
