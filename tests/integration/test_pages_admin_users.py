"""/admin/users: an admin lists users, creates one, grants and revokes a role, issues and revokes an API
token — each change audited and shown on the user's page; everyone else gets 403 and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from fastapi.testclient import TestClient

from services import audit, identity
from services.uow import UnitOfWork

Login = Callable[[str], TestClient]


def _user_id(username: str) -> int:
    with UnitOfWork(readonly=True) as uow:
        return identity.user_by_username(uow.session, username).id


def test_only_admins(client: TestClient, login: Login) -> None:
    r = client.get("/admin/users", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    c = login("hm_hr")
    assert "用户管理" not in c.get("/inbox").text
    for method, url, data in [
        ("get", "/admin/users", None),
        ("get", f"/admin/users/{_user_id('hm_hr')}", None),
        ("post", "/admin/users", {"username": "sneaky", "display_name": "x", "password": "pass-1234"}),
        ("post", f"/admin/users/{_user_id('hm_hr')}/grant", {"department_id": "1", "role": "admin"}),
        ("post", f"/admin/users/{_user_id('hm_hr')}/tokens", {"label": "x"}),
    ]:
        r = c.request(method, url, data=data)
        assert r.status_code == 403, (url, r.status_code)
        assert "需要系统管理员权限" in r.text
    with UnitOfWork(readonly=True) as uow:
        assert identity.list_tokens(uow.session, _user_id("hm_hr")) == []
        assert audit.history(uow.session, "user", _user_id("hm_hr")) == []


def test_admin_manages_a_user(client: TestClient, login: Login) -> None:
    c = login("admin")
    page = c.get("/admin/users")
    assert page.status_code == 200 and "用户管理" in page.text
    assert "hm_hr" in page.text and "回民区委社会工作部 · 经办人" in page.text
    found = c.get("/admin/users", params={"q": "马丽"}).text
    assert "hm_hr" in found and "hhht_sw" not in found

    short = c.post("/admin/users", data={"username": "qian", "display_name": "钱多多", "password": "short"})
    assert short.status_code == 422 and "密码至少需要 8 个字符" in short.text
    assert 'value="钱多多"' in short.text  # the form keeps what was typed
    dup = c.post("/admin/users", data={"username": "hm_hr", "display_name": "重名", "password": "pass-1234"})
    assert dup.status_code == 409 and 'data-code="username_taken"' in dup.text

    r = c.post(
        "/admin/users",
        data={"username": "qian", "display_name": "钱多多", "password": "pass-1234"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    user_url = unquote(r.headers["location"]).split("?")[0]
    uid = int(user_url.rsplit("/", 1)[1])
    page = c.get(user_url).text
    assert "钱多多（qian）" in page and "尚无角色" in page
    m = re.search(r'<option value="(\d+)">回民区民政局</option>', page)
    assert m, "the department picker offers 回民区民政局"
    dept = m.group(1)

    bad = c.post(f"{user_url}/grant", data={"department_id": dept, "role": "boss"})
    assert bad.status_code == 422 and 'data-code="role_unknown"' in bad.text
    r = c.post(f"{user_url}/grant", data={"department_id": dept, "role": "approver"}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(user_url).text
    assert "回民区民政局</td><td>审核人" in page

    issued = c.post(f"{user_url}/tokens", data={"label": "报表脚本"})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    token = re.search(r"<code[^>]*>(sg_[^<]+)</code>", issued.text)
    assert token, "the new token is shown once"
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    assert token.group(1) not in c.get(user_url).text  # not shown again
    [tok] = re.findall(r'action="/admin/users/\d+/tokens/(\d+)/revoke"', c.get(user_url).text)
    other = _user_id("hm_hr")
    wrong = c.post(f"/admin/users/{other}/tokens/{tok}/revoke")
    assert wrong.status_code == 404 and 'data-code="token_not_found"' in wrong.text
    r = c.post(f"{user_url}/tokens/{tok}/revoke", follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 401

    r = c.post(f"{user_url}/revoke", data={"department_id": dept, "role": "approver"}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(user_url).text
    assert "尚无角色" in page
    for label in ("创建用户", "授予角色", "签发令牌", "吊销令牌", "撤销角色"):
        assert f"<td>{label}</td>" in page
    with UnitOfWork(readonly=True) as uow:
        rows = audit.history(uow.session, "user", uid)
        assert audit.verify(uow.session).ok
    assert [r.action for r in rows] == [
        "create_user",
        "grant_role",
        "issue_token",
        "revoke_token",
        "revoke_role",
    ]
    assert {r.actor_name for r in rows} == {"林晓峰"}
    assert c.get("/admin/users/999999").status_code == 404


def test_admin_cannot_revoke_their_own_last_admin_role_from_the_page(login: Login) -> None:
    c = login("admin")
    uid = _user_id("admin")
    page = c.get(f"/admin/users/{uid}").text
    depts = re.findall(
        r'name="department_id" value="(\d+)"><input type="hidden" name="role" value="admin"', page
    )
    assert len(depts) == 4  # four regions
    for dept in depts[:3]:
        assert (
            c.post(f"/admin/users/{uid}/revoke", data={"department_id": dept, "role": "admin"}).status_code
            == 200
        )
    last = c.post(f"/admin/users/{uid}/revoke", data={"department_id": depts[3], "role": "admin"})
    assert last.status_code == 422 and 'data-code="admin_self_revoke"' in last.text
