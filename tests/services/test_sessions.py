"""Sessions that last days while access tokens stay short: a refresh token from sign-in, each
exchanged once for the next; a copied one ends its session; signing out, a password change and
deleting the account end sessions. Through gRPC, as a client sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from evently_users.bootstrap import build

from tests.services.conftest import Services
from tests.services.test_users import PASSWORD, _as, _failure, _sign_up, _violations


async def _build(settings: Settings) -> ServiceHost:
    return await build(settings)


@pytest.fixture
async def users(services: Services) -> user_service_pb2_grpc.UserServiceStub:
    return user_service_pb2_grpc.UserServiceStub(await services.start(_build))


async def _sign_in(users: Any, password: str = PASSWORD) -> Any:
    return await users.Login(user_service_pb2.LoginRequest(email="ada@example.com", password=password))


async def _refresh(users: Any, token: str) -> Any:
    return await users.RefreshToken(user_service_pb2.RefreshTokenRequest(refresh_token=token))


async def _ended(users: Any, token: str) -> str:
    """The reason a refresh token is refused."""
    error = await _failure(_refresh(users, token))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "sign in again" in (error.details() or "")
    return str(error.details())


async def test_sign_in_starts_a_session_that_outlasts_the_access_token(users: Any) -> None:
    await _sign_up(users)
    signed_in = await _sign_in(users)

    access_lasts = signed_in.expire_time.ToDatetime(UTC) - datetime.now(UTC)
    session_lasts = signed_in.refresh_expire_time.ToDatetime(UTC) - datetime.now(UTC)
    assert access_lasts <= timedelta(minutes=15)
    assert session_lasts > timedelta(days=29)
    assert signed_in.refresh_token and signed_in.refresh_token != signed_in.access_token


async def test_a_refresh_token_gets_a_new_access_token_and_its_own_successor(users: Any) -> None:
    await _sign_up(users)
    signed_in = await _sign_in(users)

    refreshed = await _refresh(users, signed_in.refresh_token)

    assert refreshed.user.email == "ada@example.com"
    assert refreshed.refresh_token != signed_in.refresh_token
    me = await users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(refreshed.access_token))
    assert me.email == "ada@example.com"
    again = await _refresh(users, refreshed.refresh_token)  # the successor works in its turn
    assert again.user.id == me.id


async def test_a_refresh_token_used_twice_ends_its_whole_session(users: Any) -> None:
    await _sign_up(users)
    stolen = (await _sign_in(users)).refresh_token
    other_device = (await _sign_in(users)).refresh_token
    legitimate = await _refresh(users, stolen)  # the holder refreshes first

    assert "used before" in await _ended(users, stolen)  # the thief replays the copy

    # ... and the successor the holder got is dead too: the session was compromised.
    await _ended(users, legitimate.refresh_token)
    # A session begun by another sign-in is untouched.
    assert (await _refresh(users, other_device)).user.email == "ada@example.com"


async def test_signing_out_ends_the_session(users: Any) -> None:
    await _sign_up(users)
    signed_in = await _sign_in(users)
    successor = await _refresh(users, signed_in.refresh_token)

    await users.Logout(user_service_pb2.LogoutRequest(refresh_token=successor.refresh_token))

    await _ended(users, successor.refresh_token)
    # Signing out twice, or with a token nobody knows, is no error and tells nothing.
    await users.Logout(user_service_pb2.LogoutRequest(refresh_token=successor.refresh_token))
    await users.Logout(user_service_pb2.LogoutRequest(refresh_token="not-a-token-of-ours"))


async def test_a_password_change_ends_every_session_and_starts_one_for_the_caller(users: Any) -> None:
    await _sign_up(users)
    laptop, phone = await _sign_in(users), await _sign_in(users)

    changed = await users.ChangePassword(
        user_service_pb2.ChangePasswordRequest(
            current_password=PASSWORD, new_password="a much better passphrase"
        ),
        metadata=_as(laptop.access_token),
    )

    await _ended(users, phone.refresh_token)
    await _ended(users, laptop.refresh_token)
    assert (await _refresh(users, changed.refresh_token)).user.email == "ada@example.com"


async def test_deleting_the_account_ends_its_sessions(users: Any) -> None:
    await _sign_up(users)
    signed_in = await _sign_in(users)

    await users.DeleteUser(user_service_pb2.DeleteUserRequest(id="me"), metadata=_as(signed_in.access_token))

    await _ended(users, signed_in.refresh_token)


async def test_a_refresh_token_of_no_possible_shape_is_refused_as_bad_input(users: Any) -> None:
    for token in ("", "x" * 101):
        error = await _failure(_refresh(users, token))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert _violations(error) == {"refresh_token": "must be 1 to 100 characters long"}
    assert "ended" in await _ended(users, "a-token-that-never-existed")
