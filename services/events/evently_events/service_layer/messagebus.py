"""Every command of the events service and the use case that handles it."""

from __future__ import annotations

from typing import Any

from evently_platform.bus import Command, Handler

from evently_events.service_layer import commands, comments, handlers, polls

HANDLERS: dict[type[Command[Any]], Handler] = {
    commands.CreateEvent: handlers.create_event,
    commands.GetEvent: handlers.get_event,
    commands.ListEvents: handlers.list_events,
    commands.UpdateEvent: handlers.update_event,
    commands.CancelEvent: handlers.cancel_event,
    commands.DeleteEvent: handlers.delete_event,
    commands.ForgetUser: handlers.forget_user,
    commands.Register: handlers.register,
    commands.CancelRegistration: handlers.cancel_registration,
    commands.ListRegistrations: handlers.list_registrations,
    commands.AddComment: comments.add_comment,
    commands.EditComment: comments.edit_comment,
    commands.DeleteComment: comments.delete_comment,
    commands.ListComments: comments.list_comments,
    commands.CreatePoll: polls.create_poll,
    commands.GetPoll: polls.get_poll,
    commands.ListPolls: polls.list_polls,
    commands.Vote: polls.vote,
    commands.ClosePoll: polls.close_poll,
    commands.CloseDuePolls: polls.close_due,
}
