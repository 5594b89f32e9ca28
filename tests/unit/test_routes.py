"""The app's routes: none shadows another, so the order the routers are included in (hottest first, for
speed) decides nothing — every route is reached by a request for its own path."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from starlette.routing import BaseRoute, Match, Route

from api.app import create_app
from domain.config import Settings


def test_every_route_is_reached_by_its_own_path() -> None:
    data_dir = Path(tempfile.mkdtemp())
    app = create_app(Settings(mode="test", data_dir=data_dir, database_url=f"sqlite:///{data_dir}/t.db"))
    routes = _flat(app.routes)
    assert len(routes) > 50
    checked = 0
    for route in routes:
        path = re.sub(r"\{[^}]+\}", "7", route.path)  # every parameter given a plausible value
        for method in sorted(route.methods or {"GET"}):
            scope = {"type": "http", "path": path, "method": method, "root_path": "", "headers": []}
            first = next(r for r in routes if r.matches(dict(scope))[0] == Match.FULL)
            assert first is route, f"{method} {path}: reaches {first.path} before {route.path}"
            checked += 1
    assert checked >= len(routes)


def _flat(routes: list[BaseRoute]) -> list[Route]:
    """The routes in the order the app tries them (FastAPI keeps each included router as one unit)."""
    out: list[Route] = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out += _flat(inner.routes)
        elif isinstance(r, Route):
            out.append(r)
    return out
