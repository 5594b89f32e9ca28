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
_gc_tuned = False


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
    """Keep the garbage collector's pauses short while serving. Everything built at start-up (modules,
    models, policy profiles, stroke tables, SQLAlchemy and pydantic internals: ~160,000 tracked objects)
    lives as long as the process; each full collection walks all of it, and with requests in flight the
    young collections promote enough objects to start one every second or two. Frozen (`gc.freeze`), the
    start-up heap is left out of every collection; collecting the youngest generation every 7,000 net
    allocations rather than 700 promotes far fewer in-flight objects. Measured per worker (2 workers, 400
    plans created then 800 completions over HTTP; collector callbacks): CPython's defaults gave 2-3 full
    collections of 125-137 ms each and ~0.4-0.5 s in the collector; frozen and at 7,000, no full
    collection, the longest pause 12-40 ms, ~0.15-0.19 s in the collector. Once per process (an app
    started again in the same process, as tests do, would freeze their garbage for good)."""
    global _gc_tuned
    if _gc_tuned:
        return
    _gc_tuned = True
    gc.collect()
    gc.freeze()
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
