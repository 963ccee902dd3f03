"""Refuses text with control characters in any request field, before a handler sees it.

PostgreSQL cannot store NUL in text at all (the insert fails: an INTERNAL error where the caller
deserves INVALID_ARGUMENT), SQLite stores it silently, and the other C0 controls have no business
in a title, an e-mail address or a URL, where they break mail headers and calendar files. Tab,
line feed and carriage return stay allowed: descriptions and comments have lines."""

from __future__ import annotations

import re

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from evently_platform.errors import FieldViolation, InvalidArgument

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_text(request: object) -> None:
    """Raises InvalidArgument naming every string field that holds a control character (a
    request that is not a protobuf message, such as raw bytes, has no fields to check)."""
    if not isinstance(request, Message):
        return
    violations = _violations(request, "")
    if violations:
        raise InvalidArgument(violations)


def _violations(message: Message, prefix: str) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    for field, value in message.ListFields():
        path = f"{prefix}{field.name}"
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            for key, item in value.items():
                found += _check_value(field.message_type.fields_by_name["value"], item, f"{path}[{key!r}]")
                if isinstance(key, str) and _CONTROL.search(key):
                    found.append(_violation(path))
        elif field.is_repeated:
            for index, item in enumerate(value):
                found += _check_value(field, item, f"{path}[{index}]")
        else:
            found += _check_value(field, value, path)
    return found


def _check_value(field: FieldDescriptor, value: object, path: str) -> list[FieldViolation]:
    if isinstance(value, Message):
        return _violations(value, f"{path}.")
    if field.type == FieldDescriptor.TYPE_STRING and isinstance(value, str) and _CONTROL.search(value):
        return [_violation(path)]
    return []


def _violation(path: str) -> FieldViolation:
    return FieldViolation(path, "must not contain control characters (such as NUL)")
