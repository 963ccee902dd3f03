"""An OpenAPI 3.0 document generated from the same descriptors and annotations the routes come
from: paths, parameters, request and response schemas (per the proto3 JSON mapping), the error
shape and bearer authentication. Nothing here is written per method."""

from __future__ import annotations

import re
from typing import Any

from evently_platform.messaging.json_schema import SCALARS, WELL_KNOWN
from google.api import field_behavior_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from evently_gateway.routes import Route

ERROR = "google.rpc.Status"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def message(self, descriptor: Descriptor) -> dict[str, Any]:
        name = descriptor.full_name
        if name in WELL_KNOWN:
            return dict(WELL_KNOWN[name])
        if name not in self.components:
            self.components[name] = {}  # placeholder: recursive messages refer to it
            properties = {f.json_name: self.field(f) for f in descriptor.fields}
            required = [
                f.json_name for f in descriptor.fields if _behaviours(f) & {field_behavior_pb2.REQUIRED}
            ]
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            if required:
                schema["required"] = required
            self.components[name] = schema
        return _ref(name)

    def field(self, field: FieldDescriptor) -> dict[str, Any]:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value = field.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self.field(value)}
        if field.message_type is not None:
            single = self.message(field.message_type)
        elif field.enum_type is not None:
            single = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
        else:
            single = dict(SCALARS[field.type])
        behaviours = _behaviours(field)
        if field_behavior_pb2.OUTPUT_ONLY in behaviours and "$ref" not in single:
            single["readOnly"] = True
        if field_behavior_pb2.INPUT_ONLY in behaviours and "$ref" not in single:
            single["writeOnly"] = True
        return {"type": "array", "items": single} if field.is_repeated else single


def _behaviours(field: FieldDescriptor) -> set[int]:
    options: Any = field.GetOptions()
    return set(options.Extensions[field_behavior_pb2.field_behavior])


_TEMPLATE_VARIABLE = re.compile(r"\{([^}=]+)(=[^}]*)?\}")


class _PathNames:
    """OpenAPI path keys for the routes' templates. OpenAPI forbids two templated paths that
    differ only in their parameters' names (`/v1/events/{id}` and `/v1/events/{event.id}` are
    one path there), and tools read a dotted name as attribute access; so each path shape gets
    one key, named after the plainest of its templates (`{id}` over `{event.id}`), without dots."""

    def __init__(self, templates: list[str]) -> None:
        self._keys: dict[str, tuple[str, list[str]]] = {}

        def dotted(template: str) -> bool:
            return any("." in found.group(1) for found in _TEMPLATE_VARIABLE.finditer(template))

        for template in sorted(templates, key=lambda t: (dotted(t), t), reverse=True):
            names = [found.group(1).replace(".", "_") for found in _TEMPLATE_VARIABLE.finditer(template)]
            key = _TEMPLATE_VARIABLE.sub(lambda found: "{" + found.group(1).replace(".", "_") + "}", template)
            self._keys[_TEMPLATE_VARIABLE.sub("{}", template)] = (key, names)  # the plainest comes last

    def key(self, template: str) -> tuple[str, list[str]]:
        """The path key, and the parameter names that stand for the template's variables."""
        return self._keys[_TEMPLATE_VARIABLE.sub("{}", template)]


def document(routes: list[Route], *, title: str = "Evently API", version: str = "v1") -> dict[str, Any]:
    schemas = _Schemas()
    schemas.components[ERROR] = {
        "type": "object",
        "description": "A gRPC status: code, message and google.rpc details (e.g. BadRequest, RetryInfo).",
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": dict(WELL_KNOWN["google.protobuf.Any"])},
        },
        "required": ["code", "message", "details"],
    }
    paths: dict[str, Any] = {}
    path_names = _PathNames([route.template for route in routes])
    seen: dict[str, int] = {}
    for route in routes:
        method = route.method
        path, names = path_names.key(route.template)
        # One method may have several bindings (additional_bindings): each operation needs its id.
        operation_id = f"{method.containing_service.name}_{method.name}"
        seen[operation_id] = seen.get(operation_id, 0) + 1
        if seen[operation_id] > 1:
            operation_id += f"_{seen[operation_id]}"
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "tags": [method.containing_service.name],
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": f"The request's `{variable}`.",
                    "schema": {"type": "string"},
                }
                for name, variable in zip(names, route.variables, strict=True)
            ],
            "responses": {
                "200": _response(route, schemas),
                "default": {
                    "description": "An error (400, 401, 403, 404, 409, 429, 503, ...)",
                    "content": {"application/json": {"schema": _ref(ERROR)}},
                },
            },
        }
        if route.body:
            target = (
                method.input_type
                if route.body == "*"
                else method.input_type.fields_by_name[route.body].message_type or method.input_type
            )
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": schemas.message(target)}},
            }
        if route.body != "*":
            for field in method.input_type.fields:
                taken = route.body == field.name or any(
                    v.split(".")[0] == field.name for v in route.variables
                )
                queryable = field.message_type is None or field.message_type.full_name in WELL_KNOWN
                if not taken and queryable:
                    operation["parameters"].append(
                        {
                            "name": field.json_name,
                            "in": "query",
                            "required": False,
                            "schema": schemas.field(field),
                        }
                    )
        if method.server_streaming:
            operation["description"] = "Server-Sent Events: one `data:` line of JSON per message."
        paths.setdefault(path, {})[route.http_method.lower()] = operation
    return {
        # 3.0 rather than 3.1: the bundled Swagger UI (4.x) renders 3.0 documents only.
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        # A token is optional for some methods and required by the rest (401 without one).
        "security": [{"bearerAuth": []}, {}],
    }


def _response(route: Route, schemas: _Schemas) -> dict[str, Any]:
    output = route.method.output_type
    if output.full_name == "google.api.HttpBody":
        # Its media type is chosen per response (text/calendar, application/json...): any content.
        return {"description": "A document in the media type it names", "content": {"*/*": {"schema": {}}}}
    if route.method.server_streaming:
        return {"description": "A stream", "content": {"text/event-stream": {"schema": {"type": "string"}}}}
    return {"description": "OK", "content": {"application/json": {"schema": schemas.message(output)}}}
