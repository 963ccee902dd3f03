"""structlog for every process: one line per event, with the current trace and span ids.

structlog's own loggers (every `get_logger` here) render and write their line themselves, without
the standard library's `logging` machinery (a record, handlers, a formatter): that path costs
several times more per line, and the access log writes one line per call. Other libraries' loggers
(gRPC, NATS, SQLAlchemy, Alembic, Uvicorn) still go through `logging`, rendered by the same
processors into the same stream, so every line looks alike.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from opentelemetry import trace
from structlog.typing import EventDict


def _add_trace_context(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event["trace_id"] = format(ctx.trace_id, "032x")
        event["span_id"] = format(ctx.span_id, "016x")
    return event


class _NamedLogger(structlog.WriteLogger):
    """Writes whole lines to a file, and knows the name it was asked for by."""

    def __init__(self, file: Any, name: str | None) -> None:
        super().__init__(file)
        self.name = name


def _add_logger_name(logger: Any, _: str, event: EventDict) -> EventDict:
    name = getattr(logger, "name", None)
    if name:
        event.setdefault("logger", name)
    return event


def configure_logging(service: str, *, log_format: str = "json", level: int = logging.INFO) -> None:
    """Route structlog and the standard library's loggers through one renderer on stderr."""

    def add_service(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("service", service)
        return event

    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_service,
        _add_trace_context,
    ]
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        if log_format == "console"
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[_add_logger_name, *shared, structlog.processors.format_exc_info, renderer],
        logger_factory=lambda *args: _NamedLogger(sys.stderr, args[0] if args else None),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Their INFO lines are per-connection noise; warnings still come through.
    for noisy in ("nats", "uvicorn.access", "httpx", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def get_logger(name: str | None = None) -> Any:
    """A logger whose lines carry `logger: name`; configured lazily, so modules may ask for one
    at import time, before `configure_logging` runs."""
    return structlog.get_logger(name) if name else structlog.get_logger()
