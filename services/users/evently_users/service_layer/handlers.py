"""Use cases of the users service; each runs in one transaction. Password hashing, slow on
purpose, happens outside transactions."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime

from evently_platform.clock import Clock, new_id
from evently_platform.errors import (
    AlreadyExists,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Violations,
)
from evently_platform.time_words import DEFAULT_ZONE

from evently_users.domain.model import (
    MAX_EMAIL_LENGTH,
    PasswordChanged,
    User,
    UserChanges,
    UserCreated,
    UserDeleted,
    UserUpdated,
    check_password,
    normalise_email,
    validate_changes,
    validate_sign_in,
    validate_sign_up,
)
from evently_users.domain.resets import (
    MAX_RESET_TOKEN_LENGTH,
    RESET_INTERVAL,
    PasswordResetRequested,
    start_reset,
)
from evently_users.domain.sessions import hash_token, start_session, validate_refresh_token
from evently_users.domain.throttling import (
    ACCOUNT_POLICY,
    CLIENT_POLICY,
    ThrottlePolicy,
    account_key,
    client_key,
    record_failure,
)
from evently_users.service_layer.commands import (
    ChangePassword,
    CreateUser,
    DeleteUser,
    GetUser,
    Login,
    Logout,
    RefreshSession,
    RequestPasswordReset,
    ResetPassword,
    SignedIn,
    UpdateUser,
)
from evently_users.service_layer.ports import Issuers, PasswordHasher, UnitOfWork


def _begin_session(
    user: User, *, uow: UnitOfWork, signing_keys: Issuers, clock: Clock, family_id: str | None = None
) -> SignedIn:
    now = clock.now()
    session, token = start_session(user.id, now, family_id=family_id)
    with uow:
        uow.sessions.delete_for_user(user.id, expired_before=now)  # housekeeping, per account
        uow.sessions.add(session)
        uow.commit()
    return SignedIn(signing_keys.issuer().issue(user.id, now), token, session.expire_time, user)


def create_user(cmd: CreateUser, *, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> User:
    email = normalise_email(cmd.email)
    time_zone = cmd.time_zone or DEFAULT_ZONE
    validate_sign_up(email, cmd.password, cmd.display_name, time_zone)
    password_hash = hasher.hash(cmd.password)
    now = clock.now()
    user = User(
        id=new_id(),
        email=email,
        display_name=cmd.display_name.strip(),
        password_hash=password_hash,
        create_time=now,
        update_time=now,
        time_zone=time_zone,
    )
    with uow:
        if uow.users.get_by_email(email) is not None:
            raise AlreadyExists("an account with this e-mail address already exists")
        uow.users.add(user)
        uow.record(UserCreated(user))
        uow.commit()
    return user


def _throttled_keys(email: str, client: str) -> dict[str, ThrottlePolicy]:
    keys = {account_key(email): ACCOUNT_POLICY}
    if client:
        keys[client_key(client)] = CLIENT_POLICY
    return keys


def _refuse_if_locked(uow: UnitOfWork, keys: dict[str, ThrottlePolicy], now: datetime) -> None:
    waits = [
        wait
        for key in keys
        if (state := uow.failed_attempts.get(key)) is not None and (wait := state.locked_for(now)) is not None
    ]
    if waits:
        wait = max(waits)
        raise ResourceExhausted(
            f"too many failed sign-in attempts; try again in {math.ceil(wait.total_seconds())} s",
            retry_after=wait,
        )


def _count_failure(uow: UnitOfWork, keys: dict[str, ThrottlePolicy], now: datetime) -> None:
    with uow:
        for key, policy in keys.items():
            uow.failed_attempts.save(record_failure(uow.failed_attempts.get(key), key, now, policy))
        uow.commit()


def login(
    cmd: Login, *, uow: UnitOfWork, hasher: PasswordHasher, signing_keys: Issuers, clock: Clock
) -> SignedIn:
    email = normalise_email(cmd.email)
    validate_sign_in(email, cmd.password)
    keys = _throttled_keys(email, cmd.client)
    with uow.reading() as reader:
        # Locked keys are refused before any password check: a lock is not an oracle.
        _refuse_if_locked(reader, keys, clock.now())
        user = reader.users.get_by_email(email)
        had_failures = reader.failed_attempts.get(account_key(email)) is not None
    # Wrong e-mail and wrong password fail alike, and take as long (a hash is checked either way).
    if not hasher.verify(user.password_hash if user else None, cmd.password) or user is None:
        _count_failure(uow, keys, clock.now())
        raise Unauthenticated("wrong e-mail or password")
    if hasher.needs_rehash(user.password_hash):  # the hashing parameters were raised since
        user = replace(user, password_hash=hasher.hash(cmd.password))
        with uow:
            uow.users.save(user)
            uow.failed_attempts.delete(account_key(email))
            uow.commit()
    elif had_failures:
        with uow:
            uow.failed_attempts.delete(account_key(email))
            uow.commit()
    return _begin_session(user, uow=uow, signing_keys=signing_keys, clock=clock)


def refresh(cmd: RefreshSession, *, uow: UnitOfWork, signing_keys: Issuers, clock: Clock) -> SignedIn:
    """The refresh token exchanged for a new access token and its own successor."""
    token = cmd.refresh_token
    validate_refresh_token(token)
    now = clock.now()
    with uow:
        session = uow.sessions.get_by_hash(hash_token(token))
        user = uow.users.get(session.user_id) if session is not None else None
        if session is None or user is None or now >= session.expire_time:
            raise Unauthenticated("this session has ended: sign in again", reason="SESSION_ENDED")
        if session.used_time is not None:
            # Exchanged before: a copy is being replayed, by a thief or with one. End it all.
            uow.sessions.delete_family(session.family_id)
            uow.commit()
            raise Unauthenticated(
                "this refresh token was used before, so its session has ended for safety: sign in again",
                reason="REFRESH_TOKEN_REUSED",
            )
        uow.sessions.mark_used(session.id, now)
        successor, successor_token = start_session(user.id, now, family_id=session.family_id)
        uow.sessions.add(successor)
        uow.commit()
    return SignedIn(signing_keys.issuer().issue(user.id, now), successor_token, successor.expire_time, user)


def logout(cmd: Logout, *, uow: UnitOfWork) -> None:
    """The session the refresh token belongs to ends (its access token lives out its minutes).
    An unknown token is no error: there is nothing to end, and nothing to tell."""
    validate_refresh_token(cmd.refresh_token)
    with uow:
        session = uow.sessions.get_by_hash(hash_token(cmd.refresh_token))
        if session is not None:
            uow.sessions.delete_family(session.family_id)
            uow.commit()


def _own_account(caller_id: str, requested_id: str) -> str:
    if requested_id not in ("me", caller_id):
        raise PermissionDenied("you can change or delete only your own account")
    return caller_id


def get_user(cmd: GetUser, *, uow: UnitOfWork) -> User:
    return _existing(cmd.user_id, uow)


def _existing(user_id: str, uow: UnitOfWork) -> User:
    with uow.reading() as reader:
        user = reader.users.get(user_id)
    if user is None:
        raise NotFound(f"user {user_id!r} not found")
    return user


def update_user(cmd: UpdateUser, *, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> User:
    changes = cmd.changes
    user_id = _own_account(cmd.caller_id, cmd.requested_id)
    user = _existing(user_id, uow)
    validate_changes(changes, user.email)
    new_hash = None
    if "password" in changes.paths:
        keys = _throttled_keys(user.email, "")
        with uow.reading() as reader:
            _refuse_if_locked(reader, keys, clock.now())
        # Guessing the current password with a stolen token is throttled like sign-in.
        if not hasher.verify(user.password_hash, changes.current_password):
            _count_failure(uow, keys, clock.now())
            raise InvalidArgument([FieldViolation("current_password", "is not the current password")])
        new_hash = hasher.hash(changes.new_password)
    with uow:
        current = uow.users.get(user_id)
        if current is None:
            raise NotFound(f"user {user_id!r} not found")
        details = tuple(path for path in ("display_name", "time_zone") if path in changes.paths)
        if "display_name" in changes.paths:
            current.display_name = changes.display_name.strip()
        if "time_zone" in changes.paths:
            current.time_zone = changes.time_zone
        current.update_time = clock.now()
        if details:
            # Other services keep what they show of the account (names on e-mail, times in words).
            uow.record(UserUpdated(replace(current), details))
        if new_hash is not None:
            current.password_hash = new_hash
            uow.sessions.delete_for_user(user_id)
            # Every service ends the sessions that began before: a stolen token dies with the
            # old password.
            uow.record(PasswordChanged(user_id=user_id, change_time=current.update_time))
        uow.users.save(current)
        uow.commit()
    return current


def change_password(
    cmd: ChangePassword, *, uow: UnitOfWork, hasher: PasswordHasher, signing_keys: Issuers, clock: Clock
) -> SignedIn:
    """The password changed (every session ends), and a new session for the caller."""
    changes = UserChanges(
        paths=("password",),
        new_password=cmd.new_password,
        current_password=cmd.current_password,
        password_field="new_password",
    )
    user = update_user(UpdateUser(cmd.caller_id, "me", changes), uow=uow, hasher=hasher, clock=clock)
    return _begin_session(user, uow=uow, signing_keys=signing_keys, clock=clock)


def request_password_reset(cmd: RequestPasswordReset, *, uow: UnitOfWork, clock: Clock) -> None:
    """E-mails a reset link when an account uses the address; says nothing either way."""
    address = normalise_email(cmd.email)
    problems = Violations()
    problems.check(
        0 < len(address) <= MAX_EMAIL_LENGTH, "email", f"must be 1 to {MAX_EMAIL_LENGTH} characters long"
    )
    problems.raise_if_any()
    now = clock.now()
    with uow:
        user = uow.users.get_by_email(address)
        if user is None:
            return
        latest = uow.password_resets.latest_for(user.id)
        if latest is not None and now - latest.create_time < RESET_INTERVAL:
            return  # a link went out a moment ago: no mail bombs
        reset, token = start_reset(user.id, now)
        uow.password_resets.add(reset)
        uow.record(PasswordResetRequested(user.id, token, reset.expire_time))
        uow.commit()


def _stale_link() -> InvalidArgument:
    return InvalidArgument(
        [FieldViolation("token", "this link has expired or was used already: ask for a new one")]
    )


def reset_password(cmd: ResetPassword, *, uow: UnitOfWork, hasher: PasswordHasher, clock: Clock) -> None:
    """The link's token sets a new password, once; every session of the account ends."""
    token, new_password = cmd.token, cmd.new_password
    problems = Violations()
    problems.check(
        0 < len(token) <= MAX_RESET_TOKEN_LENGTH,
        "token",
        f"must be 1 to {MAX_RESET_TOKEN_LENGTH} characters long",
    )
    problems.raise_if_any()
    with uow.reading() as reader:
        reset = reader.password_resets.get_by_hash(hash_token(token))
        user = reader.users.get(reset.user_id) if reset is not None else None
    if reset is None or user is None or not reset.usable(clock.now()):
        raise _stale_link()
    password_problems = Violations()
    check_password(password_problems, "new_password", new_password, user.email)
    password_problems.raise_if_any()
    new_hash = hasher.hash(new_password)  # slow on purpose: outside the transaction
    with uow:
        current = uow.password_resets.get_by_hash(hash_token(token))
        if current is None or not current.usable(clock.now()):
            raise _stale_link()
        account = uow.users.get(current.user_id)
        if account is None:
            raise _stale_link()
        now = clock.now()
        account.password_hash = new_hash
        account.update_time = now
        uow.users.save(account)
        uow.password_resets.delete_for_user(account.id)  # this link, and any other still out
        uow.sessions.delete_for_user(account.id)
        uow.failed_attempts.delete(account_key(account.email))  # a lock-out ends with a new password
        uow.record(PasswordChanged(user_id=account.id, change_time=now))
        uow.commit()


def delete_user(cmd: DeleteUser, *, uow: UnitOfWork, clock: Clock) -> None:
    user_id = _own_account(cmd.caller_id, cmd.requested_id)
    with uow:
        user = uow.users.get(user_id)
        if user is None:
            raise NotFound(f"user {user_id!r} not found")
        uow.users.delete(user_id)
        uow.sessions.delete_for_user(user_id)
        uow.password_resets.delete_for_user(user_id)
        uow.failed_attempts.delete(account_key(user.email))
        uow.record(UserDeleted(user_id=user_id, delete_time=clock.now()))
        uow.commit()
