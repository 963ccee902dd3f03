"""Use cases of the users service; each runs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from evently_platform.auth.tokens import IssuedToken, TokenIssuer
from evently_platform.clock import Clock, new_id
from evently_platform.errors import AlreadyExists, NotFound, Unauthenticated

from evently_users.domain.model import User, UserCreated, normalise_email, validate_sign_up
from evently_users.service_layer.ports import PasswordHasher, UnitOfWork


@dataclass(frozen=True)
class CreateUser:
    email: str
    password: str
    display_name: str


@dataclass(frozen=True)
class Login:
    email: str
    password: str


def create_user(cmd: CreateUser, *, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> User:
    email = normalise_email(cmd.email)
    validate_sign_up(email, cmd.password, cmd.display_name)
    password_hash = hasher.hash(cmd.password)  # slow on purpose: outside the transaction
    user = User(
        id=new_id(),
        email=email,
        display_name=cmd.display_name.strip(),
        password_hash=password_hash,
        create_time=clock.now(),
    )
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise AlreadyExists("an account with this e-mail address already exists")
        uow.users.add(user)
        uow.record(UserCreated(user))
        uow.commit()
    return user


def login(
    cmd: Login, *, uow: UnitOfWork, hasher: PasswordHasher, issuer: TokenIssuer, clock: Clock
) -> tuple[IssuedToken, User]:
    with uow.reading() as reader:
        user = reader.users.get_by_email(normalise_email(cmd.email))
    # Wrong e-mail and wrong password fail alike, and take as long (a hash is checked either way).
    if not hasher.verify(user.password_hash if user else None, cmd.password) or user is None:
        raise Unauthenticated("wrong e-mail or password")
    return issuer.issue(user.id, clock.now()), user


def get_user(user_id: str, *, uow: UnitOfWork) -> User:
    with uow.reading() as reader:
        user = reader.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id!r} not found")
    return user
