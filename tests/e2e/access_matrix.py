"""The access matrix: every method of every service, how to call it over gRPC and over HTTP,
and the status each role (anonymous, another user, the owner) must get."""

from __future__ import annotations

from evently.events.v1 import event_service_pb2
from evently.notifier.v1 import notifier_service_pb2
from evently.users.v1 import user_service_pb2

from tests.e2e.access_kit import (
    DENIED,
    NEW_PASSWORD,
    NOT_FOUND,
    OK,
    PASSWORD,
    TWO_CHOICES,
    UNAUTHENTICATED,
    Row,
    a_comment,
    a_minute_ago,
    a_poll,
    an_event,
    attending,
    delivered,
    in_hours,
    next_week,
    registered,
    subscription,
)

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
        lambda r: {"event": next_week()},
        lambda r: ("POST", "/v1/events", next_week()),
        (UNAUTHENTICATED, OK, OK),
    ),
    Row(
        "events",
        "GetEvent",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}", None),
        (OK, OK, OK),
        prepare=an_event,
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
        prepare=an_event,
    ),
    Row(
        "events",
        "DeleteEvent",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("DELETE", f"/v1/events/{r.ids['event']}", None),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=an_event,
    ),
    Row(
        "events",
        "UpdateEvent",
        lambda r: {"event": {"id": r.ids["event"], "title": "Renamed"}, "updateMask": "title"},
        lambda r: ("PATCH", f"/v1/events/{r.ids['event']}?updateMask=title", {"title": "Renamed"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=an_event,
    ),
    Row(
        "events",
        "GetEventCalendar",
        lambda r: {"id": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/calendar.ics", None),
        (OK, OK, OK),
        prepare=an_event,
    ),
    # Comments come from the organizer and registered people; the stranger registered nowhere.
    Row(
        "events",
        "AddComment",
        lambda r: {"eventId": r.ids["event"], "text": "See you there"},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}/comments", {"text": "See you there"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=an_event,
    ),
    # A comment is its author's to edit or delete (the organizer may remove any: test_conversation).
    Row(
        "events",
        "UpdateComment",
        lambda r: {"comment": {"id": r.ids["comment"], "text": "Welcome, all!"}},
        lambda r: ("PATCH", f"/v1/comments/{r.ids['comment']}", {"text": "Welcome, all!"}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=a_comment,
    ),
    Row(
        "events",
        "DeleteComment",
        lambda r: {"id": r.ids["comment"]},
        lambda r: ("DELETE", f"/v1/comments/{r.ids['comment']}", None),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=a_comment,
    ),
    Row(
        "events",
        "CreatePoll",
        lambda r: {"poll": {"eventId": r.ids["event"], **TWO_CHOICES}},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}/polls", TWO_CHOICES),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=an_event,
    ),
    Row(
        "events",
        "GetPoll",
        lambda r: {"id": r.ids["poll"]},
        lambda r: ("GET", f"/v1/polls/{r.ids['poll']}", None),
        (OK, OK, OK),
        prepare=a_poll,
    ),
    Row(
        "events",
        "ListPolls",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/polls", None),
        (OK, OK, OK),
        prepare=a_poll,
    ),
    # Anyone signed in may vote; only the organizer closes.
    Row(
        "events",
        "Vote",
        lambda r: {"pollId": r.ids["poll"], "answers": [{"optionId": r.ids["option"], "answer": "YES"}]},
        lambda r: (
            "POST",
            f"/v1/polls/{r.ids['poll']}:vote",
            {"answers": [{"optionId": r.ids["option"], "answer": "YES"}]},
        ),
        (UNAUTHENTICATED, OK, OK),
        prepare=a_poll,
    ),
    Row(
        "events",
        "ClosePoll",
        lambda r: {"id": r.ids["poll"]},
        lambda r: ("POST", f"/v1/polls/{r.ids['poll']}:close", {}),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=a_poll,
    ),
    Row(
        "events",
        "ListComments",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/comments", None),
        (OK, OK, OK),
        prepare=an_event,
    ),
    Row(
        "events",
        "RegisterForEvent",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}:register", {}),
        (UNAUTHENTICATED, OK, OK),  # anyone signed in may register, the organizer too
        prepare=an_event,
    ),
    # A registration is the caller's own: with none, there is nothing to cancel.
    Row(
        "events",
        "CancelRegistration",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("POST", f"/v1/events/{r.ids['event']}:unregister", {}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=lambda client, owner: registered(client, owner),
    ),
    Row(
        "events",
        "ListRegistrations",
        lambda r: {"eventId": r.ids["event"]},
        lambda r: ("GET", f"/v1/events/{r.ids['event']}/registrations", None),
        (UNAUTHENTICATED, DENIED, OK),
        prepare=an_event,
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
        lambda r: {"eventId": r.ids["event"], "remindTime": in_hours(2)},
        lambda r: ("POST", "/v1/reminders", {"eventId": r.ids["event"], "remindTime": in_hours(2)}),
        (UNAUTHENTICATED, NOT_FOUND, OK),
        prepare=attending,
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
        prepare=attending,
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
        "RecoverDeliveries",
        lambda r: {"subscriptionId": r.ids["subscription"], "since": a_minute_ago()},
        lambda r: ("POST", f"/v1/subscriptions/{r.ids['subscription']}:recover", {"since": a_minute_ago()}),
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
        prepare=lambda client, owner: delivered(client, owner),
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
# refresh token is the credential; covered by the users tests); the streams are checked by their
# own tests (the inbox's in test_access_control, an event's room in test_event_room_over_http).
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
STREAMS = {"notifier.WatchNotifications", "events.WatchEvent"}
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
