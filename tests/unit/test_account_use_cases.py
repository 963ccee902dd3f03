"""Accounts as the users service's use cases decide them: sign-up, sign-in throttling, refresh
tokens that rotate and end their session when replayed, password resets, deletion.

Run through the service's own message bus (`bootstrap.message_bus`, the door the gRPC servicer
uses) with in-memory storage, real Argon2 (at its lowest cost) and real ES256 tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import argon2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.tokens import TokenIssuer
from evently_platform.bus import MessageBus
from evently_platform.errors import AlreadyExists, InvalidArgument, ResourceExhausted, Unauthenticated
from evently_users.adapters.passwords import Argon2PasswordHasher
from evently_users.bootstrap import message_bus
from evently_users.domain.model import UserCreated, UserDeleted
from evently_users.domain.resets import PasswordResetRequested
from evently_users.service_layer.commands import (
    CreateUser,
    DeleteUser,
    Login,
    RefreshSession,
    RequestPasswordReset,
    ResetPassword,
)

from tests.fakes.users_store import UsersStore

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class _Keys:
    current: TokenIssuer

    def issuer(self) -> TokenIssuer:
        return self.current


@pytest.fixture
def store() -> UsersStore:
    return UsersStore()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(NOW)


@pytest.fixture
def bus(store: UsersStore, clock: MovableClock) -> MessageBus:
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return message_bus(
        uows=store.units_of_work(),
        hasher=Argon2PasswordHasher(cheap),
        signing_keys=_Keys(TokenIssuer(ec.generate_private_key(ec.SECP256R1()))),
        clock=clock,
    )


async def test_an_address_has_one_account_however_it_is_written(bus: MessageBus, store: UsersStore) -> None:
    ada = await bus.handle(CreateUser("Ada@Example.com", PASSWORD, "Ada"))

    with pytest.raises(AlreadyExists):
        await bus.handle(CreateUser("ada@example.COM", PASSWORD, "Another Ada"))

    assert ada.email == "ada@example.com"
    assert [e.user.id for e in store.published_of(UserCreated)] == [ada.id]


async def test_a_bad_sign_up_says_what_is_wrong_and_creates_nothing(
    bus: MessageBus, store: UsersStore
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        await bus.handle(CreateUser("not an address", "short", ""))

    fields = {v.field for v in refused.value.violations}
    assert {"email", "password"} <= fields
    assert (store.tables.users, store.commits) == ({}, 0)


async def test_after_five_wrong_passwords_even_the_right_one_waits(
    bus: MessageBus, clock: MovableClock
) -> None:
    await bus.handle(CreateUser("ada@example.com", PASSWORD, "Ada"))
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            await bus.handle(Login("ada@example.com", "wrong password!"))

    with pytest.raises(ResourceExhausted) as locked:
        await bus.handle(Login("ada@example.com", PASSWORD))  # a lock is no oracle

    assert locked.value.retry_after == timedelta(seconds=1)
    clock.at += timedelta(seconds=1)
    signed_in = await bus.handle(Login("ada@example.com", PASSWORD))
    assert signed_in.user.email == "ada@example.com"


async def test_a_refresh_token_works_once_and_a_replay_ends_the_session(bus: MessageBus) -> None:
    await bus.handle(CreateUser("ada@example.com", PASSWORD, "Ada"))
    first = await bus.handle(Login("ada@example.com", PASSWORD))

    second = await bus.handle(RefreshSession(first.refresh_token))
    with pytest.raises(Unauthenticated) as replayed:
        await bus.handle(RefreshSession(first.refresh_token))

    assert replayed.value.reason == "REFRESH_TOKEN_REUSED"
    with pytest.raises(Unauthenticated) as ended:  # the thief's copy ended the owner's too
        await bus.handle(RefreshSession(second.refresh_token))
    assert ended.value.reason == "SESSION_ENDED"


async def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    bus: MessageBus, store: UsersStore
) -> None:
    await bus.handle(CreateUser("ada@example.com", PASSWORD, "Ada"))
    before = await bus.handle(Login("ada@example.com", PASSWORD))
    await bus.handle(RequestPasswordReset("ada@example.com"))
    await bus.handle(RequestPasswordReset("nobody@example.com"))  # says nothing either way
    [requested] = store.published_of(PasswordResetRequested)

    await bus.handle(ResetPassword(requested.token, "a brand new passphrase"))

    with pytest.raises(InvalidArgument, match="token"):
        await bus.handle(ResetPassword(requested.token, "yet another passphrase"))
    with pytest.raises(Unauthenticated):
        await bus.handle(RefreshSession(before.refresh_token))
    with pytest.raises(Unauthenticated):
        await bus.handle(Login("ada@example.com", PASSWORD))
    assert (
        await bus.handle(Login("ada@example.com", "a brand new passphrase"))
    ).user.email == "ada@example.com"


async def test_a_deleted_account_is_gone_and_others_are_told(bus: MessageBus, store: UsersStore) -> None:
    ada = await bus.handle(CreateUser("ada@example.com", PASSWORD, "Ada"))
    session = await bus.handle(Login("ada@example.com", PASSWORD))

    await bus.handle(DeleteUser(caller_id=ada.id, requested_id="me"))

    assert [e.user_id for e in store.published_of(UserDeleted)] == [ada.id]
    with pytest.raises(Unauthenticated):
        await bus.handle(RefreshSession(session.refresh_token))
    await bus.handle(CreateUser("ada@example.com", PASSWORD, "Ada again"))  # the address is free
