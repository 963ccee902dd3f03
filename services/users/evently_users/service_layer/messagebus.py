"""Every command of the users service and the use case that handles it."""

from __future__ import annotations

from typing import Any

from evently_platform.bus import Command, Handler

from evently_users.service_layer import commands, handlers

HANDLERS: dict[type[Command[Any]], Handler] = {
    commands.CreateUser: handlers.create_user,
    commands.Login: handlers.login,
    commands.RefreshSession: handlers.refresh,
    commands.Logout: handlers.logout,
    commands.GetUser: handlers.get_user,
    commands.UpdateUser: handlers.update_user,
    commands.ChangePassword: handlers.change_password,
    commands.RequestPasswordReset: handlers.request_password_reset,
    commands.ResetPassword: handlers.reset_password,
    commands.DeleteUser: handlers.delete_user,
}
