"""The access matrix: every method of every service, how to call it over gRPC and over HTTP,
and the status each role (anonymous, another user, the owner) must get."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
from evently.events.v1 import event_service_pb2, event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc

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


def _next_week() -> dict[str, Any]:
    start = datetime.now(UTC) + timedelta(days=7)
    return {
        "title": "Meetup",
        "location": "Berlin",
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "endTime": (start + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
    }


def _in_hours(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def _event(client: Client, owner: Person) -> dict[str, str]:
    return {"event": client.call(owner, "POST", "/v1/events", _next_week())["id"]}


def _registered(client: Client, owner: Person) -> dict[str, str]:
    ids = _event(client, owner)
    client.call(owner, "POST", f"/v1/events/{ids['event']}:register", {})
    return ids


def _attending(client: Client, owner: Person) -> dict[str, str]:
    """The owner registered for their own event, and the notifier has taken note (its welcome
    is in the inbox), so reminders can be made; their default reminders exist."""
    ids = _registered(client, owner)
    deadline = time.monotonic() + 30
    while True:
        inbox = client.call(owner, "GET", "/v1/notifications").get("notifications", [])
        reminders = client.call(owner, "GET", f"/v1/reminders?eventId={ids['event']}").get("reminders", [])
        if any(n.get("eventId") == ids["event"] for n in inbox) and reminders:
            return {**ids, "reminder": reminders[0]["id"]}
        assert time.monotonic() < deadline, "the notifier did not see the registration"
        time.sleep(0.05)


def _delivered(client: Client, owner: Person) -> dict[str, str]:
    """A subscription with one delivery in its log (to an endpoint nobody listens on)."""
    ids = subscription(client, owner)
    _event(client, owner)
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


ROWS = [
    Row(
        "users",
        "GetJwks",
        lambda r: {},
        lambda r: ("GET", "/.well-known/jwks.json", None),
        (OK, OK, OK),
    ),
    Row(
        "users",
        "GetUser",
        lambda r: {"id": r.owner.id},
        lambda r: ("GET", f"/v1/users/{r.owner.id}", None),
        (UNAUTHENTICATED, OK, OK),  # others see the public fields only
    ),
    Row(
        "users",
        "UpdateUser",
        lambda r: {"user": {"id": r.owner.id, "displayName": "New"}, "updateMask": "displayName"},
        lambda r: (
            "PATCH",
            f"/v1/users/{r.owner.id}",
            {"user": {"displayName": "New"}, "updateMask": "displayName"},
        ),
        (UNAUTHENTICATED, DENIED, OK),
    ),
    Row(
        "users",
        "ChangePassword",
        lambda r: {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        lambda r: (
            "POST",
            "/v1/users/me:changePassword",
            {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD},
        ),
        (UNAUTHENTICATED, OK, OK),  # each changes their own ("me")
        fresh_people=True,
    ),
    Row(
        "users",
        "DeleteUser",
        lambda r: {"id": r.owner.id},
        lambda r: ("DELETE", f"/v1/users/{r.owner.id}", None),
        (UNAUTHENTICATED, DENIED, OK),
        fresh_people=True,
    ),
    Row(
        "events",
        "CreateEvent",
        lambda r: {"event": _next_week()},
        lambda r: ("POST", "/v1/events", _next_week()),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "events",
        "GetEvent",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}", None),
        (OK, OK, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "ListEvents",
        lambda r: {"pageSize": 5},
        lambda r: ("GET", "/v1/events?pageSize=5", None),
        (OK, OK, OK),
    ),
    Row(
        "events",
        "CancelEvent",
        lambda r: {"id": r.ids["event"], "reason": "rain"},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}:cancel", {"reason": "rain"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "DeleteEvent",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("DELETE", f"/v1/events/{r.ids['event']}", None),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "UpdateEvent",
        lambda r: {"event": {"id": r.ids["event"], "title": "Renamed"}, "updateMask": "title"},
        lambda r: ("PATCH", f"/v1/events/{r.ids['event']}?updateMask=title", {"title": "Renamed"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "GetEventCalendar",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/calendar.ics", None),
        (OK, OK, OK),
        prepare=_event,
    ),
    # Comments come from the organizer and registered people; the stranger registered nowhere.
    Row(
        "events",
        "AddComment",
        lambda r: {"eventId": r.ids["event"], "text": "See you there"},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}/comments", {"text": "See you there"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "ListComments",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/comments", None),
        (OK, OK, OK),
        prepare=_event,
    ),
    Row(
        "events",
        "RegisterForEvent",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}:register", {}),
        (UNAUTHENTICATED, OK, OK),  # anyone signed in may register, the organizer too
        prepare=_event,
    ),
    # A registration is the caller's own: with none, there is nothing to cancel.
    Row(
        "events",
        "CancelRegistration",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}:unregister", {}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=lambda client, owner: _registered(client, owner),
    ),
    Row(
        "events",
        "ListRegistrations",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/registrations", None),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=_event,
    ),
    Row(
        "notifier",
        "CreateSubscription",
        lambda r: {"subscription": {"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}},
        lambda r: ("POST", "/v1/subscriptions", {"url": "http://127.0.0.1:9/hook", "eventTypes": ["*"]}),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "notifier",
        "ListSubscriptions",
        lambda r: {},
        lambda r: ("GET", "/v1/subscriptions", None),
        (UNAUTHENTICATED, OK, OK),  # each caller sees their own only (checked below)
    ),
    # The inbox and preferences are always the caller's own.
    Row(
        "notifier",
        "ListNotifications",
        lambda r: {},
        lambda r: ("GET", "/v1/notifications", None),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "notifier",
        "MarkNotificationsRead",
        lambda r: {},
        lambda r: ("POST", "/v1/notifications:markRead", {}),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "notifier",
        "GetPreferences",
        lambda r: {},
        lambda r: ("GET", "/v1/preferences", None),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "notifier",
        "UpdatePreferences",
        lambda r: {"preferences": {"email": False}, "updateMask": "email"},
        lambda r: ("PATCH", "/v1/preferences?updateMask=email", {"email": False}),
        (UNAUTHENTICATED, OK, OK),
    ),
    # Reminders are for the person's own events; others' reminders do not exist for them.
    Row(
        "notifier",
        "CreateReminder",
        lambda r: {"eventId": r.ids["event"], "remindTime": _in_hours(2)},
        lambda r: ("POST", "/v1/reminders", {"eventId": r.ids["event"], "remindTime": _in_hours(2)}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=_attending,
    ),
    Row(
        "notifier",
        "ListReminders",
        lambda r: {},
        lambda r: ("GET", "/v1/reminders", None),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "notifier",
        "DeleteReminder",
        lambda r: {"id": r.ids["reminder"]},
        lambda r: ("DELETE", f"/v1/reminders/{r.ids['reminder']}", None),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=_attending,
    ),
    # Someone else's subscriptions and deliveries are private: to others they do not exist.
    Row(
        "notifier",
        "ListDeliveries",
        lambda r: {"subscriptionId": r.ids["subscription"]},
        lambda r: ("GET", f"/v1/subscriptions/{r.ids['subscription']}/deliveries", None),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=subscription,
    ),
    Row(
        "notifier",
        "SendTestEvent",
        lambda r: {"subscriptionId": r.ids["subscription"]},
        lambda r: ("POST", f"/v1/subscriptions/{r.ids['subscription']}:test", {}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=subscription,
    ),
    Row(
        "notifier",
        "RotateSubscriptionSecret",
        lambda r: {"id": r.ids["subscription"]},
        lambda r: ("POST", f"/v1/subscriptions/{r.ids['subscription']}:rotateSecret", {}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=subscription,
    ),
    Row(
        "notifier",
        "RetryDelivery",
        lambda r: {"id": r.ids["delivery"]},
        lambda r: ("POST", f"/v1/deliveries/{r.ids['delivery']}:retry", {}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=lambda client, owner: _delivered(client, owner),
    ),
    Row(
        "notifier",
        "DeleteSubscription",
        lambda r: {"id": r.ids["subscription"]},
        lambda r: ("DELETE", f"/v1/subscriptions/{r.ids['subscription']}", None),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=subscription,
    ),
]

# Sign-up, sign-in and the refresh token's exchange and sign-out need no caller by design (the
# refresh token is the credential; covered by the users tests); the inbox stream is checked by
# its own test below.
PUBLIC_BY_DESIGN = {
    "users.CreateUser",
    "users.Login",
    "users.RefreshToken",
    "users.Logout",
    "users.RequestPasswordReset",
    "users.ResetPassword",  # the e-mailed token is the credential
    "notifier.Unsubscribe",  # the signed link in an e-mail is the credential
    "notifier.ListEventTypes",  # the event catalog is public documentation
}
STREAMS = {"notifier.WatchNotifications"}
# For operator tokens only (`evently operator-token`), and not on the HTTP gateway.
OPERATOR_ONLY = {
    "events.ListDeadLetters",
    "events.ReplayDeadLetter",
    "notifier.ListDeadLetters",
    "notifier.ReplayDeadLetter",
}
SERVICES = {
    "users": user_service_pb2.DESCRIPTOR.services_by_name["UserService"],
    "events": event_service_pb2.DESCRIPTOR.services_by_name["EventService"],
    "notifier": notifier_service_pb2.DESCRIPTOR.services_by_name["NotifierService"],
}
