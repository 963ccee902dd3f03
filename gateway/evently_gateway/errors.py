"""gRPC status → HTTP error body `{"code", "message", "details"}` (grpc-gateway's mapping)."""

from __future__ import annotations

import math
from typing import Any

import grpc
from google.protobuf import json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2

HTTP_STATUS = {
    grpc.StatusCode.OK: 200,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNKNOWN: 500,
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.FAILED_PRECONDITION: 400,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.INTERNAL: 500,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DATA_LOSS: 500,
    grpc.StatusCode.UNAUTHENTICATED: 401,
}


def error_body(code: grpc.StatusCode, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"code": code.value[0], "message": message, "details": details or []}


def details_from_trailers(trailers: Any) -> list[Any]:
    """Decode `grpc-status-details-bin` (a google.rpc.Status) into proto3-JSON `Any` objects."""
    for key, value in trailers or ():
        if key == "grpc-status-details-bin" and isinstance(value, bytes):
            status = status_pb2.Status.FromString(value)
            return [json_format.MessageToDict(d) for d in status.details]
    return []


def bad_request(message: str, violations: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """A 400 body shaped like a gRPC INVALID_ARGUMENT with a BadRequest detail naming each field."""
    details: list[Any] = []
    if violations:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=field, description=description)
                for field, description in violations
            ]
        )
        any_detail = json_format.MessageToDict(detail)
        any_detail["@type"] = "type.googleapis.com/google.rpc.BadRequest"
        details.append(any_detail)
    return {"code": code_pb2.INVALID_ARGUMENT, "message": message, "details": details}


def error_headers(code: grpc.StatusCode, details: list[Any], *, sent_token: bool) -> dict[str, str]:
    """`Retry-After` when the service said when; on a 401, how to authenticate (RFC 6750: the
    Bearer scheme, and `error="invalid_token"` when the token sent was refused)."""
    headers = retry_after_header(details)
    if code == grpc.StatusCode.UNAUTHENTICATED:
        challenge = 'Bearer realm="evently"'
        headers["www-authenticate"] = f'{challenge}, error="invalid_token"' if sent_token else challenge
    return headers


def retry_after_header(details: list[Any]) -> dict[str, str]:
    """`Retry-After` (whole seconds, rounded up) from a `google.rpc.RetryInfo` detail."""
    for detail in details:
        if detail.get("@type") == "type.googleapis.com/google.rpc.RetryInfo":
            delay = str(detail.get("retryDelay", "0s")).rstrip("s")
            try:
                return {"retry-after": str(max(1, math.ceil(float(delay))))}
            except ValueError:
                return {}
    return {}
