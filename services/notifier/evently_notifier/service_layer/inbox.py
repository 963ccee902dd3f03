"""The in-app inbox and notification preferences."""

from __future__ import annotations

from dataclasses import replace

from evently_platform.clock import Clock
from evently_platform.errors import FieldViolation, InvalidArgument, Violations
from evently_platform.paging import Cursor, Page

from evently_notifier.domain.inbox import Notification
from evently_notifier.domain.routing import KINDS, Preferences
from evently_notifier.domain.unsubscribe import read_unsubscribe_token
from evently_notifier.service_layer.commands import (
    GetPreferences,
    InboxPage,
    ListNotifications,
    MarkRead,
    NewerNotifications,
    NewestNotification,
    Unsubscribe,
    UpdatePreferences,
)
from evently_notifier.service_layer.ports import UnitOfWork

MAX_UNSUBSCRIBE_TOKEN = 300  # ours are under 100 characters


def list_notifications(cmd: ListNotifications, *, uow: UnitOfWork) -> InboxPage:
    with uow.reading() as reader:
        rows = reader.notifications.list_for_user(
            cmd.user_id, before=cmd.page.after, limit=cmd.page.fetch, unread_only=cmd.unread_only
        )
        unread = reader.notifications.unread_count(cmd.user_id)
    return InboxPage(Page.of(rows, cmd.page, lambda n: (n.create_time, n.id)), unread)


def newer_notifications(cmd: NewerNotifications, *, uow: UnitOfWork) -> list[Notification]:
    with uow.reading() as reader:
        return reader.notifications.newer_than(cmd.user_id, cmd.after)


def newest_notification(cmd: NewestNotification, *, uow: UnitOfWork) -> Cursor | None:
    with uow.reading() as reader:
        return reader.notifications.newest(cmd.user_id)


def mark_read(cmd: MarkRead, *, uow: UnitOfWork, clock: Clock) -> int:
    with uow:
        marked = uow.notifications.mark_read(cmd.user_id, cmd.ids, clock.now())
        uow.commit()
    return marked


def get_preferences(cmd: GetPreferences, *, uow: UnitOfWork) -> Preferences:
    with uow.reading() as reader:
        return reader.preferences.get(cmd.user_id)


def unsubscribe(cmd: Unsubscribe, *, unsubscribe_key: bytes, uow: UnitOfWork) -> str:
    """The kind the one-click token names is turned off for its recipient; returns the kind."""
    key, token = unsubscribe_key, cmd.token
    read = read_unsubscribe_token(key, token) if key and len(token) <= MAX_UNSUBSCRIBE_TOKEN else None
    if read is None or read[1] not in KINDS:
        raise InvalidArgument([FieldViolation("token", "is not an unsubscribe link of Evently's")])
    user_id, kind = read
    with uow:
        if uow.recipients.get(user_id) is None:
            return kind  # the account is gone: nothing more is sent to it anyway
        current = uow.preferences.get(user_id)
        if kind not in current.muted_kinds:
            uow.preferences.save(replace(current, muted_kinds=(*current.muted_kinds, kind)))
            uow.commit()
    return kind


def update_preferences(cmd: UpdatePreferences, *, uow: UnitOfWork) -> Preferences:
    user_id, paths, wanted = cmd.user_id, cmd.paths, cmd.wanted
    problems = Violations()
    problems.check(bool(paths), "update_mask", "must name at least one of: email, in_app, muted_kinds")
    for path in paths:
        problems.check(
            path in ("email", "in_app", "muted_kinds"), "update_mask", f"{path!r} cannot be changed"
        )
    if "muted_kinds" in paths:
        for kind in wanted.muted_kinds:
            problems.check(
                kind in KINDS, "preferences.muted_kinds", f"{kind!r} is not a kind of notification"
            )
    problems.raise_if_any()
    with uow:
        current = uow.preferences.get(user_id)
        updated = replace(
            current,
            email=wanted.email if "email" in paths else current.email,
            in_app=wanted.in_app if "in_app" in paths else current.in_app,
            muted_kinds=tuple(dict.fromkeys(wanted.muted_kinds))
            if "muted_kinds" in paths
            else current.muted_kinds,
        )
        uow.preferences.save(updated)
        uow.commit()
    return updated
