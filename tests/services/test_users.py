"""The users service through gRPC, as a client sees it: accounts, tokens, throttling, keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import jwt
import pytest
from evently.users.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc
from evently_platform.auth.jwks import CachedKeySource
from evently_platform.auth.tokens import TokenVerifier
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from evently_platform.messaging.jetstream import STREAM
from evently_users.adapters.signing_keys import SigningKeyStore
from evently_users.bootstrap import build
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2, status_pb2
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.support import eventually

PASSWORD = "correct horse battery staple"


async def _build(settings: Settings) -> ServiceHost:
    return await build(settings)


@pytest.fixture
async def users(services: Services) -> user_service_pb2_grpc.UserServiceStub:
    return user_service_pb2_grpc.UserServiceStub(await services.start(_build))


async def _sign_up(
    users: Any, email: str = "ada@example.com", password: str = PASSWORD, name: str = "Ada"
) -> user_pb2.User:
    created: user_pb2.User = await users.CreateUser(
        user_service_pb2.CreateUserRequest(email=email, password=password, display_name=name)
    )
    return created


async def _login(users: Any, email: str = "ada@example.com", password: str = PASSWORD) -> str:
    answer = await users.Login(user_service_pb2.LoginRequest(email=email, password=password))
    return str(answer.access_token)


def _as(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def _failure(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value


def _details(error: grpc.aio.AioRpcError) -> list[Any]:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return list(status_pb2.Status.FromString(value).details)
    return []


def _violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    for detail in _details(error):
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            return {v.field: v.description for v in bad_request.field_violations}
    return {}


async def test_sign_up_normalises_the_email_and_never_returns_the_password(users: Any) -> None:
    user = await _sign_up(users, email="  Ada@Example.COM ")
    assert (user.email, user.display_name, user.password) == ("ada@example.com", "Ada", "")
    assert user.id and user.create_time.seconds > 0


async def test_a_second_account_with_the_same_email_is_refused(users: Any) -> None:
    await _sign_up(users)
    error = await _failure(_sign_up(users, email="ADA@example.com"))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_sign_up_reports_every_problem_at_once_and_creates_nothing(users: Any) -> None:
    error = await _failure(_sign_up(users, email="not-an-email", password="short", name="  "))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(_violations(error)) == {"email", "password", "display_name"}
    assert (await _failure(_login(users, "not-an-email", "short"))).code() == grpc.StatusCode.UNAUTHENTICATED


async def test_the_email_is_no_password(users: Any) -> None:
    error = await _failure(
        _sign_up(users, email="ada.lovelace@example.com", password="Ada.Lovelace@example.com")
    )
    assert _violations(error) == {"password": "must not be the e-mail address"}


async def test_login_gives_a_short_lived_token_signed_with_a_named_key(users: Any) -> None:
    user = await _sign_up(users)
    answer = await users.Login(user_service_pb2.LoginRequest(email="ada@example.com", password=PASSWORD))
    header = jwt.get_unverified_header(answer.access_token)
    assert header["alg"] == "ES256" and header["kid"]
    lifetime = answer.expire_time.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(minutes=10) < lifetime <= timedelta(minutes=15)
    assert answer.user.id == user.id


async def test_a_wrong_password_and_an_unknown_email_fail_alike(users: Any) -> None:
    await _sign_up(users)
    wrong_password = await _failure(_login(users, password="not the password"))
    unknown_email = await _failure(_login(users, email="nobody@example.com"))
    assert (wrong_password.code(), wrong_password.details()) == (
        unknown_email.code(),
        unknown_email.details(),
    )
    assert wrong_password.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_repeated_failures_lock_the_account_even_for_the_right_password(users: Any) -> None:
    await _sign_up(users)
    for _ in range(5):
        assert (await _failure(_login(users, password="guess guess guess"))).code() == (
            grpc.StatusCode.UNAUTHENTICATED
        )
    locked = await _failure(_login(users))  # the right password, but too late
    assert locked.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "try again in" in (locked.details() or "")
    retry = error_details_pb2.RetryInfo()
    assert any(detail.Unpack(retry) for detail in _details(locked))
    assert timedelta(0) < retry.retry_delay.ToTimedelta() <= timedelta(seconds=1)


async def test_a_caller_sees_their_own_email_and_others_only_their_public_fields(users: Any) -> None:
    ada = await _sign_up(users)
    bob = await _sign_up(users, email="bob@example.com", name="Bob")
    token = await _login(users)
    me = await users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(token))
    assert (me.id, me.email) == (ada.id, "ada@example.com")
    other = await users.GetUser(user_service_pb2.GetUserRequest(id=bob.id), metadata=_as(token))
    assert (other.id, other.display_name, other.email) == (bob.id, "Bob", "")
    missing = await _failure(users.GetUser(user_service_pb2.GetUserRequest(id="nope"), metadata=_as(token)))
    assert missing.code() == grpc.StatusCode.NOT_FOUND


async def test_update_changes_only_the_fields_in_the_mask(users: Any) -> None:
    await _sign_up(users)
    token = await _login(users)
    updated = await users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id="me", display_name="Ada Lovelace", email="evil@example.com"),
            update_mask=field_mask_pb2.FieldMask(paths=["display_name"]),
        ),
        metadata=_as(token),
    )
    assert (updated.display_name, updated.email) == ("Ada Lovelace", "ada@example.com")
    assert updated.update_time.ToDatetime() > updated.create_time.ToDatetime()


async def test_update_refuses_unknown_paths_and_an_empty_mask(users: Any) -> None:
    await _sign_up(users)
    token = await _login(users)
    for paths in (["email"], []):
        error = await _failure(
            users.UpdateUser(
                user_service_pb2.UpdateUserRequest(
                    user=user_pb2.User(id="me", email="x@example.com"),
                    update_mask=field_mask_pb2.FieldMask(paths=paths),
                ),
                metadata=_as(token),
            )
        )
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "update_mask" in _violations(error)


async def test_a_password_changes_only_with_the_current_one(users: Any) -> None:
    await _sign_up(users)
    token = await _login(users)

    def change(current: str) -> Any:
        return users.UpdateUser(
            user_service_pb2.UpdateUserRequest(
                user=user_pb2.User(id="me", password="a much better passphrase"),
                update_mask=field_mask_pb2.FieldMask(paths=["password"]),
                current_password=current,
            ),
            metadata=_as(token),
        )

    wrong = await _failure(change("not my password"))
    assert _violations(wrong) == {"current_password": "is not the current password"}
    await change(PASSWORD)
    assert await _login(users, password="a much better passphrase")
    assert (await _failure(_login(users))).code() == grpc.StatusCode.UNAUTHENTICATED


async def test_nobody_changes_or_deletes_another_account(users: Any) -> None:
    bob = await _sign_up(users, email="bob@example.com", name="Bob")
    await _sign_up(users)
    token = await _login(users)
    update = await _failure(
        users.UpdateUser(
            user_service_pb2.UpdateUserRequest(
                user=user_pb2.User(id=bob.id, display_name="pwned"),
                update_mask=field_mask_pb2.FieldMask(paths=["display_name"]),
            ),
            metadata=_as(token),
        )
    )
    delete = await _failure(
        users.DeleteUser(user_service_pb2.DeleteUserRequest(id=bob.id), metadata=_as(token))
    )
    assert update.code() == delete.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_deleting_an_account_ends_it_and_tells_the_other_services(users: Any, js_client: NATS) -> None:
    ada = await _sign_up(users)
    token = await _login(users)
    await users.DeleteUser(user_service_pb2.DeleteUserRequest(id="me"), metadata=_as(token))
    assert (await _failure(_login(users))).code() == grpc.StatusCode.UNAUTHENTICATED

    js = js_client.jetstream()

    async def deleted_event() -> Any:
        try:
            message = await js.get_last_msg(STREAM, "evently.user.deleted")
        except Exception:
            return None
        return json.loads(message.data or b"null")

    envelope = await eventually(deleted_event)
    assert envelope["data"]["userId"] == ada.id
    assert envelope["subject"] == ada.id


async def test_a_rotated_key_signs_new_tokens_and_old_ones_still_verify(
    users: Any, services: Services
) -> None:
    await _sign_up(users)

    async def fetch() -> bytes:
        body = await users.GetJwks(user_service_pb2.GetJwksRequest())
        return bytes(body.data)

    # Another service's verifier: the JWKS fetched over gRPC and cached before the rotation.
    elsewhere = TokenVerifier(CachedKeySource(fetch))
    before = await _login(users)
    assert (await elsewhere.verify(before)).user_id

    new_kid = SigningKeyStore(services.settings.users.signing_keys_dir).rotate()

    async def signed_with_new_key() -> str | None:
        token = await _login(users)
        return token if jwt.get_unverified_header(token)["kid"] == new_kid else None

    after: str = await eventually(signed_with_new_key)  # no restart: the service notices the rotation
    assert jwt.get_unverified_header(before)["kid"] != new_kid
    for token in (before, after):
        me = await users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(token))
        assert me.email == "ada@example.com"
        assert (await elsewhere.verify(token)).user_id == me.id


async def test_a_password_change_ends_every_other_session_in_every_service(
    users: Any, services: Services
) -> None:
    from evently.events.v1 import event_service_pb2, event_service_pb2_grpc

    from tests.services.venue import build_events_service

    events = event_service_pb2_grpc.EventServiceStub(await services.start(build_events_service))
    await _sign_up(users)
    laptop, phone = await _login(users), await _login(users)

    def my_registrations(token: str) -> Any:
        return events.ListRegistrations(
            event_service_pb2.ListRegistrationsRequest(event_id="-"), metadata=_as(token)
        )

    await my_registrations(phone)  # both sessions work
    wrong = await _failure(
        users.ChangePassword(
            user_service_pb2.ChangePasswordRequest(
                current_password="guess", new_password="a much better passphrase"
            ),
            metadata=_as(phone),
        )
    )
    assert _violations(wrong) == {"current_password": "is not the current password"}
    changed = await users.ChangePassword(
        user_service_pb2.ChangePasswordRequest(
            current_password=PASSWORD, new_password="a much better passphrase"
        ),
        metadata=_as(laptop),
    )

    async def ended(call: Any) -> bool:
        try:
            await call
        except grpc.aio.AioRpcError as error:
            return error.code() == grpc.StatusCode.UNAUTHENTICATED and "sign in again" in (
                error.details() or ""
            )
        return False

    # Within moments, in this service and the others: the stolen phone's token is worthless.
    await eventually(lambda: ended(my_registrations(phone)))
    await eventually(
        lambda: ended(users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(phone)))
    )
    assert await ended(my_registrations(laptop))  # issued before the change too
    # The session that changed it goes on with the token the change returned.
    await my_registrations(changed.access_token)
    me = await users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(changed.access_token))
    assert me.email == "ada@example.com"
    assert await _login(users, password="a much better passphrase")


async def test_credentials_no_account_can_have_are_refused_as_such_and_not_counted(users: Any) -> None:
    await _sign_up(users)
    for email, password in [("x" * 100_000 + "@example.com", PASSWORD), ("ada@example.com", "p" * 10_000)]:
        refused = await _failure(users.Login(user_service_pb2.LoginRequest(email=email, password=password)))
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert set(_violations(refused)) <= {"email", "password"} and _violations(refused)
    assert await _login(users)  # nothing was counted against the account


async def test_a_person_reads_times_in_their_own_zone_set_at_sign_up_or_later(users: Any) -> None:
    created = await users.CreateUser(
        user_service_pb2.CreateUserRequest(
            email="ada@example.com", password=PASSWORD, display_name="Ada", time_zone="Europe/Berlin"
        )
    )
    assert created.time_zone == "Europe/Berlin"
    bo = await _sign_up(users, email="bo@example.com", name="Bo")
    assert bo.time_zone == "UTC"  # none given

    token = await _login(users)
    moved = await users.UpdateUser(
        user_service_pb2.UpdateUserRequest(
            user=user_pb2.User(id="me", time_zone="America/New_York"),
            update_mask=field_mask_pb2.FieldMask(paths=["time_zone"]),
        ),
        metadata=_as(token),
    )
    assert (moved.time_zone, moved.display_name) == ("America/New_York", "Ada")

    for zone in ("Mars/Olympus", "", "CET; DROP TABLE users"):
        refused = await _failure(
            users.UpdateUser(
                user_service_pb2.UpdateUserRequest(
                    user=user_pb2.User(id="me", time_zone=zone),
                    update_mask=field_mask_pb2.FieldMask(paths=["time_zone"]),
                ),
                metadata=_as(token),
            )
        )
        assert _violations(refused) == {
            "user.time_zone": 'must be an IANA time zone such as "Europe/Berlin" or "UTC"'
        }
    signed_up_wrong = await _failure(
        users.CreateUser(
            user_service_pb2.CreateUserRequest(
                email="cy@example.com", password=PASSWORD, display_name="Cy", time_zone="Nowhere/Else"
            )
        )
    )
    assert set(_violations(signed_up_wrong)) == {"time_zone"}
    me = await users.GetUser(user_service_pb2.GetUserRequest(id="me"), metadata=_as(token))
    assert me.time_zone == "America/New_York"
