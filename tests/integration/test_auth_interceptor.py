"""The platform interceptor on a real gRPC server: who may call what, and how failures look.
The probe methods stand in for any service's unary and server-streaming methods."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.jwks import StaticKeySource
from evently_platform.auth.principal import current_principal, require_principal
from evently_platform.auth.tokens import TokenIssuer, TokenVerifier, public_jwk
from evently_platform.errors import NotFound
from evently_platform.grpc.interceptors import platform_interceptors
from google.rpc import error_details_pb2, status_pb2
from sqlalchemy.exc import OperationalError

SERVICE = "evently.probe.v1.Probe"
PUBLIC = f"/{SERVICE}/Public"
WHOAMI = f"/{SERVICE}/WhoAmI"
COUNT = f"/{SERVICE}/Count"
CRASH = f"/{SERVICE}/Crash"


async def _public(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    principal = current_principal()
    return principal.user_id.encode() if principal else b"anonymous"


async def _whoami(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return require_principal().user_id.encode()


async def _count(request: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[bytes]:
    for n in range(3):
        yield f"{require_principal().user_id}:{n}".encode()
    if request == b"then-fail":
        raise NotFound("the thing went away mid-stream")


async def _crash(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    if request == b"database":
        busy = sqlite3.OperationalError("database is locked")
        busy.sqlite_errorcode = 5  # SQLITE_BUSY
        raise OperationalError("SELECT ...", {}, busy)
    raise RuntimeError("secret internals")


def _handlers() -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "Public": grpc.unary_unary_rpc_method_handler(_public),
            "WhoAmI": grpc.unary_unary_rpc_method_handler(_whoami),
            "Count": grpc.unary_stream_rpc_method_handler(_count),
            "Crash": grpc.unary_unary_rpc_method_handler(_crash),
        },
    )


@pytest.fixture
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def issuer(signing_key: ec.EllipticCurvePrivateKey) -> TokenIssuer:
    return TokenIssuer(signing_key)


@pytest.fixture
async def channel(signing_key: ec.EllipticCurvePrivateKey) -> AsyncIterator[grpc.aio.Channel]:
    verifier = TokenVerifier(StaticKeySource({"keys": [public_jwk(signing_key.public_key())]}))
    server = grpc.aio.server(interceptors=platform_interceptors(verifier, {PUBLIC}))
    server.add_generic_rpc_handlers((_handlers(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield channel
    await server.stop(None)


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def _unary(channel: grpc.aio.Channel, method: str, metadata: Any = None) -> bytes:
    result: bytes = await channel.unary_unary(method)(b"", metadata=metadata, timeout=5)
    return result


async def _code_of(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value.code(), failure.value.details() or ""


async def test_a_public_method_works_anonymously(channel: grpc.aio.Channel) -> None:
    assert await _unary(channel, PUBLIC) == b"anonymous"


async def test_a_public_method_still_sees_a_valid_caller(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    token = issuer.issue("u1", datetime.now(UTC)).token
    assert await _unary(channel, PUBLIC, _bearer(token)) == b"u1"


async def test_a_method_needing_a_caller_refuses_anonymous_calls(channel: grpc.aio.Channel) -> None:
    code, message = await _code_of(_unary(channel, WHOAMI))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert "access token" in message


async def test_a_valid_token_identifies_the_caller(channel: grpc.aio.Channel, issuer: TokenIssuer) -> None:
    token = issuer.issue("u1", datetime.now(UTC)).token
    assert await _unary(channel, WHOAMI, _bearer(token)) == b"u1"


async def test_an_authorization_header_that_is_not_bearer_is_refused(channel: grpc.aio.Channel) -> None:
    code, message = await _code_of(_unary(channel, WHOAMI, (("authorization", "Basic dTE6cHc="),)))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert "Bearer" in message


async def test_an_expired_token_is_refused(channel: grpc.aio.Channel, issuer: TokenIssuer) -> None:
    token = issuer.issue("u1", datetime.now(UTC) - timedelta(hours=1)).token
    code, message = await _code_of(_unary(channel, WHOAMI, _bearer(token)))
    assert (code, message) == (grpc.StatusCode.UNAUTHENTICATED, "access token expired")


async def test_a_tampered_token_is_refused_even_by_a_public_method(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    header, claims, signature = issuer.issue("u1", datetime.now(UTC)).token.split(".")
    forged_claims = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(claims).replace(b'"sub":"u1"', b'"sub":"u2"')
    ).decode()
    forged = f"{header}.{forged_claims}.{signature}"
    for method in (WHOAMI, PUBLIC):
        code, message = await _code_of(_unary(channel, method, _bearer(forged)))
        assert code == grpc.StatusCode.UNAUTHENTICATED
        assert "invalid access token" in message


async def test_a_token_signed_by_an_unknown_key_is_refused(channel: grpc.aio.Channel) -> None:
    stranger = TokenIssuer(ec.generate_private_key(ec.SECP256R1()))
    token = stranger.issue("u1", datetime.now(UTC)).token
    code, message = await _code_of(_unary(channel, WHOAMI, _bearer(token)))
    assert (code, message) == (grpc.StatusCode.UNAUTHENTICATED, "access token signed by an unknown key")


async def test_a_token_with_another_algorithm_is_refused(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    # The classic confusion attack: HS256 "signed" with something public, naming our kid.
    token = jwt.encode(
        {
            "sub": "u1",
            "iss": "evently-users",
            "aud": "evently",
            "exp": datetime.now(UTC) + timedelta(minutes=5),
        },
        "anything public, such as the key id or the JWKS text",
        algorithm="HS256",
        headers={"kid": issuer.kid},
    )
    code, _ = await _code_of(_unary(channel, WHOAMI, _bearer(token)))
    assert code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_stream_needs_a_caller_too(channel: grpc.aio.Channel) -> None:
    call = channel.unary_stream(COUNT)(b"", timeout=5)
    code, _ = await _code_of(_collect(call))
    assert code == grpc.StatusCode.UNAUTHENTICATED


async def test_a_stream_serves_the_caller(channel: grpc.aio.Channel, issuer: TokenIssuer) -> None:
    token = issuer.issue("u7", datetime.now(UTC)).token
    call = channel.unary_stream(COUNT)(b"", metadata=_bearer(token), timeout=5)
    assert await _collect(call) == [b"u7:0", b"u7:1", b"u7:2"]


async def test_a_domain_error_mid_stream_ends_it_with_its_status(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    token = issuer.issue("u7", datetime.now(UTC)).token
    call = channel.unary_stream(COUNT)(b"then-fail", metadata=_bearer(token), timeout=5)
    received = [item async for item in _until_error(call)]
    assert received[:-1] == [b"u7:0", b"u7:1", b"u7:2"]
    assert received[-1] == (grpc.StatusCode.NOT_FOUND, "the thing went away mid-stream")


async def test_an_unexpected_error_is_internal_and_reveals_nothing(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    token = issuer.issue("u1", datetime.now(UTC)).token
    code, message = await _code_of(_unary(channel, CRASH, _bearer(token)))
    assert (code, message) == (grpc.StatusCode.INTERNAL, "internal error")


async def _collect(call: Any) -> list[bytes]:
    return [item async for item in call]


async def _until_error(call: Any) -> AsyncIterator[Any]:
    try:
        async for item in call:
            yield item
    except grpc.aio.AioRpcError as exc:
        yield (exc.code(), exc.details())


def _error_info(error: grpc.aio.AioRpcError) -> tuple[str, str]:
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason, info.domain
    return "", ""


async def test_every_error_says_why_in_an_error_info(channel: grpc.aio.Channel, issuer: TokenIssuer) -> None:
    expired = issuer.issue("u1", datetime.now(UTC) - timedelta(hours=1)).token
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _unary(channel, WHOAMI, _bearer(expired))
    assert _error_info(refused.value) == ("TOKEN_EXPIRED", "evently")
    token = issuer.issue("u7", datetime.now(UTC)).token
    received = [
        item
        async for item in _until_error(channel.unary_stream(COUNT)(b"then-fail", metadata=_bearer(token)))
    ]
    assert received[-1][0] == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await _collect(channel.unary_stream(COUNT)(b"then-fail", metadata=_bearer(token)))
    assert _error_info(missing.value) == ("NOT_FOUND", "evently")


async def test_a_database_outage_met_outside_a_unit_of_work_is_unavailable_not_internal(
    channel: grpc.aio.Channel, issuer: TokenIssuer
) -> None:
    token = issuer.issue("u1", datetime.now(UTC)).token
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await channel.unary_unary(CRASH)(b"database", metadata=_bearer(token), timeout=5)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
    assert _error_info(refused.value) == ("UNAVAILABLE", "evently")
