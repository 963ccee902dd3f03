"""A service's message bus: its entrypoints (gRPC servicers, stream consumers) turn what arrives
into a command and hand it to `bus.handle(command)`; the bus runs that command's handler, with
the dependencies the service's bootstrap gave it, and answers what the handler returns.

Handlers are plain synchronous functions `handler(command, *, uow, clock, ...)`: blocking
database work. Dependencies wrapped in `PerCommand` (the unit of work) are made anew for each
command. The bus runs them in a worker thread — the one thread hop of a use case lives
here, not in every servicer method — carrying the caller's context (the signed-in principal, the
current trace span) into that thread. Which dependencies a handler gets is read from its
signature once, when the bus is built, so a handler asking for something bootstrap does not
provide fails at start-up, not at its first call.

A service whose use cases are all short local work (SQLite transactions: no network, no
long computation) may run them `on_loop` instead: the hop to a worker thread and back costs
more than such a transaction, and SQLite takes one writer at a time anyway (bench/README.md).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")


class Command(Generic[R_co]):
    """A request to do one thing. Subclasses are frozen dataclasses; `R_co` is what handling one
    answers, so `await bus.handle(GetUser(...))` is typed as its handler's result."""

    __slots__ = ()


Handler = Callable[..., Any]


@dataclass(frozen=True)
class PerCommand:
    """A dependency made anew for every command handled — a unit of work, which holds one use
    case's transaction and so is never shared between concurrent ones."""

    make: Callable[[], object]


class MessageBus:
    def __init__(
        self, handlers: Mapping[type[Command[Any]], Callable[[Any], Any]], *, on_loop: bool = False
    ) -> None:
        """`handlers`: one ready-to-call handler per command type (see `wire`). `on_loop`: run
        them on the caller's thread (the event loop), not in a worker thread (see above)."""
        self._handlers = dict(handlers)
        self._on_loop = on_loop

    @classmethod
    def wire(
        cls, handlers: Mapping[type[Command[Any]], Handler], *, on_loop: bool = False, **dependencies: object
    ) -> MessageBus:
        """The bus for `handlers`, each given the `dependencies` its keyword parameters name."""
        wired = {command: inject(handler, dependencies) for command, handler in handlers.items()}
        return cls(wired, on_loop=on_loop)

    async def handle(self, command: Command[R]) -> R:
        """Runs the command's handler in a worker thread (on the loop when the bus was made
        `on_loop`); its errors propagate as raised."""
        if self._on_loop:
            return self._handler_for(command)(command)  # type: ignore[no-any-return]
        return await asyncio.to_thread(self._handler_for(command), command)

    def handle_here(self, command: Command[R]) -> R:
        """Runs the command's handler in the calling thread (for callers already off the loop)."""
        return self._handler_for(command)(command)  # type: ignore[no-any-return]

    def _handler_for(self, command: Command[Any]) -> Callable[[Any], Any]:
        try:
            return self._handlers[type(command)]
        except KeyError:
            raise LookupError(f"no handler for {type(command).__name__}") from None


def inject(handler: Handler, dependencies: Mapping[str, object]) -> Callable[[Any], Any]:
    """`handler` with the keyword parameters it names taken from `dependencies`; its first
    parameter stays open for the command. A required parameter that nobody provides is a wiring
    error, raised now."""
    parameters = list(inspect.signature(handler).parameters.values())
    if not parameters or parameters[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise TypeError(f"{handler.__qualname__} must take the command as its first parameter")
    given: dict[str, object] = {}
    per_command: dict[str, Callable[[], object]] = {}
    for parameter in parameters[1:]:
        if parameter.name in dependencies:
            dependency = dependencies[parameter.name]
            if isinstance(dependency, PerCommand):
                per_command[parameter.name] = dependency.make
            else:
                given[parameter.name] = dependency
        elif parameter.default is inspect.Parameter.empty:
            raise TypeError(f"{handler.__qualname__} needs {parameter.name!r}, which nothing provides")
    ready = functools.partial(handler, **given)
    if not per_command:
        return ready

    def with_fresh_dependencies(command: Any) -> Any:
        return ready(command, **{name: make() for name, make in per_command.items()})

    return with_fresh_dependencies
