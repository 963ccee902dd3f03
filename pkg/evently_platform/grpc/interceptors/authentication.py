"""Who is calling: the bearer token verified (on every method, so a forged one is refused even
where none is needed) and the caller set for the call; `public_methods` need no caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import Any

import grpc

from evently_platform.auth.principal import Principal, reset_principal, set_principal
from evently_platform.auth.tokens import TokenVerifier
from evently_platform.errors import Unauthenticated
from evently_platform.grpc.interceptors.access_log import note_caller
from evently_platform.grpc.interceptors.wrapping import MethodInterceptor


class Authentication(MethodInterceptor):
    def __init__(self, verifier: TokenVerifier | None, public_methods: Collection[str]) -> None:
        self._verifier = verifier
        self._public = frozenset(public_methods)

    @asynccontextmanager
    async def around(
        self, method: str, request: Any, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[None]:
        principal = await self._caller(method, context)
        if principal is not None:
            note_caller(principal.user_id)
        token = set_principal(principal)
        try:
            yield
        finally:
            reset_principal(token)

    async def _caller(self, method: str, context: grpc.aio.ServicerContext) -> Principal | None:
        authorization = next(
            (
                v
                for k, v in context.invocation_metadata() or ()
                if k == "authorization" and isinstance(v, str)
            ),
            None,
        )
        if authorization is None:
            if method not in self._public:
                raise Unauthenticated(
                    "this method needs an access token: send `authorization: Bearer <token>`"
                )
            return None
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("authorization metadata must be `Bearer <access token>`")
        if self._verifier is None:
            raise Unauthenticated("this service cannot verify access tokens")
        return await self._verifier.verify(token.strip())
