"""Fixtures for integration tests: the demo organisation, actors by username, and the web app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from domain.actor import Actor
from services import clock, demo, identity
from services.runtime import Runtime
from services.uow import UnitOfWork


@pytest.fixture
def seeded(runtime: Runtime) -> Runtime:
    """The demo organisation (five regions, users for every role), on an empty database."""
    with UnitOfWork() as uow:
        demo.seed(uow)
        uow.commit()
    return runtime


@pytest.fixture
def actor(seeded: Runtime) -> Callable[[str], Actor]:
    def get(username: str) -> Actor:
        with UnitOfWork(readonly=True) as uow:
            return identity.authenticate(uow.session, username, "demo1234")

    return get


@pytest.fixture
def set_clock(runtime: Runtime) -> Callable[[datetime], None]:
    """Freeze the simulated clock at a moment (test mode only)."""

    def set_(at: datetime) -> None:
        with UnitOfWork() as uow:
            clock.set_time(uow.session, runtime.settings, at, freeze=True)
            uow.commit()

    return set_


@pytest.fixture
def client(seeded: Runtime) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def login(client: TestClient) -> Callable[[str], TestClient]:
    def do(username: str) -> TestClient:
        client.cookies.clear()
        r = client.post("/login", data={"username": username, "password": "demo1234"}, follow_redirects=False)
        assert r.status_code == 303, r.text
        return client

    return do
