"""Password hashes follow the hashing parameters: a login rehashes a hash made with weaker ones."""

from __future__ import annotations

from dataclasses import dataclass

import argon2
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.tokens import TokenIssuer
from evently_platform.clock import SystemClock
from evently_platform.db.migrations import upgrade
from evently_users.adapters.passwords import Argon2PasswordHasher
from evently_users.adapters.protos import to_integration_event
from evently_users.adapters.repository import UsersUnitOfWork
from evently_users.bootstrap import MIGRATIONS, message_bus
from evently_users.service_layer.commands import CreateUser, GetUser, Login
from sqlalchemy import Engine

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class _Keys:
    current: TokenIssuer

    def issuer(self) -> TokenIssuer:
        return self.current


def test_a_login_rehashes_a_password_hashed_with_older_parameters(engine: Engine) -> None:
    upgrade(engine, "users", MIGRATIONS)
    uows = UsersUnitOfWork.factory(engine, translate=to_integration_event)
    clock = SystemClock()
    weak = Argon2PasswordHasher(argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    current = Argon2PasswordHasher()  # argon2-cffi's RFC 9106 profile: t=3, m=64 MiB, p=4
    keys = _Keys(TokenIssuer(ec.generate_private_key(ec.SECP256R1())))
    before = message_bus(uows=uows, hasher=weak, signing_keys=keys, clock=clock)
    user = before.handle_here(CreateUser("ada@example.com", PASSWORD, "Ada"))
    assert current.needs_rehash(user.password_hash)

    now = message_bus(uows=uows, hasher=current, signing_keys=keys, clock=clock)
    now.handle_here(Login("ada@example.com", PASSWORD))

    stored = now.handle_here(GetUser(user.id)).password_hash
    assert stored != user.password_hash
    assert not current.needs_rehash(stored)
    assert current.verify(stored, PASSWORD)
    assert argon2.extract_parameters(stored).memory_cost == 64 * 1024
