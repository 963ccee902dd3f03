"""Comments on events: a conversation among the organizer and the people registered for it —
replies, edits and deletions by their authors, removal by the organizer, mentions. Pure Python."""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from evently_platform.errors import FailedPrecondition, FieldViolation, InvalidArgument, PermissionDenied

from evently_events.domain.model import Event

MAX_COMMENT_LENGTH = 2000
MAX_MENTIONS = 10


class CommentState(enum.Enum):
    VISIBLE = "VISIBLE"
    DELETED = "DELETED"  # by its author
    REMOVED = "REMOVED"  # by the event's organizer


@dataclass(frozen=True)
class Comment:
    id: str
    event_id: str
    author_id: str
    text: str
    create_time: datetime
    parent_id: str = ""
    update_time: datetime | None = None
    state: CommentState = CommentState.VISIBLE
    mention_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentAdded:
    comment: Comment
    event: Event
    parent_author_id: str = ""


@dataclass(frozen=True)
class CommentEdited:
    comment: Comment
    event: Event


@dataclass(frozen=True)
class CommentDeleted:
    comment: Comment
    event: Event


def check_comment(event: Event, author_id: str, registered: bool, text: str) -> str:
    """The text to store; raises when the author may not comment or the text is unfit."""
    if author_id != event.organizer_id and not registered:
        raise PermissionDenied(f"only the organizer and people registered for event {event.id!r} may comment")
    return _text(text)


def _text(text: str) -> str:
    stripped = text.strip()
    if not 0 < len(stripped) <= MAX_COMMENT_LENGTH:
        raise InvalidArgument([FieldViolation("text", f"is required, 1 to {MAX_COMMENT_LENGTH} characters")])
    return stripped


def check_parent(parent: Comment | None, event_id: str, parent_id: str) -> None:
    if parent is None or parent.event_id != event_id:
        raise InvalidArgument([FieldViolation("parent_id", f"{parent_id!r} is not a comment on this event")])


def check_mentions(mention_ids: Collection[str], in_the_conversation: Collection[str]) -> tuple[str, ...]:
    """Mentions of people who are part of the event (its organizer, registered people, people
    who commented): anyone else is refused, so a comment cannot be used to ping strangers."""
    unique = tuple(dict.fromkeys(mention_ids))
    if len(unique) > MAX_MENTIONS:
        raise InvalidArgument([FieldViolation("mention_ids", f"at most {MAX_MENTIONS} people")])
    strangers = [m for m in unique if m not in in_the_conversation]
    if strangers:
        raise InvalidArgument(
            [FieldViolation("mention_ids", f"{strangers[0]!r} is not part of this event's conversation")]
        )
    return unique


def edit(comment: Comment, caller_id: str, text: str, now: datetime) -> Comment:
    if caller_id != comment.author_id:
        raise PermissionDenied("only its author may edit a comment")
    if comment.state is not CommentState.VISIBLE:
        raise FailedPrecondition(f"comment {comment.id!r} is deleted")
    return replace(comment, text=_text(text), update_time=now)


def delete(comment: Comment, caller_id: str, event: Event, now: datetime) -> Comment:
    """By its author (deleted) or the event's organizer (removed): the text goes, the place
    stays, so that replies still read in order."""
    if comment.state is not CommentState.VISIBLE:
        raise FailedPrecondition(f"comment {comment.id!r} is already deleted")
    if caller_id == comment.author_id:
        state = CommentState.DELETED
    elif caller_id == event.organizer_id:
        state = CommentState.REMOVED
    else:
        raise PermissionDenied("only its author or the event's organizer may delete a comment")
    return replace(comment, text="", state=state, update_time=now, mention_ids=())
