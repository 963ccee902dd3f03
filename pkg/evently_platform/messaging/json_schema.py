"""A JSON Schema (draft 2020-12) of a protobuf message as the proto3 JSON mapping writes it: what
an integrator's code receives as a CloudEvent's `data`, generated from the payload's descriptor so
that it cannot drift from the contract."""

from __future__ import annotations

from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

# Scalars and well-known types in the proto3 JSON mapping: one table, used here and by the
# gateway's OpenAPI document.
SCALARS: dict[int, dict[str, Any]] = {
    FieldDescriptor.TYPE_DOUBLE: {"type": "number"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_SFIXED32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "minimum": 0},
    FieldDescriptor.TYPE_FIXED32: {"type": "integer", "minimum": 0},
    # 64-bit integers are strings in proto3 JSON (JavaScript numbers cannot hold them).
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SINT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_SFIXED64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_FIXED64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},  # base64
}

WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?s$", "example": "3600s"},
    "google.protobuf.FieldMask": {"type": "string", "description": "Comma-separated field paths."},
    "google.protobuf.Empty": {"type": "object"},
    "google.protobuf.Any": {
        "type": "object",
        "properties": {"@type": {"type": "string"}},
        "additionalProperties": True,
    },
    "google.protobuf.Struct": {"type": "object"},
    "google.protobuf.Value": {},
    "google.protobuf.ListValue": {"type": "array"},
}


def _field(field: FieldDescriptor, seen: frozenset[str]) -> dict[str, Any]:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value = field.message_type.fields_by_name["value"]
        return {"type": "object", "additionalProperties": _single(value, seen)}
    single = _single(field, seen)
    return {"type": "array", "items": single} if field.is_repeated else single


def _single(field: FieldDescriptor, seen: frozenset[str]) -> dict[str, Any]:
    if field.enum_type is not None:
        return {"type": "string", "enum": [value.name for value in field.enum_type.values]}
    if field.message_type is not None:
        return _message(field.message_type, seen)
    return dict(SCALARS[field.type])


def _message(descriptor: Descriptor, seen: frozenset[str]) -> dict[str, Any]:
    if descriptor.full_name in WELL_KNOWN:
        return dict(WELL_KNOWN[descriptor.full_name])
    if descriptor.full_name in seen:  # a message that contains itself: described once
        return {"type": "object"}
    inner = seen | {descriptor.full_name}
    return {
        "type": "object",
        "title": descriptor.full_name,
        "properties": {field.json_name: _field(field, inner) for field in descriptor.fields},
        "additionalProperties": False,
    }


def json_schema(descriptor: Descriptor) -> dict[str, Any]:
    """The schema of `descriptor`'s messages in proto3 JSON (lowerCamelCase names; fields at their
    default value may be left out, so none is required)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **_message(descriptor, frozenset())}
