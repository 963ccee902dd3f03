"""UserService over gRPC: proto in → command → the bus → proto out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc
from evently.users.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc
from evently_platform.auth.principal import require_principal
from evently_platform.bus import MessageBus
from evently_platform.grpc.metadata import client_address
from evently_platform.grpc.translate import caller_id, empty, translated
from google.api import httpbody_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from evently_users.adapters.protos import user_to_proto
from evently_users.domain.model import UserChanges
from evently_users.service_layer import commands

SERVICE = user_service_pb2.DESCRIPTOR.services_by_name["UserService"].full_name
PUBLIC_METHODS = frozenset(
    f"/{SERVICE}/{m}"
    for m in (
        "CreateUser",
        "Login",
        "RefreshToken",
        "Logout",
        "RequestPasswordReset",
        "ResetPassword",
        "GetJwks",
    )
)


def _signed_in(signed_in: commands.SignedIn) -> user_service_pb2.LoginResponse:
    return user_service_pb2.LoginResponse(
        access_token=signed_in.access.token,
        expire_time=_timestamp(signed_in.access.expire_time),
        user=user_to_proto(signed_in.user),
        refresh_token=signed_in.refresh_token,
        refresh_expire_time=_timestamp(signed_in.refresh_expire_time),
    )


def _timestamp(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


def _update_user(request: user_service_pb2.UpdateUserRequest) -> commands.UpdateUser:
    changes = UserChanges(
        paths=tuple(request.update_mask.paths),
        display_name=request.user.display_name,
        time_zone=request.user.time_zone,
        new_password=request.user.password,
        current_password=request.current_password,
    )
    return commands.UpdateUser(caller_id(), request.user.id or "me", changes)


class UserServicer(user_service_pb2_grpc.UserServiceServicer):
    def __init__(self, *, bus: MessageBus, jwks_json: Callable[[], bytes]) -> None:
        self.bus = bus
        self._jwks_json = jwks_json

    CreateUser = translated(
        user_service_pb2.CreateUserRequest,
        lambda r: commands.CreateUser(r.email, r.password, r.display_name, r.time_zone),
        user_to_proto,
    )
    RefreshToken = translated(
        user_service_pb2.RefreshTokenRequest, lambda r: commands.RefreshSession(r.refresh_token), _signed_in
    )
    Logout = translated(user_service_pb2.LogoutRequest, lambda r: commands.Logout(r.refresh_token), empty)
    UpdateUser = translated(user_service_pb2.UpdateUserRequest, _update_user, user_to_proto)
    RequestPasswordReset = translated(
        user_service_pb2.RequestPasswordResetRequest,
        lambda r: commands.RequestPasswordReset(r.email),
        empty,
    )
    ResetPassword = translated(
        user_service_pb2.ResetPasswordRequest,
        lambda r: commands.ResetPassword(r.token, r.new_password),
        empty,
    )
    ChangePassword = translated(
        user_service_pb2.ChangePasswordRequest,
        lambda r: commands.ChangePassword(caller_id(), r.current_password, r.new_password),
        _signed_in,
    )
    DeleteUser = translated(
        user_service_pb2.DeleteUserRequest,
        lambda r: commands.DeleteUser(caller_id(), r.id or "me"),
        empty,
    )

    async def Login(
        self, request: user_service_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        command = commands.Login(request.email, request.password, client_address(context))
        return _signed_in(await self.bus.handle(command))

    async def GetUser(
        self, request: user_service_pb2.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        caller = require_principal()
        user_id = caller.user_id if request.id == "me" else request.id
        user = await self.bus.handle(commands.GetUser(user_id))
        proto = user_to_proto(user)
        if user.id != caller.user_id:
            proto.ClearField("email")  # other people see public fields only
        return proto

    async def GetJwks(
        self, request: user_service_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="application/json", data=self._jwks_json())
