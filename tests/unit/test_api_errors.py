"""Database conflicts that roll a request back whole (a PostgreSQL deadlock or serialization failure, a
row changed by someone else since it was read) answer 409 with a Chinese message saying nothing was
written; any other database error stays a server error."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from api import errors


class _Orig(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("driver says no")
        self.sqlstate = sqlstate


def _app(exc: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.post("/api/v1/boom")
    def boom() -> Any:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
def test_deadlock_and_serialization_failure_are_409(sqlstate: str) -> None:
    r = _app(OperationalError("UPDATE task ...", {}, _Orig(sqlstate))).post("/api/v1/boom")
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "concurrent_change"
    assert "未写入任何内容" in body["message"] and "重试" in body["message"]


def test_a_row_changed_meanwhile_is_409() -> None:
    r = _app(StaleDataError("UPDATE statement on table 'task' expected to update 1 row(s); 0 were matched."))
    assert r.post("/api/v1/boom").status_code == 409


def test_other_database_errors_stay_server_errors() -> None:
    r = _app(OperationalError("SELECT 1", {}, _Orig("08006"))).post("/api/v1/boom")
    assert r.status_code == 500
