"""Every route of the app, walked from app.routes (so new routes are covered automatically)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.routing import APIRoute

PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    method: str
    path: str
    route: APIRoute = field(compare=False, hash=False)

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def url(self, values: dict[str, object]) -> str:
        missing = [p for p in self.params if p not in values]
        assert not missing, f"{self}: add a sample value for path parameter(s) {missing} in the security tests"
        return PARAM.sub(lambda m: str(values[m.group(1)]), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _documented(path: str) -> str:
    """The path as the OpenAPI names it: `{shipment_id:shipment_ref}` is `{shipment_id}`."""
    return PARAM.sub(lambda m: "{" + m.group(1) + "}", path)


def _walk(routes: list[object]) -> list[tuple[str, set[str], APIRoute]]:
    found: list[tuple[str, set[str], APIRoute]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((_documented(route.path), set(route.methods), route))
        elif hasattr(route, "effective_route_contexts"):  # FastAPI's included routers
            for ctx in route.effective_route_contexts():
                if isinstance(ctx.original_route, APIRoute):
                    found.append((_documented(ctx.path), set(ctx.methods), ctx.original_route))
    return found


def endpoints(app: FastAPI, prefix: str = "/v1") -> list[Endpoint]:
    """Every (method, path) under `prefix`, except the signed webhooks; cross-checked against the OpenAPI."""
    walked = {
        Endpoint(method, path, route)
        for path, methods, route in _walk(list(app.routes))
        for method in methods - {"HEAD", "OPTIONS"}
        if path.startswith(prefix) and not path.startswith("/v1/webhooks/")
    }
    documented = {
        (method.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        for method in ops
        if path.startswith(prefix) and not path.startswith("/v1/webhooks/")
    }
    assert documented <= {(e.method, e.path) for e in walked}, "the route walk missed documented routes"
    return sorted(walked, key=lambda e: (e.path, e.method))
