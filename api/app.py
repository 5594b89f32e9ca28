"""The web app: JSON API under /api/v1 and server-rendered pages. Every module of api/routes that
defines `router` is included. No Prefect here: flows run in their own processes."""

from __future__ import annotations

import gc
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
GC_GEN0_THRESHOLD = 7000


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # SQLite: the WAL is checkpointed by a background thread while the app runs, never inside a request.
    checkpoints = runtime.start_wal_checkpoints()
    _tune_gc()
    try:
        yield
    finally:
        if checkpoints is not None:
            checkpoints.stop()


def _tune_gc() -> None:
    """The collector's youngest generation collected every 7,000 net allocations rather than CPython's 700.
    Each young collection promotes whatever requests in flight hold at that moment; with 32 requests in
    flight that is thousands of objects each time, and once they add up to a quarter of the heap a full
    collection runs: 130-170 ms here, stopping every request of the process. Measured per worker (2 workers,
    400 plans created then 800 completions over HTTP): full collections 3 -> 1, young ones ~310 -> ~19,
    time in the collector ~590-650 ms -> ~190-230 ms. (gc.freeze() after start-up was tried too: young
    collections then cost ~10 ms each at the default threshold, 40x more, for a reason not found; unused.)"""
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])


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
