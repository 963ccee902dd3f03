"""The server interceptors every service runs, one job each, outermost first."""

from __future__ import annotations

from collections.abc import Collection

import grpc

from evently_platform.auth.tokens import TokenVerifier
from evently_platform.grpc.interceptors.access_log import AccessLog
from evently_platform.grpc.interceptors.authentication import Authentication
from evently_platform.grpc.interceptors.error_mapping import ErrorMapping
from evently_platform.grpc.interceptors.load_shedding import LoadShedding
from evently_platform.grpc.interceptors.request_guard import RequestGuard
from evently_platform.grpc.interceptors.tracing import Tracing
from evently_platform.grpc.interceptors.wrapping import InterceptorChain

DEFAULT_MAX_IN_FLIGHT = 256


def platform_interceptors(
    verifier: TokenVerifier | None,
    public_methods: Collection[str],
    *,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> list[grpc.aio.ServerInterceptor]:
    """The span holds everything else (the access log line carries its trace id); the access log
    sees every outcome; errors are mapped for it; a call past the process's limit is refused
    before any work (a token check included); then who calls, then whether the request can be
    worked on at all. One grpc.aio interceptor runs them all."""
    return [
        InterceptorChain(
            [
                Tracing(),
                AccessLog(),
                ErrorMapping(),
                LoadShedding(max_in_flight),
                Authentication(verifier, public_methods),
                RequestGuard(),
            ]
        )
    ]
