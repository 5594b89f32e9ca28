"""The web app: JSON API under /api/v1 and server-rendered pages. Every module of api/routes that
defines `router` is included. No Prefect here: flows run in their own processes."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import api.routes
from api import errors
from domain.config import Settings
from services import runtime

STATIC = Path(__file__).resolve().parent / "static"
HOT = ("tasks_api",)  # task actions and the inbox: most requests of a working day


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # SQLite: the WAL is checkpointed by a background thread while the app runs, never inside a request.
    checkpoints = runtime.start_wal_checkpoints()
    try:
        yield
    finally:
        if checkpoints is not None:
            checkpoints.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    if settings is not None:
        runtime.configure(settings)
    app = FastAPI(
        title="Shegong 社区工作者管理",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    errors.install(app)
    # Starlette tries routes in order until one matches (~15 µs each): the hottest router goes first.
    # No route shadows another (tests/unit/test_routes.py), so the order changes nothing else.
    order = sorted(pkgutil.iter_modules(api.routes.__path__), key=lambda m: (m.name not in HOT, m.name))
    for mod in order:
        module = importlib.import_module(f"api.routes.{mod.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)
    return app
