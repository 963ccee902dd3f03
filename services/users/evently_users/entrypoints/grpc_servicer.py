"""UserService over gRPC: proto in → command → the bus → proto out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import grpc
from evently.users.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc
from evently_platform.auth.principal import require_principal
from evently_platform.bus import MessageBus
from evently_platform.grpc.metadata import client_address
from google.api import httpbody_pb2
from google.protobuf import empty_pb2
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


class UserServicer(user_service_pb2_grpc.UserServiceServicer):
    def __init__(self, *, bus: MessageBus, jwks_json: Callable[[], bytes]) -> None:
        self._bus = bus
        self._jwks_json = jwks_json

    async def CreateUser(
        self, request: user_service_pb2.CreateUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        user = await self._bus.handle(
            commands.CreateUser(request.email, request.password, request.display_name, request.time_zone)
        )
        return user_to_proto(user)

    async def Login(
        self, request: user_service_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        command = commands.Login(request.email, request.password, client_address(context))
        return _signed_in(await self._bus.handle(command))

    async def RefreshToken(
        self, request: user_service_pb2.RefreshTokenRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        return _signed_in(await self._bus.handle(commands.RefreshSession(request.refresh_token)))

    async def Logout(
        self, request: user_service_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._bus.handle(commands.Logout(request.refresh_token))
        return empty_pb2.Empty()

    async def GetUser(
        self, request: user_service_pb2.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        caller = require_principal()
        user_id = caller.user_id if request.id == "me" else request.id
        user = await self._bus.handle(commands.GetUser(user_id))
        proto = user_to_proto(user)
        if user.id != caller.user_id:
            proto.ClearField("email")  # other people see public fields only
        return proto

    async def UpdateUser(
        self, request: user_service_pb2.UpdateUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        changes = UserChanges(
            paths=tuple(request.update_mask.paths),
            display_name=request.user.display_name,
            time_zone=request.user.time_zone,
            new_password=request.user.password,
            current_password=request.current_password,
        )
        command = commands.UpdateUser(require_principal().user_id, request.user.id or "me", changes)
        return user_to_proto(await self._bus.handle(command))

    async def RequestPasswordReset(
        self, request: user_service_pb2.RequestPasswordResetRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._bus.handle(commands.RequestPasswordReset(request.email))
        return empty_pb2.Empty()

    async def ResetPassword(
        self, request: user_service_pb2.ResetPasswordRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._bus.handle(commands.ResetPassword(request.token, request.new_password))
        return empty_pb2.Empty()

    async def ChangePassword(
        self, request: user_service_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        command = commands.ChangePassword(
            require_principal().user_id, request.current_password, request.new_password
        )
        return _signed_in(await self._bus.handle(command))

    async def DeleteUser(
        self, request: user_service_pb2.DeleteUserRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._bus.handle(commands.DeleteUser(require_principal().user_id, request.id or "me"))
        return empty_pb2.Empty()

    async def GetJwks(
        self, request: user_service_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="application/json", data=self._jwks_json())


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
