"""抄送 (carbon copy) from the pages: the form on the plan page and the task page offers the people and
departments in the case's scope, sends with htmx (errors in Chinese into the same spot), and the recipient
finds the copy under 通知 and marks it read."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from fastapi.testclient import TestClient

from domain.actor import Actor
from services import org, tasks
from services.uow import UnitOfWork

HX = {"HX-Request": "true"}
Login = Callable[[str], TestClient]
GetActor = Callable[[str], Actor]


def _submitted_plan(login: Login) -> str:
    """hm_hr drafts and submits a 回民区 plan; returns its page's path."""
    c = login("hm_hr")
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        comm = next(n.id for n in org.subtree(uow.session, j.id) if n.level == "community")
    r = c.post(
        "/plans/new",
        data={
            "jurisdiction_id": str(j.id),
            "title": "2026年回民区招聘",
            "year": "2026",
            f"posts_{comm}": "2",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    plan_url = r.headers["location"].split("?")[0]
    assert c.post(plan_url + "/submit", follow_redirects=False).status_code == 303
    return plan_url


def _option(page: str, name: str, label: str) -> str:
    """The value of the checkbox `name` whose label starts with `label`."""
    m = re.search(rf'name="{name}" value="(\d+)"> {re.escape(label)}', page)
    assert m, f"{label} not offered"
    return m.group(1)


def _notices(actor: Actor) -> list[tuple[str, str, bool]]:
    with UnitOfWork(readonly=True) as uow:
        return [(n.kind, n.message, n.read_at is not None) for n in tasks.notifications_for(uow, actor)]


def test_cc_from_the_plan_page(client: TestClient, login: Login, actor: GetActor) -> None:
    plan_url = _submitted_plan(login)
    plan_id = plan_url.rsplit("/", 1)[1]
    c = login("hm_hr")
    page = c.get(plan_url).text
    assert 'aria-label="抄送"' in page and f'hx-post="/cases/recruitment_plan/{plan_id}/cc"' in page
    ca_user = _option(page, "user_ids", "杨俊峰")  # 回民区民政局 approver
    org_dept = _option(page, "department_ids", "回民区委组织部")
    _option(page, "department_ids", "呼和浩特市委社会工作部")  # the city above
    assert "锡林浩特" not in page  # another county is not offered
    cc_url = f"/cases/recruitment_plan/{plan_id}/cc"

    r = c.post(cc_url, data={"user_ids": ca_user, "department_ids": org_dept, "note": "请知悉"}, headers=HX)
    assert r.status_code == 200, r.text
    assert 'data-sent="2"' in r.text and "杨俊峰" in r.text and "回民区委组织部" in r.text

    empty = c.post(cc_url, data={"note": "x"}, headers=HX)
    assert (
        empty.status_code == 422
        and 'data-code="cc_no_target"' in empty.text
        and "请选择抄送对象" in empty.text
    )
    other = actor("xc_hr")
    far = c.post(cc_url, data={"user_ids": str(other.user_id)}, headers=HX)
    assert far.status_code == 422 and 'data-code="cc_target_out_of_scope"' in far.text
    assert "抄送对象不在本案件的范围内" in far.text
    assert _notices(other) == []
    bad = c.post(cc_url, data={"user_ids": "abc"}, headers=HX)
    assert bad.status_code == 422 and "应为整数" in bad.text

    plain = c.post(cc_url, data={"department_ids": org_dept}, follow_redirects=False)
    assert plain.status_code == 303 and unquote(plain.headers["location"]).startswith(
        f"{plan_url}?flash=已抄送 1"
    )

    # Someone outside the case's jurisdiction may not 抄送 it, and gets no form.
    c = login("xc_hr")
    r = c.post(cc_url, data={"user_ids": ca_user}, headers=HX)
    assert r.status_code == 403 and 'data-code="cc_forbidden"' in r.text

    # The person copied sees it under 通知 and marks it read; the department's approver sees its copy.
    c = login("hm_ca")
    assert [n for n in _notices(actor("hm_ca")) if n[0] == "cc"] == [("cc", "请知悉", False)]
    page = c.get("/notifications").text
    assert "抄送" in page and "请知悉" in page and "2026年回民区招聘" in page
    nid = re.search(r'hx-post="/notifications/(\d+)/read"', page)
    assert nid
    assert "已读" in c.post(f"/notifications/{nid.group(1)}/read", headers=HX).text
    assert _notices(actor("hm_ca")) == [("cc", "请知悉", True)]
    assert len([n for n in _notices(actor("hm_org")) if n[0] == "cc"]) == 2
    history = login("hm_hr").get(plan_url).text
    assert history.count("<td>抄送</td>") == 2


def test_cc_from_the_task_page(client: TestClient, login: Login, actor: GetActor) -> None:
    plan_url = _submitted_plan(login)
    sw = actor("hhht_sw")
    with UnitOfWork(readonly=True) as uow:
        [task] = tasks.inbox(uow, sw).tasks
    c = login("hhht_sw")
    page = c.get(f"/tasks/{task.id}").text
    assert 'aria-label="抄送"' in page and f'name="task_id" value="{task.id}"' in page
    lead = _option(page, "user_ids", "巴特尔")  # 呼和浩特市 leader
    assert f'value="{sw.user_id}"> 乌日娜' not in page  # not to oneself
    r = c.post(
        f"/cases/{task.case_type}/{task.case_id}/cc",
        data={"user_ids": lead, "task_id": str(task.id), "note": "请领导关注"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and unquote(r.headers["location"]).startswith(
        f"/tasks/{task.id}?flash=已抄送 1"
    )
    [notice] = [n for n in _notices(actor("hhht_lead")) if n[0] == "cc"]
    assert notice == ("cc", "请领导关注", False)
    page = login("hhht_lead").get("/notifications").text
    assert f'href="/tasks/{task.id}"' in page and "请领导关注" in page
    # A task of another case cannot carry the copy.
    wrong = c.post(
        f"/cases/{task.case_type}/{task.case_id + 999}/cc",
        data={"user_ids": lead, "task_id": str(task.id)},
        headers=HX,
    )
    assert wrong.status_code == 422 and 'data-code="cc_task_mismatch"' in wrong.text
    assert plan_url
