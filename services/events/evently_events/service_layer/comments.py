"""Comment use cases: the conversation on an event page."""

from __future__ import annotations

from evently_platform.clock import Clock, new_id
from evently_platform.errors import NotFound
from evently_platform.paging import Page

from evently_events.domain.comments import (
    Comment,
    CommentAdded,
    CommentDeleted,
    CommentEdited,
    check_comment,
    check_mentions,
    check_parent,
    delete,
    edit,
)
from evently_events.domain.model import Event
from evently_events.service_layer.commands import AddComment, DeleteComment, EditComment, ListComments
from evently_events.service_layer.ports import UnitOfWork


def _event(uow: UnitOfWork, event_id: str) -> Event:
    event = uow.events.get(event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def _in_the_conversation(uow: UnitOfWork, event: Event, user_ids: list[str]) -> set[str]:
    """Of these people: the organizer, those registered, and those who commented."""
    people = {event.organizer_id} & set(user_ids)
    people |= {u for u in user_ids if (r := uow.registrations.get_for(event.id, u)) is not None and r.active}
    return people | uow.comments.authors_among(event.id, user_ids)


def add_comment(cmd: AddComment, *, uow: UnitOfWork, clock: Clock) -> Comment:
    with uow:
        event = _event(uow, cmd.event_id)
        registration = uow.registrations.get_for(event.id, cmd.author_id)
        text = check_comment(event, cmd.author_id, registration is not None and registration.active, cmd.text)
        parent_author = ""
        if cmd.parent_id:
            parent = uow.comments.get(cmd.parent_id)
            check_parent(parent, event.id, cmd.parent_id)
            assert parent is not None  # checked
            parent_author = parent.author_id
        mentions = check_mentions(cmd.mention_ids, _in_the_conversation(uow, event, cmd.mention_ids))
        comment = Comment(
            id=new_id(),
            event_id=event.id,
            author_id=cmd.author_id,
            text=text,
            create_time=clock.now(),
            parent_id=cmd.parent_id,
            mention_ids=mentions,
        )
        uow.comments.add(comment)
        uow.record(CommentAdded(comment, event, parent_author))
        uow.commit()
    return comment


def _existing(uow: UnitOfWork, comment_id: str) -> Comment:
    comment = uow.comments.get(comment_id)
    if comment is None:
        raise NotFound(f"comment {comment_id!r} not found")
    return comment


def edit_comment(cmd: EditComment, *, uow: UnitOfWork, clock: Clock) -> Comment:
    with uow:
        edited = edit(_existing(uow, cmd.comment_id), cmd.caller_id, cmd.text, clock.now())
        uow.comments.save(edited)
        uow.record(CommentEdited(edited, _event(uow, edited.event_id)))
        uow.commit()
    return edited


def delete_comment(cmd: DeleteComment, *, uow: UnitOfWork, clock: Clock) -> Comment:
    with uow:
        comment = _existing(uow, cmd.comment_id)
        event = _event(uow, comment.event_id)
        gone = delete(comment, cmd.caller_id, event, clock.now())
        uow.comments.save(gone)
        uow.record(CommentDeleted(gone, event))
        uow.commit()
    return gone


def list_comments(cmd: ListComments, *, uow: UnitOfWork) -> Page[Comment]:
    with uow.reading() as reader:
        _event(reader, cmd.event_id)
        rows = reader.comments.list_for_event(cmd.event_id, after=cmd.page.after, limit=cmd.page.fetch)
    return Page.of(rows, cmd.page, lambda c: (c.create_time, c.id))
