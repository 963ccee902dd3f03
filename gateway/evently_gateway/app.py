"""The gateway's ASGI application: transcoded API routes, health endpoints, the web UI and docs.

API calls (`/v1/...`) go straight to the transcoding handler; everything else goes through
Starlette's router. Starlette's layers (its error and exception middleware, a router that tries
each route's pattern in turn, a request/response adapter, and a wrapper around `send` for each)
cost more per call than the API's own routing table, and an API call needs none of them."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc
from evently.events.v1 import event_service_pb2
from evently.notifier.v1 import notifier_service_pb2
from evently.users.v1 import user_service_pb2
from evently_platform.config import Settings
from evently_platform.logging import get_logger
from google.api import httpbody_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from evently_gateway.backends import FORWARDED_HEADERS, Backends
from evently_gateway.docs import docs_routes
from evently_gateway.errors import (
    HTTP_STATUS,
    bad_request,
    details_from_trailers,
    error_body,
    error_headers,
)
from evently_gateway.json_replies import JsonReplies
from evently_gateway.limits import LimitError, check_forwarded_header, deadline_seconds, read_body
from evently_gateway.openapi import document
from evently_gateway.request_tracing import App, Receive, Scope, Send, name_route
from evently_gateway.routes import RouteTable, routes_for
from evently_gateway.sse import events as sse_events
from evently_gateway.sse import resume_after
from evently_gateway.transcoding import TranscodingError, build_request
from evently_gateway.webui import web_routes

log = get_logger(__name__)

SERVICES = {
    "users": user_service_pb2.DESCRIPTOR.services_by_name["UserService"],
    "events": event_service_pb2.DESCRIPTOR.services_by_name["EventService"],
    "notifier": notifier_service_pb2.DESCRIPTOR.services_by_name["NotifierService"],
}
# What a browser on another origin may send and read (CORS), beyond the CORS-safelisted ones.
CORS_REQUEST_HEADERS = ["authorization", "content-type", "traceparent", "tracestate", "grpc-timeout"]
CORS_RESPONSE_HEADERS = ["retry-after", "allow"]


def forwarded_for(request: Request) -> str:
    """The client chain for the services (sign-in throttling): what a proxy in front of us said,
    then the address we see ourselves — the one entry the services can trust."""
    peer = request.client.host if request.client else "unknown"
    earlier = request.headers.get("x-forwarded-for", "").strip()
    return f"{earlier}, {peer}" if earlier else peer


def service_error(
    backend: str, code: grpc.StatusCode, message: str, trailers: Any, *, sent_token: bool
) -> Response:
    """A service's failed answer as an HTTP error: grpc-gateway's mapping, but for CANCELLED.
    The gateway never cancels a call it still waits on (a client that leaves cancels the whole
    request, and nobody reads the answer), so a CANCELLED call was turned away by the service:
    gRPC core does so when more calls wait for the service's process than it keeps in its
    queue. That is overload: 503 with a Retry-After, not grpc-gateway's 499 (the client went
    away)."""
    if code == grpc.StatusCode.CANCELLED:
        return JSONResponse(
            error_body(
                grpc.StatusCode.UNAVAILABLE,
                f"the {backend} service turned the call away (busy): try again shortly",
            ),
            status_code=503,
            headers={"retry-after": str(TURNED_AWAY_RETRY_AFTER)},
        )
    details = details_from_trailers(trailers)
    return JSONResponse(
        error_body(code, message or code.name, details),
        status_code=HTTP_STATUS.get(code, 500),
        headers=error_headers(code, details, sent_token=sent_token),
    )


TURNED_AWAY_RETRY_AFTER = 1  # seconds


def build_route_table() -> RouteTable:
    return RouteTable([r for backend, svc in SERVICES.items() for r in routes_for(svc, backend)])


API_PREFIX = "/v1/"


def create_app(settings: Settings) -> App:
    table = build_route_table()
    backends = Backends({name: settings.addrs[name] for name in SERVICES})
    replies = JsonReplies()
    ceiling = settings.gateway.deadline.total_seconds()

    async def api(request: Request) -> Response:
        path = request.url.path
        found = table.find(request.method, path)
        if found is None:
            allowed = table.allowed_methods(path)
            if allowed:
                return JSONResponse(
                    error_body(grpc.StatusCode.UNIMPLEMENTED, f"{request.method} is not allowed on {path}"),
                    status_code=405,
                    headers={"allow": ", ".join(allowed)},
                )
            return JSONResponse(
                error_body(grpc.StatusCode.NOT_FOUND, f"no route for {request.method} {path}"), 404
            )
        route, params = found
        name_route(request.method, route.template)
        try:
            timeout = deadline_seconds(request.headers.get("grpc-timeout"), ceiling)
            for name in FORWARDED_HEADERS:
                check_forwarded_header(name, request.headers.get(name, ""))
            began = time.monotonic()
            # The call's deadline bounds its body too, but never below a second: a tiny deadline
            # is meant for the call, and a body needs a moment to arrive.
            body = await read_body(request, settings.gateway.max_body_bytes, max(timeout, 1.0))
            timeout -= time.monotonic() - began  # what is left for the call
        except LimitError as exc:
            if exc.status == 400:
                violations = [(exc.field, str(exc))] if exc.field else []
                return JSONResponse(bad_request(str(exc), violations), status_code=400)
            return JSONResponse(error_body(grpc.StatusCode.INVALID_ARGUMENT, str(exc)), exc.status)
        if timeout <= 0:  # spent before the call could start: it is not made at all
            return JSONResponse(
                error_body(grpc.StatusCode.DEADLINE_EXCEEDED, "the deadline passed before the call"), 504
            )
        try:
            message = build_request(route, params, list(request.query_params.multi_items()), body)
        except TranscodingError as exc:
            return JSONResponse(bad_request(str(exc), exc.violations), status_code=400)
        metadata = [(h, request.headers[h]) for h in FORWARDED_HEADERS if h in request.headers]
        metadata.append(("x-forwarded-for", forwarded_for(request)))
        if route.method.server_streaming:
            resume_after(message, request.headers.get("last-event-id"))
            return await stream(route, message, metadata, sent_token="authorization" in request.headers)
        try:
            wire = await backends.unary(route.backend, route.method, message, metadata, timeout)
        except grpc.aio.AioRpcError as exc:
            return service_error(
                route.backend,
                exc.code(),
                exc.details() or "",
                exc.trailing_metadata(),
                sent_token="authorization" in request.headers,
            )
        answer_type = route.method.output_type
        if answer_type.full_name == "google.api.HttpBody":
            body = httpbody_pb2.HttpBody.FromString(wire)
            return Response(bytes(body.data), media_type=body.content_type)
        rendered = replies.render(answer_type, wire, remember=request.method == "GET")
        return Response(rendered, media_type="application/json")

    async def stream(
        route: Any, message: Any, metadata: list[tuple[str, str]], *, sent_token: bool
    ) -> Response:
        call = backends.stream(route.backend, route.method, message, metadata)
        await call.initial_metadata()
        if call.done():  # refused (or over) before the first message: a plain HTTP error
            code = await call.code()
            if code != grpc.StatusCode.OK:
                return service_error(
                    route.backend,
                    code,
                    await call.details() or "",
                    await call.trailing_metadata(),
                    sent_token=sent_token,
                )
        return StreamingResponse(
            sse_events(call),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
        )

    openapi_document = document(table.routes)

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        results: dict[str, str] = {}
        for name in backends.names:
            stub = health_pb2_grpc.HealthStub(backends.channel(name))
            try:
                answer = await stub.Check(health_pb2.HealthCheckRequest(), timeout=2.0)
                results[name] = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
            except grpc.aio.AioRpcError as exc:
                results[name] = exc.code().name
        ready = all(v == "SERVING" for v in results.values())
        return JSONResponse({"ready": ready, "backends": results}, status_code=200 if ready else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await backends.close()

    routes: list[Any] = [
        StarletteRoute("/healthz", healthz, methods=["GET"]),
        StarletteRoute("/openapi.json", openapi, methods=["GET"]),
        *docs_routes(),
        *web_routes(),
        StarletteRoute("/readyz", readyz, methods=["GET"]),
        StarletteRoute("/{path:path}", api, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
    ]
    site = Starlette(routes=routes, lifespan=lifespan)

    async def api_call(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await api(request)
        except ClientDisconnect:
            return  # gone while its body was read: there is no one to answer
        except Exception:
            # What Starlette's error middleware does for the site: a bug of ours, logged with
            # its traceback and answered without internals.
            log.exception("gateway.unhandled_error", method=request.method, path=request.url.path)
            response = JSONResponse(error_body(grpc.StatusCode.INTERNAL, "internal error"), 500)
        await response(scope, receive, send)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            await api_call(scope, receive, send)
        else:
            await site(scope, receive, send)

    if not settings.gateway.cors_origins:
        return app
    cors = CORSMiddleware(
        app,
        allow_origins=list(settings.gateway.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_RESPONSE_HEADERS,
        max_age=600,
    )
    return cors
