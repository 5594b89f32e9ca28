"""Tasks and notifications link to /cases/{type}/{id}, which redirects to the case's own page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from services import demo_cases
from services.runtime import Runtime


def test_case_links_redirect_to_each_procedures_page(
    seeded: Runtime, login: Callable[[str], TestClient]
) -> None:
    demo_cases.seed_cases(seeded)
    c = login("ds_sw")
    inbox = c.get("/inbox")
    assert inbox.status_code == 200 and "/cases/application/" in inbox.text
    href = inbox.text.split('href="/cases/application/', 1)[1].split('"', 1)[0]
    r = c.get(f"/cases/application/{href}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/applications/{href}"
    assert c.get(f"/cases/application/{href}").status_code == 200
    assert c.get("/cases/recruitment_plan/1", follow_redirects=False).headers["location"] == "/plans/1"
    assert c.get("/cases/nonsense/1", follow_redirects=False).status_code == 404
