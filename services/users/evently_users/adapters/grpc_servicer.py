"""UserService over gRPC: proto in → command → use case (in a worker thread) → proto out."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import grpc
from evently.users.v1 import user_pb2, user_service_pb2, user_service_pb2_grpc
from evently_platform.auth.principal import require_principal
from evently_platform.auth.tokens import TokenIssuer
from evently_platform.clock import Clock
from evently_platform.grpc.metadata import client_address
from google.api import httpbody_pb2
from google.protobuf import empty_pb2
from google.protobuf.timestamp_pb2 import Timestamp

from evently_users.adapters.protos import user_to_proto
from evently_users.domain.model import UserChanges
from evently_users.service_layer import handlers
from evently_users.service_layer.ports import PasswordHasher, UnitOfWork

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
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        hasher: PasswordHasher,
        issuer: Callable[[], TokenIssuer],
        clock: Clock,
        jwks_json: Callable[[], bytes],
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._issuer = issuer
        self._clock = clock
        self._jwks_json = jwks_json

    async def CreateUser(
        self, request: user_service_pb2.CreateUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        cmd = handlers.CreateUser(request.email, request.password, request.display_name, request.time_zone)
        user = await asyncio.to_thread(
            handlers.create_user, cmd, uow=self._uow, hasher=self._hasher, clock=self._clock
        )
        return user_to_proto(user)

    async def Login(
        self, request: user_service_pb2.LoginRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        signed_in = await asyncio.to_thread(
            handlers.login,
            handlers.Login(request.email, request.password, client_address(context)),
            uow=self._uow,
            hasher=self._hasher,
            issuer=self._issuer(),
            clock=self._clock,
        )
        return _signed_in(signed_in)

    async def RefreshToken(
        self, request: user_service_pb2.RefreshTokenRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        signed_in = await asyncio.to_thread(
            handlers.refresh, request.refresh_token, uow=self._uow, issuer=self._issuer(), clock=self._clock
        )
        return _signed_in(signed_in)

    async def Logout(
        self, request: user_service_pb2.LogoutRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await asyncio.to_thread(handlers.logout, request.refresh_token, uow=self._uow)
        return empty_pb2.Empty()

    async def GetUser(
        self, request: user_service_pb2.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        caller = require_principal()
        user_id = caller.user_id if request.id == "me" else request.id
        user = await asyncio.to_thread(handlers.get_user, user_id, uow=self._uow)
        proto = user_to_proto(user)
        if user.id != caller.user_id:
            proto.ClearField("email")  # other people see public fields only
        return proto

    async def UpdateUser(
        self, request: user_service_pb2.UpdateUserRequest, context: grpc.aio.ServicerContext
    ) -> user_pb2.User:
        caller = require_principal()
        changes = UserChanges(
            paths=tuple(request.update_mask.paths),
            display_name=request.user.display_name,
            time_zone=request.user.time_zone,
            new_password=request.user.password,
            current_password=request.current_password,
        )
        user = await asyncio.to_thread(
            handlers.update_user,
            caller.user_id,
            request.user.id or "me",
            changes,
            uow=self._uow,
            hasher=self._hasher,
            clock=self._clock,
        )
        return user_to_proto(user)

    async def RequestPasswordReset(
        self, request: user_service_pb2.RequestPasswordResetRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await asyncio.to_thread(
            handlers.request_password_reset, request.email, uow=self._uow, clock=self._clock
        )
        return empty_pb2.Empty()

    async def ResetPassword(
        self, request: user_service_pb2.ResetPasswordRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        await asyncio.to_thread(
            handlers.reset_password,
            request.token,
            request.new_password,
            uow=self._uow,
            hasher=self._hasher,
            clock=self._clock,
        )
        return empty_pb2.Empty()

    async def ChangePassword(
        self, request: user_service_pb2.ChangePasswordRequest, context: grpc.aio.ServicerContext
    ) -> user_service_pb2.LoginResponse:
        caller = require_principal()
        signed_in = await asyncio.to_thread(
            handlers.change_password,
            caller.user_id,
            request.current_password,
            request.new_password,
            uow=self._uow,
            hasher=self._hasher,
            issuer=self._issuer(),
            clock=self._clock,
        )
        return _signed_in(signed_in)

    async def DeleteUser(
        self, request: user_service_pb2.DeleteUserRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        caller = require_principal()
        await asyncio.to_thread(
            handlers.delete_user, caller.user_id, request.id or "me", uow=self._uow, clock=self._clock
        )
        return empty_pb2.Empty()

    async def GetJwks(
        self, request: user_service_pb2.GetJwksRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="application/json", data=self._jwks_json())


def _signed_in(signed_in: handlers.SignedIn) -> user_service_pb2.LoginResponse:
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
