"""HTTP request → protobuf request message, per a route's body, path and query rules
(proto3 JSON mapping: lowerCamelCase or the original field names are both accepted)."""

from __future__ import annotations

import json
import re
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from evently_gateway.routes import Route

_INTEGER_TYPES = {
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED32,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED32,
    FieldDescriptor.TYPE_SFIXED64,
}
_FLOAT_TYPES = {FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE}


class TranscodingError(ValueError):
    """The HTTP request cannot become the method's request message; the text says why, and
    `violations` (field path as the client wrote it, description) which fields."""

    def __init__(
        self, message: str, field: str = "", *, violations: list[tuple[str, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.violations = violations or ([(field, message)] if field else [])


# Messages whose JSON form is not an object of their fields (proto3 JSON mapping).
_OPAQUE_JSON = frozenset(
    {
        "google.protobuf.Timestamp",
        "google.protobuf.Duration",
        "google.protobuf.FieldMask",
        "google.protobuf.Struct",
        "google.protobuf.Value",
        "google.protobuf.ListValue",
        "google.protobuf.Any",
        "google.protobuf.Empty",
    }
)


def _unknown_fields(descriptor: Descriptor, tree: object, prefix: str = "") -> list[tuple[str, str]]:
    """Keys that name no field, each with its path as the client wrote it (`event.titel`)."""
    if not isinstance(tree, dict):
        return []
    found: list[tuple[str, str]] = []
    for key, value in tree.items():
        field = _field(descriptor, key)
        path = f"{prefix}{key}"
        if field is None:
            known = ", ".join(f.json_name for f in descriptor.fields)
            found.append((path, f"is not a field of {descriptor.name}; its fields are: {known}"))
            continue
        nested = field.message_type
        if nested is None or nested.full_name in _OPAQUE_JSON or nested.GetOptions().map_entry:
            continue
        if field.is_repeated and isinstance(value, list):
            for index, item in enumerate(value):
                found += _unknown_fields(nested, item, f"{path}[{index}].")
        else:
            found += _unknown_fields(nested, value, f"{path}.")
    return found


def _parse_failure(message: str) -> TranscodingError:
    """protobuf's "Failed to parse event field: Failed to parse capacity field: <why> at ..."
    as a violation of `event.capacity`: <why>."""
    names = re.findall(r"Failed to parse (\w+) field", message)
    reason = message.rsplit(" field: ", 1)[-1] if names else message
    reason = re.sub(r"\s+at [\w.\[\]]+\.*$", "", reason.strip()).rstrip(".")
    path = ".".join(names)
    if not path:
        return TranscodingError(reason)
    return TranscodingError(f"{path}: {reason}", path, violations=[(path, reason)])


def _field(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    return descriptor.fields_by_name.get(name) or next(
        (f for f in descriptor.fields if f.json_name == name), None
    )


def _resolve(descriptor: Descriptor, dotted: str) -> list[Any]:
    path: list[Any] = []
    current: Descriptor | None = descriptor
    for part in dotted.split("."):
        field = _field(current, part) if current is not None else None
        if field is None:
            raise TranscodingError(f"unknown field {dotted!r}", dotted)
        path.append(field)
        current = field.message_type
    return path


def _scalar(field: Any, raw: str, name: str) -> Any:
    try:
        if field.type in _INTEGER_TYPES:
            return int(raw)
        if field.type in _FLOAT_TYPES:
            return float(raw)
    except ValueError:
        raise TranscodingError(f"{name}: {raw!r} is not a number", name) from None
    if field.type == FieldDescriptor.TYPE_BOOL:
        if raw.lower() not in ("true", "false", "1", "0"):
            raise TranscodingError(f"{name}: {raw!r} is not true or false", name)
        return raw.lower() in ("true", "1")
    return raw  # strings, bytes (base64), enums by name, and well-known types (Timestamp, FieldMask)


def _camel_mask(value: Any) -> Any:
    """FieldMask paths in proto3 JSON are lowerCamelCase; accept the proto names too."""
    if not isinstance(value, str):
        return value
    return ",".join(
        ".".join(
            part.split("_")[0] + "".join(w[:1].upper() + w[1:] for w in part.split("_")[1:])
            for part in path.split(".")
        )
        for path in value.split(",")
        if path.strip()
    )


def _is_mask(field: FieldDescriptor) -> bool:
    return field.message_type is not None and field.message_type.full_name == "google.protobuf.FieldMask"


def _put(tree: dict[str, Any], path: list[FieldDescriptor], value: Any) -> None:
    for field in path[:-1]:
        tree = tree.setdefault(field.name, {})
    tree[path[-1].name] = value


# RFC 8058: a mail client's one-click unsubscribe POSTs this form body to a route that takes
# everything from its path.
ONE_CLICK = b"List-Unsubscribe=One-Click"


def build_request(
    route: Route, path_params: dict[str, str], query: list[tuple[str, str]], body: bytes
) -> Message:
    message_class = message_factory.GetMessageClass(route.method.input_type)
    tree: dict[str, Any] = {}
    if route.body:
        try:
            payload = json.loads(body) if body.strip() else {}
        except RecursionError:
            raise TranscodingError("request body is nested too deeply") from None
        except (UnicodeDecodeError, ValueError) as exc:  # ValueError: also digits past int's limit
            raise TranscodingError(f"request body is not valid JSON: {exc}") from None
        if route.body == "*":
            if not isinstance(payload, dict):
                raise TranscodingError("request body must be a JSON object")
            tree = payload
            for key in list(tree):
                field = _field(route.method.input_type, key)
                if field is not None and _is_mask(field):
                    tree[key] = _camel_mask(tree[key])
        else:
            tree[route.body] = payload
    elif body.strip() and body.strip() != ONE_CLICK:
        raise TranscodingError(f"{route.http_method} {route.template} takes no request body")

    if route.body != "*":
        grouped: dict[str, list[str]] = {}
        for key, value in query:
            grouped.setdefault(key, []).append(value)
        for key, values in grouped.items():
            path = _resolve(route.method.input_type, key)
            leaf = path[-1]
            if leaf.message_type is not None and leaf.message_type.full_name not in (
                "google.protobuf.Timestamp",
                "google.protobuf.Duration",
                "google.protobuf.FieldMask",
            ):
                raise TranscodingError(f"{key}: message fields cannot be set from the query string", key)
            if leaf.is_repeated:
                items = [v for raw in values for v in raw.split(",")] if len(values) == 1 else values
                _put(tree, path, [_scalar(leaf, v, key) for v in items])
            elif _is_mask(leaf):
                _put(tree, path, _camel_mask(",".join(values)))
            else:
                _put(tree, path, _scalar(leaf, values[-1], key))

    message = message_class()
    unknown = _unknown_fields(route.method.input_type, tree)
    if unknown:
        described = "; ".join(f"{path} {why}" for path, why in unknown)
        raise TranscodingError(f"unknown fields: {described}", unknown[0][0], violations=unknown)
    try:
        json_format.ParseDict(tree, message, ignore_unknown_fields=False)
    except RecursionError:
        raise TranscodingError("request body is nested too deeply") from None
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise _parse_failure(str(exc)) from None
    for name, value in path_params.items():
        _set_path_param(message, name, value)
    return message


def _set_path_param(message: Message, dotted: str, value: str) -> None:
    *parents, leaf_name = dotted.split(".")
    target = message
    for part in parents:
        target = getattr(target, part)
    leaf = target.DESCRIPTOR.fields_by_name[leaf_name]
    setattr(target, leaf_name, _scalar(leaf, value, dotted))
