"""Comments on events: by the organizer or people registered for it. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evently_platform.errors import FieldViolation, InvalidArgument, PermissionDenied

from evently_events.domain.model import Event

MAX_COMMENT_LENGTH = 2000


@dataclass(frozen=True)
class Comment:
    id: str
    event_id: str
    author_id: str
    text: str
    create_time: datetime


@dataclass(frozen=True)
class CommentAdded:
    comment: Comment
    event: Event


def check_comment(event: Event, author_id: str, registered: bool, text: str) -> str:
    """The text to store; raises when the author may not comment or the text is unfit."""
    if author_id != event.organizer_id and not registered:
        raise PermissionDenied(f"only the organizer and people registered for event {event.id!r} may comment")
    stripped = text.strip()
    if not 0 < len(stripped) <= MAX_COMMENT_LENGTH:
        raise InvalidArgument([FieldViolation("text", f"is required, 1 to {MAX_COMMENT_LENGTH} characters")])
    return stripped
