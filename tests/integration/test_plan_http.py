"""The recruitment plan through HTTP: the JSON API with bearer tokens, and the pages with a login."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from services import identity, org
from services.runtime import get_runtime
from services.uow import UnitOfWork


def token_for(username: str) -> dict[str, str]:
    with UnitOfWork() as uow:
        user = identity.authenticate(uow.session, username, "demo1234")
        tok = identity.issue_token(uow.session, user.user_id, "test")
        uow.commit()
    return {"Authorization": f"Bearer {tok}"}


def communities(code: str) -> tuple[int, list[int]]:
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, code)
        return j.id, [c.id for c in org.subtree(uow.session, j.id) if c.level == "community"]


def test_api_requires_a_token(client: TestClient) -> None:
    r = client.get("/api/v1/tasks")
    assert r.status_code == 401 and r.json()["code"] == "login_required"
    r = client.get("/api/v1/tasks", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_plan_through_the_api(client: TestClient) -> None:
    hr, sw, org_ = token_for("hm_hr"), token_for("hhht_sw"), token_for("hhht_org")
    jid, comms = communities("150103")
    r = client.post(
        "/api/v1/recruitment-plans",
        headers=hr,
        json={
            "jurisdiction_id": jid,
            "title": "2026年回民区招聘",
            "year": 2026,
            "posts": [{"community_id": comms[0], "posts": 2}, {"community_id": comms[1], "posts": 1}],
        },
    )
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["status"] == "draft" and plan["total_posts"] == 3 and plan["quota"]["ok"]
    assert plan["steps"][0]["label"].startswith("盟市党委社会工作部门")
    pid = plan["id"]
    r = client.post(f"/api/v1/recruitment-plans/{pid}/submit", headers=hr)
    assert r.status_code == 200 and r.json()["status"] == "in_review"
    inbox = client.get("/api/v1/tasks", headers=sw).json()
    assert inbox["total"] == 1 and inbox["counts"]["todo"] == 1
    tid = inbox["items"][0]["id"]
    assert set(inbox["items"][0]["actions"]) >= {"claim", "complete"}
    r = client.post(f"/api/v1/tasks/{tid}/complete", headers=sw, json={"decision": "acknowledge"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_decision"
    r = client.post(
        f"/api/v1/tasks/{tid}/complete", headers=sw, json={"decision": "approve", "opinion": "同意"}
    )
    assert r.status_code == 200 and r.json()["status"] == "completed"
    fid = client.get("/api/v1/tasks", headers=org_).json()["items"][0]["id"]
    client.post(f"/api/v1/tasks/{fid}/complete", headers=org_, json={"decision": "acknowledge"})
    r = client.get(f"/api/v1/recruitment-plans/{pid}", headers=hr)
    assert r.json()["status"] == "approved"
    assert "class approved current" in r.json()["diagram"]


def test_malformed_input_gets_a_clear_error_and_nothing_is_written(client: TestClient) -> None:
    hr = token_for("hm_hr")
    jid, _ = communities("150103")
    r = client.post(
        "/api/v1/recruitment-plans",
        headers=hr,
        json={"jurisdiction_id": jid, "title": "x", "year": "二〇二六", "posts": []},
    )
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input" and "year" in body["message"]
    r = client.post(
        "/api/v1/recruitment-plans",
        headers=hr,
        json={
            "jurisdiction_id": jid,
            "title": "2026年招聘",
            "year": 2026,
            "posts": [{"community_id": 999999, "posts": 1}],
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "community_out_of_scope"
    assert client.get("/api/v1/recruitment-plans", headers=hr).json()["total"] == 0


def test_over_quota_refused_through_the_api_with_article(client: TestClient) -> None:
    hr = token_for("hm_hr")
    jid, comms = communities("150103")
    pid = client.post(
        "/api/v1/recruitment-plans",
        headers=hr,
        json={
            "jurisdiction_id": jid,
            "title": "超额方案",
            "year": 2026,
            "posts": [{"community_id": c, "posts": 30} for c in comms[:5]],
        },
    ).json()["id"]
    r = client.post(f"/api/v1/recruitment-plans/{pid}/submit", headers=hr)
    assert r.status_code == 422
    assert r.json()["code"] == "over_quota" and r.json()["article"] == "IM art. 5"
    assert client.get(f"/api/v1/recruitment-plans/{pid}", headers=hr).json()["status"] == "draft"


def test_another_county_gets_404(client: TestClient) -> None:
    hr, other = token_for("hm_hr"), token_for("xc_hr")
    jid, comms = communities("150103")
    assert comms
    pid = client.post(
        "/api/v1/recruitment-plans",
        headers=hr,
        json={
            "jurisdiction_id": jid,
            "title": "回民区方案",
            "year": 2026,
            "posts": [{"community_id": comms[0], "posts": 1}],
        },
    ).json()["id"]
    assert client.get(f"/api/v1/recruitment-plans/{pid}", headers=other).status_code == 404
    assert client.post(f"/api/v1/recruitment-plans/{pid}/submit", headers=other).status_code == 404


def test_pages_as_each_role(client: TestClient, login: Callable[[str], TestClient]) -> None:
    c = login("hm_hr")
    assert "我的待办" in c.get("/inbox").text
    page = c.get("/plans/new")
    assert page.status_code == 200 and "配备标准核算" in page.text and "公园西路社区" in page.text
    jid, comms = communities("150103")
    r = c.post(
        "/plans/new",
        data={
            "jurisdiction_id": str(jid),
            "title": "2026年回民区招聘",
            "year": "2026",
            "conditions": "大专及以上学历",
            f"posts_{comms[0]}": "2",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    plan_url = r.headers["location"].split("?")[0]
    page = c.get(plan_url)
    assert "草稿" in page.text and "提交审核" in page.text and "stateDiagram-v2" in page.text
    live = c.post("/plans/quota", data={"jurisdiction_id": str(jid), f"posts_{comms[0]}": "500"})
    assert 'data-ok="false"' in live.text and "IM art. 5" in live.text
    bad = c.post("/plans/new", data={"jurisdiction_id": str(jid), "title": "", "year": "2026"})
    assert bad.status_code == 422 and "方案名称" in bad.text
    assert c.post(plan_url + "/submit", follow_redirects=False).status_code == 303
    c = login("hhht_sw")
    inbox = c.get("/inbox")
    assert "盟市党委社会工作部门审核招聘方案" in inbox.text
    c = login("hhht_lead")
    dash = c.get("/dashboard")
    assert dash.status_code == 200 and "回民区" in dash.text
    c = login("xc_hr")
    assert c.get(plan_url).status_code == 404


def test_login_refuses_a_wrong_password(client: TestClient) -> None:
    r = client.post("/login", data={"username": "hm_hr", "password": "wrong"})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    assert client.get("/inbox", follow_redirects=False).status_code == 303


def test_a_revoked_token_is_refused_at_once(client: TestClient) -> None:
    """Bearer tokens are looked up once per moment; a revocation written here takes effect at once."""
    with UnitOfWork() as uow:
        user = identity.authenticate(uow.session, "hm_hr", "demo1234")
        tok = identity.issue_token(uow.session, user.user_id, "t")
        uow.commit()
    h = {"Authorization": f"Bearer {tok}"}
    assert client.get("/api/v1/tasks", headers=h).status_code == 200
    assert client.get("/api/v1/tasks", headers=h).status_code == 200  # from the cache
    with UnitOfWork() as uow:
        assert identity.revoke_bearer(uow.session, tok) is True
        uow.commit()
    assert client.get("/api/v1/tasks", headers=h).status_code == 401


def test_a_task_action_waits_off_the_event_loop_while_another_writer_holds_the_lock(
    client: TestClient,
) -> None:
    """On SQLite an action runs on the event loop only when the writer lock is free; held by another
    writer, the action waits for it in the thread pool, the loop meanwhile answering other requests.
    (On PostgreSQL every action runs in the pool, and an open unit of work elsewhere does not stop it.)"""
    sqlite = get_runtime().engine.dialect.name == "sqlite"
    hr, sw = token_for("hm_hr"), token_for("hhht_sw")
    jid, comms = communities("150103")
    body = {
        "jurisdiction_id": jid,
        "title": "等待",
        "year": 2026,
        "posts": [{"community_id": comms[0], "posts": 1}],
    }
    pid = client.post("/api/v1/recruitment-plans", headers=hr, json=body).json()["id"]
    client.post(f"/api/v1/recruitment-plans/{pid}/submit", headers=hr)
    tid = client.get("/api/v1/tasks", headers=sw).json()["items"][0]["id"]
    entered, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with UnitOfWork():
            entered.set()
            leave.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    answers: list[int] = []
    try:
        assert entered.wait(10)
        action = threading.Thread(
            target=lambda: answers.append(
                client.post(
                    f"/api/v1/tasks/{tid}/complete", headers=sw, json={"decision": "approve"}
                ).status_code
            )
        )
        action.start()
        time.sleep(0.3)
        if sqlite:
            assert answers == []  # waiting for the lock...
        start = time.perf_counter()
        assert client.get("/api/v1/tasks?tab=done", headers=sw).status_code == 200  # ...not blocking the loop
        assert time.perf_counter() - start < 5  # (a blocked loop would answer only after the holder's 10 s)
    finally:
        leave.set()
        holder.join(10)
    action.join(10)
    assert answers == [200]
    r = client.get(f"/api/v1/tasks/{tid}", headers=sw)
    assert r.json()["status"] == "completed" and r.json()["decision"] == "approve"
