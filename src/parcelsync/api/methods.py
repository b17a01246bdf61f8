"""The methods a path has, for the `Allow` header of a 405.

Starlette's router names only the methods of the first route whose path matched, so a path served
by two routes (`GET` and `POST /v1/merchants`) would list one of them; this collects every route's.
"""

from __future__ import annotations

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Scope


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method some route of `app` serves at this request's path, sorted."""
    methods: set[str] = set()
    for route in getattr(getattr(app, "router", None), "routes", ()):
        if isinstance(route, Route) and route.methods and route.matches(scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)
