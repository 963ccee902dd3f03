"""HTTP routes derived from the `google.api.http` annotations of the service descriptors:
no route is written by hand per method."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

_VARIABLE = re.compile(r"\{([a-z_][a-z0-9_.]*)(?:=([^}]*))?\}")


@dataclass(frozen=True)
class Route:
    http_method: str
    template: str
    pattern: re.Pattern[str]
    variables: tuple[str, ...]  # proto field paths, e.g. "event.id"
    body: str  # "", "*", or a top-level field name
    method: MethodDescriptor
    backend: str  # key of the backend that serves it, e.g. "events"

    @property
    def grpc_path(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"

    def match(self, http_method: str, path: str) -> dict[str, str] | None:
        if http_method != self.http_method:
            return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {name: found.group(f"v{i}") for i, name in enumerate(self.variables)}


def compile_template(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """`/v1/events/{event.id}` → a regex with one group per variable; `{x=**}` may span segments."""
    variables: list[str] = []
    regex = ""
    position = 0
    for found in _VARIABLE.finditer(template):
        regex += re.escape(template[position : found.start()])
        segment_pattern = found.group(2) or "*"
        regex += f"(?P<v{len(variables)}>{'.+' if '**' in segment_pattern else '[^/]+?'})"
        variables.append(found.group(1))
        position = found.end()
    regex += re.escape(template[position:])
    return re.compile(regex), tuple(variables)


def _rule_pattern(rule: http_pb2.HttpRule) -> tuple[str, str] | None:
    kind = rule.WhichOneof("pattern")
    if kind is None:
        return None
    if kind == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    return kind.upper(), str(getattr(rule, kind))


def routes_for(service: ServiceDescriptor, backend: str) -> list[Route]:
    routes: list[Route] = []
    for method in service.methods:
        options: Any = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule: http_pb2.HttpRule = options.Extensions[annotations_pb2.http]
        for each in (rule, *rule.additional_bindings):
            found = _rule_pattern(each)
            if found is None:
                continue
            http_method, template = found
            pattern, variables = compile_template(template)
            routes.append(Route(http_method, template, pattern, variables, each.body, method, backend))
    return routes


class RouteTable:
    def __init__(self, routes: list[Route]) -> None:
        # Literal-heavy templates first, so `/v1/users:login` wins over `/v1/users/{id}`.
        self.routes = sorted(routes, key=lambda r: (-len(_VARIABLE.sub("", r.template)), r.template))

    def find(self, http_method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(http_method, path)
            if params is not None:
                return route, params
        return None

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({r.http_method for r in self.routes if r.pattern.fullmatch(path)})
