"""Notification e-mail, received by a real SMTP server (aiosmtpd): multipart text and HTML, a
Message-ID, the calendar file with confirmations, retries when the server says try later,
and .eml files when no SMTP server is configured."""

from __future__ import annotations

import email
import email.policy
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.notifier.v1 import notification_pb2, notifier_service_pb2, notifier_service_pb2_grpc
from evently.users.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc
from evently_notifier.bootstrap import build as build_notifier
from evently_notifier.domain.emails import EmailRetryPolicy
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from evently_platform.messaging.jetstream import STREAM
from evently_platform.net import free_port
from evently_users.adapters.signing_keys import SigningKeyStore
from google.protobuf import field_mask_pb2
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.services.test_users import _violations
from tests.services.venue import Venue, build_events_service, build_users_service
from tests.support import eventually

PASSWORD = "correct horse battery staple"


class Inbox:
    """An SMTP server that keeps what it receives; it can be told to refuse for a while."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.peers: list[object] = []  # the client's (address, port) per message: one per connection
        self.refuse_next = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 try again later"
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        self.messages.append(email.message_from_bytes(raw, policy=email.policy.default))  # type: ignore[arg-type]
        self.peers.append(session.peer)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


SENDER = "Evently at Example <events@example.org>"


@pytest.fixture
def extra_env(smtp: tuple[Inbox, int]) -> dict[str, str]:
    return {"EVENTLY_SMTP_URL": f"smtp://127.0.0.1:{smtp[1]}", "EVENTLY_MAIL_FROM": SENDER}


FAST_RETRY = EmailRetryPolicy(delays=(timedelta(milliseconds=100), timedelta(milliseconds=100)))


async def _notifier(settings: Settings) -> ServiceHost:
    return await build_notifier(settings, email_policy=FAST_RETRY)


class Town:
    def __init__(self, users: Any, events: Any, notifier: Any, venue: Venue) -> None:
        self.users, self.events, self.notifier, self.venue = users, events, notifier, venue

    async def resident(self, name: str, time_zone: str = "") -> tuple[str, Any]:
        address = f"{name.lower()}-{secrets.token_hex(3)}@example.com"
        await self.users.CreateUser(
            user_service_pb2.CreateUserRequest(
                email=address, password=PASSWORD, display_name=name, time_zone=time_zone
            )
        )
        login = await self.users.Login(user_service_pb2.LoginRequest(email=address, password=PASSWORD))
        return address, (("authorization", f"Bearer {login.access_token}"),)


@pytest.fixture
async def town(services: Services) -> Town:
    users = user_service_pb2_grpc.UserServiceStub(await services.start(build_users_service))
    events = event_service_pb2_grpc.EventServiceStub(await services.start(build_events_service))
    notifier = notifier_service_pb2_grpc.NotifierServiceStub(await services.start(_notifier))
    return Town(
        users, events, notifier, Venue(events, SigningKeyStore(services.settings.users.signing_keys_dir))
    )


async def test_a_registration_is_confirmed_by_email_with_the_calendar_file(
    town: Town, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    olga_address, olga = await town.resident("Olga")
    ada_address, ada = await town.resident("Ada")
    event = await town.venue.event(olga, 10, title="Pottery class", time_zone="Europe/Lisbon")
    await town.venue.register(event.id, ada)

    [confirmation] = await eventually(lambda: inbox.to(ada_address))
    assert confirmation["Subject"] == "You are registered for Pottery class"
    assert confirmation["From"] == SENDER  # EVENTLY_MAIL_FROM
    assert confirmation["Message-ID"].startswith("<") and confirmation["Message-ID"].endswith("@example.org>")
    text = confirmation.get_body(("plain",))
    html = confirmation.get_body(("html",))
    assert text is not None and "Hello Ada" in text.get_content()
    # When, in the event's zone and named (Lisbon keeps WET in winter, WEST in summer).
    start = event.start_time.ToDatetime(UTC).astimezone(ZoneInfo("Europe/Lisbon"))
    assert f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M}" in text.get_content()
    assert f" {start.tzname()}." in text.get_content()
    assert html is not None and "<h2" in html.get_content()
    [attachment] = list(confirmation.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    [entry] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert (str(entry["UID"]), str(entry["SUMMARY"])) == (f"{event.id}@evently", "Pottery class")

    [news] = await eventually(lambda: inbox.to(olga_address))
    assert news["Subject"] == "New registration for Pottery class"
    assert list(news.iter_attachments()) == []


async def test_a_server_that_says_try_later_gets_the_email_again(town: Town, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    inbox.refuse_next = 1
    _, olga = await town.resident("Olga")
    ada_address, ada = await town.resident("Ada")
    event = await town.venue.event(olga, 10)
    # Olga's own notice may take the refusal; either way every message arrives, once.
    await town.venue.register(event.id, ada)
    await eventually(lambda: len(inbox.messages) == 2)
    assert len(inbox.to(ada_address)) == 1


async def test_switching_email_off_keeps_the_inbox(town: Town, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    _, olga = await town.resident("Olga")
    ada_address, ada = await town.resident("Ada")
    await town.notifier.UpdatePreferences(
        notifier_service_pb2.UpdatePreferencesRequest(
            preferences=notification_pb2.Preferences(email=False),
            update_mask=field_mask_pb2.FieldMask(paths=["email"]),
        ),
        metadata=ada,
    )
    event = await town.venue.event(olga, 10)
    await town.venue.register(event.id, ada)

    async def in_app() -> bool:
        answer = await town.notifier.ListNotifications(
            notifier_service_pb2.ListNotificationsRequest(), metadata=ada
        )
        return len(answer.notifications) == 1

    await eventually(in_app)
    await eventually(lambda: len(inbox.messages) == 1)  # Olga's
    assert inbox.to(ada_address) == []


async def test_later_emails_reuse_the_open_smtp_connection(town: Town, smtp: tuple[Inbox, int]) -> None:
    inbox, _ = smtp
    _, olga = await town.resident("Olga")
    ada_address, ada = await town.resident("Ada")
    bob_address, bob = await town.resident("Bob")
    event = await town.venue.event(olga, 10)
    await town.venue.register(event.id, ada)
    await eventually(lambda: len(inbox.messages) == 2)  # Ada's confirmation and Olga's news
    first_connections = set(inbox.peers)

    await town.venue.register(event.id, bob)
    await eventually(lambda: len(inbox.messages) == 4)
    assert len(inbox.to(bob_address)) == 1 and len(inbox.to(ada_address)) == 1
    assert set(inbox.peers[2:]) <= first_connections  # no new connection for the later mail


async def test_times_are_stated_for_the_reader_and_follow_a_change_of_their_zone(
    town: Town, smtp: tuple[Inbox, int], js_client: NATS
) -> None:
    inbox, _ = smtp
    _, olga = await town.resident("Olga")
    ada_address, ada = await town.resident("Ada", time_zone="America/New_York")
    event = await town.venue.event(olga, 10, title="Tea", time_zone="Europe/Berlin")
    start = event.start_time.ToDatetime(UTC)
    await town.venue.register(event.id, ada)

    def mail_text(message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    [confirmation] = await eventually(lambda: inbox.to(ada_address))
    in_berlin, in_new_york = (
        start.astimezone(ZoneInfo("Europe/Berlin")),
        start.astimezone(ZoneInfo("America/New_York")),
    )
    assert f"{in_berlin:%H:%M}" in mail_text(confirmation) and f"{in_berlin:%Z}" in mail_text(confirmation)
    assert f"{in_new_york:%H:%M}" in mail_text(confirmation)
    assert f"{in_new_york:%Z} your time)" in mail_text(confirmation)

    # She moves to Tokyo: the next message states her new local time.
    await town.users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id="me", time_zone="Asia/Tokyo"),
            update_mask=field_mask_pb2.FieldMask(paths=["time_zone"]),
        ),
        metadata=ada,
    )

    async def zone_change_published() -> bool:
        try:
            message = await js_client.jetstream().get_last_msg(STREAM, "evently.user.updated")
        except Exception:
            return False
        return bool(json.loads(message.data or b"{}")["data"]["user"]["timeZone"] == "Asia/Tokyo")

    # Published before the move below: the notifier, reading the stream in order, knows it first.
    await eventually(zone_change_published)
    await town.events.UpdateEvent(
        event_service_pb2.UpdateEventRequest(
            event=event_pb2.Event(id=event.id, location="Tea room 2"),
            update_mask=field_mask_pb2.FieldMask(paths=["location"]),
        ),
        metadata=olga,
    )

    moved = await eventually(lambda: [m for m in inbox.to(ada_address) if m["Subject"] == "Tea has moved"])
    assert "JST your time)" in mail_text(moved[0])
    assert "at Tea room 2." in mail_text(moved[0])


async def test_one_click_unsubscribe_turns_that_kind_off_and_nothing_else(
    town: Town, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    olga_address, olga = await town.resident("Olga")
    _, ada = await town.resident("Ada")
    event = await town.venue.event(olga, 10, title="Book club")
    await town.venue.register(event.id, ada)
    [news] = await eventually(lambda: inbox.to(olga_address))
    assert news["Subject"] == "New registration for Book club"

    # RFC 8058: the header a mail client's unsubscribe button POSTs to, with no sign-in.
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(news["List-Unsubscribe"]).strip().strip("<>")
    assert url.startswith("http://") and "/v1/unsubscribe/" in url
    text = news.get_body(("plain",))
    assert text is not None and "/#/unsubscribe/" in text.get_content()  # the same, as a page
    token = url.rsplit("/", 1)[1]
    answer = await town.notifier.Unsubscribe(notifier_service_pb2.UnsubscribeRequest(token=token))
    assert answer.kind == "registration.new"
    await town.notifier.Unsubscribe(notifier_service_pb2.UnsubscribeRequest(token=token))  # twice: fine

    preferences = await town.notifier.GetPreferences(
        notifier_service_pb2.GetPreferencesRequest(), metadata=olga
    )
    assert (list(preferences.muted_kinds), preferences.email) == (["registration.new"], True)
    _, bo = await town.resident("Bo")
    await town.venue.register(event.id, bo)
    await town.events.AddComment(
        event_service_pb2.AddCommentRequest(event_id=event.id, text="Bring a book"), metadata=bo
    )
    # The comment still comes (another kind); the second registration no longer does.
    await eventually(
        lambda: [m for m in inbox.to(olga_address) if m["Subject"] == "New comment on Book club"]
    )
    assert [m["Subject"] for m in inbox.to(olga_address)].count("New registration for Book club") == 1


async def test_a_forged_or_cut_unsubscribe_link_changes_nothing(town: Town) -> None:
    for token in ("", "not-a-token", "eDE.aGVsbG8", "a" * 400):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await town.notifier.Unsubscribe(notifier_service_pb2.UnsubscribeRequest(token=token))
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_forgotten_password_is_reset_by_an_e_mailed_single_use_link(
    town: Town, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    address, ada = await town.resident("Ada")
    signed_in = await town.users.Login(user_service_pb2.LoginRequest(email=address, password=PASSWORD))

    asked = user_service_pb2.RequestPasswordResetRequest(email=address.upper())
    await town.users.RequestPasswordReset(asked)
    await town.users.RequestPasswordReset(asked)  # again at once: no second mail
    # An address nobody uses gets the same answer, and no mail.
    await town.users.RequestPasswordReset(
        user_service_pb2.RequestPasswordResetRequest(email="nobody@example.com")
    )

    [mail] = await eventually(
        lambda: [m for m in inbox.messages if m["Subject"] == "Reset your Evently password"]
    )
    assert address in str(mail["To"]) and mail["List-Unsubscribe"] is None  # account mail: always sent
    text = mail.get_body(("plain",))
    assert text is not None
    [link] = [word for word in text.get_content().split() if "/#/reset-password/" in word]
    token = link.rsplit("/", 1)[1]
    inbox_items = await town.notifier.ListNotifications(
        notifier_service_pb2.ListNotificationsRequest(), metadata=ada
    )
    assert token not in str(inbox_items)  # the secret stays out of the in-app inbox

    weak = await _refused(
        town.users.ResetPassword(user_service_pb2.ResetPasswordRequest(token=token, new_password="short"))
    )
    assert _violations(weak) == {"new_password": "must be 10 to 256 characters long"}
    await town.users.ResetPassword(
        user_service_pb2.ResetPasswordRequest(token=token, new_password="a fresh start, finally")
    )

    again = await _refused(
        town.users.ResetPassword(
            user_service_pb2.ResetPasswordRequest(token=token, new_password="and another one!")
        )
    )
    assert again.code() == grpc.StatusCode.INVALID_ARGUMENT  # single use
    await town.users.Login(user_service_pb2.LoginRequest(email=address, password="a fresh start, finally"))
    ended = await _refused(
        town.users.RefreshToken(user_service_pb2.RefreshTokenRequest(refresh_token=signed_in.refresh_token))
    )
    assert ended.code() == grpc.StatusCode.UNAUTHENTICATED  # every session of the account ended
    assert len([m for m in inbox.messages if m["Subject"] == "Reset your Evently password"]) == 1


async def _refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    return refused.value
