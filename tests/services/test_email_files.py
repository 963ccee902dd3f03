"""Without EVENTLY_SMTP_URL, notification e-mail is written as .eml files under the data dir."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import grpc
import pytest
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc

from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually


@pytest.fixture
def extra_env() -> dict[str, str]:
    return {}  # no SMTP server


async def test_without_smtp_each_email_is_an_eml_file(
    services: Services, venue: Venue, notifier: Any
) -> None:
    channel = grpc.aio.insecure_channel(services.settings.addrs["users"])  # the venue's users service
    users = user_service_pb2_grpc.UserServiceStub(channel)
    await users.CreateUser(
        user_service_pb2.CreateUserRequest(
            email="ada@example.com", password="correct horse battery", display_name="Ada"
        )
    )
    login = await users.Login(
        user_service_pb2.LoginRequest(email="ada@example.com", password="correct horse battery")
    )
    ada = (("authorization", f"Bearer {login.access_token}"),)
    _, olga = venue.person()
    event = await venue.event(olga, 3, title="Chess")
    await venue.register(event.id, ada)

    mail_dir = services.settings.notifier.mail_dir
    [path] = await eventually(lambda: sorted(mail_dir.glob("*.eml")) if mail_dir.exists() else [])
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert (message["To"], message["Subject"]) == ("Ada <ada@example.com>", "You are registered for Chess")
    await channel.close()
