"""The message bus: a command reaches its handler with the dependencies bootstrap wired, off the
event loop, with the caller's context; wiring mistakes show at start-up."""

from __future__ import annotations

import threading
from contextvars import ContextVar
from dataclasses import dataclass

import pytest
from evently_platform.bus import Command, MessageBus

_caller: ContextVar[str] = ContextVar("caller", default="nobody")


@dataclass(frozen=True)
class Greet(Command[str]):
    name: str


@dataclass(frozen=True)
class Unknown(Command[None]):
    pass


def greet(cmd: Greet, *, greeting: str, punctuation: str = ".") -> str:
    return (
        f"{greeting}, {cmd.name}{punctuation} ({_caller.get()} asked, in {threading.current_thread().name})"
    )


async def test_a_command_reaches_its_handler_with_its_dependencies_in_a_worker_thread() -> None:
    bus = MessageBus.wire({Greet: greet}, greeting="Hello", unused="ignored")
    _caller.set("olga")
    answer = await bus.handle(Greet("Ann"))
    assert answer.startswith("Hello, Ann. (olga asked, in ")
    assert threading.current_thread().name not in answer  # not the event loop's thread


async def test_a_bus_made_on_loop_runs_handlers_on_the_event_loop_with_the_callers_context() -> None:
    bus = MessageBus.wire({Greet: greet}, on_loop=True, greeting="Hej")
    _caller.set("per")
    answer = await bus.handle(Greet("Ann"))
    assert answer == f"Hej, Ann. (per asked, in {threading.current_thread().name})"


def test_handle_here_runs_in_the_calling_thread() -> None:
    bus = MessageBus.wire({Greet: greet}, greeting="Hi", punctuation="!")
    assert bus.handle_here(Greet("Bo")).endswith(f"in {threading.current_thread().name})")


async def test_a_handlers_error_reaches_the_caller_as_raised() -> None:
    def refuse(cmd: Greet) -> str:
        raise ValueError(f"not {cmd.name}")

    bus = MessageBus.wire({Greet: refuse})
    with pytest.raises(ValueError, match="not Cy"):
        await bus.handle(Greet("Cy"))


async def test_a_command_without_a_handler_is_a_lookup_error() -> None:
    bus = MessageBus.wire({Greet: greet}, greeting="Hi")
    with pytest.raises(LookupError, match="Unknown"):
        await bus.handle(Unknown())


def test_a_dependency_nobody_provides_fails_when_the_bus_is_built() -> None:
    with pytest.raises(TypeError, match="'greeting'"):
        MessageBus.wire({Greet: greet})
