"""The /calendar page and the calendar JSON API, over HTTP against a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from services import audit, identity, org
from services import calendar as cal
from services.runtime import Runtime
from services.uow import UnitOfWork

PASSWORD = "calendar-pass-1"


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def tokens(runtime: Runtime) -> dict[str, str]:
    """An admin and a clerk (经办人) of 宁夏, each with a bearer token."""
    with UnitOfWork() as uow:
        region = org.create_jurisdiction(
            uow.session, code="640000", name="宁夏回族自治区", level="region", policy_key="ningxia"
        )
        dept = org.ensure_departments(uow.session, region.id)[0]
        out = {}
        for username, role in (("admin", "admin"), ("clerk", "hr_officer")):
            user = identity.create_user(
                uow.session, username=username, display_name=f"{username}用户", password=PASSWORD
            )
            org.grant_role(uow.session, user.id, dept.id, role)
            out[username] = identity.issue_token(uow.session, user.id, "test")
        uow.commit()
    return out


def _h(token: str, htmx: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if htmx:
        headers["HX-Request"] = "true"
    return headers


def _table_rows() -> list[cal.CalendarDayView]:
    with UnitOfWork(readonly=True) as uow:
        return [v for v in cal.list_days(uow.session, 2027, "ningxia") if v.source == "table"]


def _audit_rows(year: int) -> list[audit.AuditEntry]:
    with UnitOfWork(readonly=True) as uow:
        return audit.history(uow.session, "calendar", year)


def test_page_needs_login_and_renders_grid(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/calendar", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")

    r = client.post("/login", data={"username": "clerk", "password": PASSWORD, "next": "/calendar?year=2026"})
    assert r.status_code == 200, r.text
    html = r.text
    assert "工作日历" in html and "2026年" in html and "期限计算器" in html
    assert "国庆节" in html and "年度覆盖情况" in html
    assert 'data-day="2026-10-01"' in html and 'class="holiday"' in html
    assert 'class="workday" title="2026-10-10 周六 调休上班' in html
    assert "维护日历" not in html  # no edit forms for a clerk

    r = client.get("/calendar?year=2027", headers=_h(tokens["admin"]))
    assert r.status_code == 200
    assert "尚未发布" in r.text and "未发布" in r.text
    assert "维护日历" in r.text and "导入 CSV" in r.text


def test_bad_year_is_422(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/calendar?year=20x6", headers=_h(tokens["clerk"]))
    assert r.status_code == 422
    assert "年份“20x6”不正确" in r.text
    r = client.get("/api/v1/calendar/1999", headers=_h(tokens["clerk"]))
    assert r.status_code == 422 and r.json()["code"] == "calendar_bad_year"


def test_deadline_calculator(client: TestClient, tokens: dict[str, str]) -> None:
    h = _h(tokens["clerk"])
    r = client.get("/api/v1/calendar/deadline?start=2026-09-30&n=5&unit=working", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["deadline"] == "2026-10-13" and body["weekday"] == "周二"
    assert body["due_at"] == "2026-10-14T00:00:00"
    assert [d["day"] for d in body["counted"]] == [
        "2026-10-08",
        "2026-10-09",
        "2026-10-10",
        "2026-10-12",
        "2026-10-13",
    ]
    r = client.get("/api/v1/calendar/deadline?start=2026-09-30&n=5&unit=calendar", headers=h)
    assert r.json()["deadline"] == "2026-10-05"

    r = client.get(
        "/calendar/deadline?start=2026-09-30&n=5&unit=working&region=", headers=_h(tokens["clerk"], True)
    )
    assert r.status_code == 200
    assert "截止 2026-10-13（周二）" in r.text and "<html" not in r.text
    r = client.get("/calendar/deadline?start=2026-09-30&n=5&unit=working", headers=h)
    assert r.status_code == 200 and "<html" in r.text and "截止 2026-10-13" in r.text

    r = client.get("/api/v1/calendar/deadline?start=2026-09-30&n=5&unit=fortnight", headers=h)
    assert r.status_code == 422 and r.json()["code"] == "calendar_bad_unit"
    assert "期限单位“fortnight”无效" in r.json()["message"]
    r = client.get("/calendar/deadline?start=2026-9-31&n=5", headers=_h(tokens["clerk"], True))
    assert r.status_code == 422 and "格式不正确" in r.text
    r = client.get("/calendar/deadline?start=2026-09-30&n=five", headers=_h(tokens["clerk"], True))
    assert r.status_code == 422 and "应为整数" in r.text
    r = client.get("/api/v1/calendar/deadline?start=2026-12-30&n=5", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "calendar_not_covered"


def test_api_edit_publish_and_audit(client: TestClient, tokens: dict[str, str]) -> None:
    admin = _h(tokens["admin"])
    r = client.post(
        "/api/v1/calendar/days",
        json={"day": "2027-01-01", "kind": "holiday", "name": "元旦"},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["day"]["day"] == "2027-01-01"
    r = client.post(
        "/api/v1/calendar/days",
        json={"day": "2027-03-10", "kind": "holiday", "name": "开斋节", "region": "ningxia"},
        headers=admin,
    )
    assert r.status_code == 201, r.text

    r = client.get("/api/v1/calendar/2027?region=ningxia", headers=_h(tokens["clerk"]))
    assert r.status_code == 200
    body = r.json()
    assert body["covered"] is False
    assert [(d["day"], d["region_key"]) for d in body["days"]] == [
        ("2027-01-01", None),
        ("2027-03-10", "ningxia"),
    ]

    r = client.post(
        "/api/v1/calendar/years/2027/publish", json={"source": "国办发明电〔2026〕1号"}, headers=admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["published"] is True and r.json()["covered"] is True
    r = client.get("/api/v1/calendar/deadline?start=2027-03-09&n=1&region=ningxia", headers=admin)
    assert r.json()["deadline"] == "2027-03-11"

    r = client.delete("/api/v1/calendar/days/2027-03-10?region=ningxia", headers=admin)
    assert r.status_code == 200, r.text
    r = client.delete("/api/v1/calendar/days/2027-03-10?region=ningxia", headers=admin)
    assert r.status_code == 404 and r.json()["code"] == "calendar_day_not_found"

    actions = [(e.action, e.actor_name) for e in _audit_rows(2027)]
    assert actions == [
        ("calendar.add_day", "admin用户"),
        ("calendar.add_day", "admin用户"),
        ("calendar.publish_year", "admin用户"),
        ("calendar.remove_day", "admin用户"),
    ]


def test_non_admin_cannot_edit(client: TestClient, tokens: dict[str, str]) -> None:
    clerk = _h(tokens["clerk"])
    r = client.post(
        "/api/v1/calendar/days", json={"day": "2027-01-01", "kind": "holiday", "name": "元旦"}, headers=clerk
    )
    assert r.status_code == 403 and r.json()["code"] == "admin_required"
    r = client.post("/api/v1/calendar/years/2027/publish", json={"source": "x"}, headers=clerk)
    assert r.status_code == 403
    r = client.post(
        "/api/v1/calendar/import", content="date,kind,name\n2027-01-01,holiday,元旦\n", headers=clerk
    )
    assert r.status_code == 403
    r = client.delete("/api/v1/calendar/days/2027-01-01", headers=clerk)
    assert r.status_code == 403
    r = client.post(
        "/calendar/days",
        data={"day": "2027-01-01", "kind": "holiday", "name": "元旦"},
        headers=_h(tokens["clerk"], True),
    )
    assert r.status_code == 403 and "需要系统管理员权限" in r.text
    assert _table_rows() == [] and _audit_rows(2027) == []


def test_bad_input_writes_nothing(client: TestClient, tokens: dict[str, str]) -> None:
    admin = _h(tokens["admin"])
    cases = [
        ({"day": "2027-02-30", "kind": "holiday", "name": "x"}, "calendar_bad_date", "格式不正确"),
        ({"day": "2027-01-01", "kind": "vacation", "name": "x"}, "calendar_bad_kind", "类型“vacation”无效"),
        (
            {"day": "2027-01-06", "kind": "workday", "name": "调休"},
            "calendar_workday_not_weekend",
            "本就是工作日",
        ),
        (
            {"day": "2027-01-01", "kind": "holiday", "name": "元旦", "region": "Ning Xia"},
            "calendar_bad_region",
            "地区标识",
        ),
    ]
    for body, code, text in cases:
        r = client.post("/api/v1/calendar/days", json=body, headers=admin)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["code"] == code and text in r.json()["message"]
    r = client.post(
        "/api/v1/calendar/years/2027/publish", json={"source": "国办发明电〔2026〕1号"}, headers=admin
    )
    assert r.status_code == 422 and r.json()["code"] == "calendar_year_empty"
    r = client.post("/api/v1/calendar/years/2026/publish", json={"source": "x"}, headers=admin)
    assert r.status_code == 422 and r.json()["code"] == "calendar_year_builtin"

    # the page answers the htmx form with the error fragment, 422
    r = client.post(
        "/calendar/days",
        data={"day": "2027-01-06", "kind": "workday", "name": "调休", "view_year": "2027"},
        headers=_h(tokens["admin"], True),
    )
    assert r.status_code == 422
    assert "调休上班日只能是周六或周日" in r.text and 'data-code="calendar_workday_not_weekend"' in r.text
    assert _table_rows() == [] and _audit_rows(2027) == []


def test_import_all_or_nothing(client: TestClient, tokens: dict[str, str]) -> None:
    admin = _h(tokens["admin"])
    bad = (
        "date,kind,name,region\n"
        "2027-01-01,holiday,元旦,\n"
        "2027-13-01,holiday,坏日期,\n"
        "2027-01-06,workday,周三调休,\n"
        "2027-03-10,holiday,开斋节,ningxia\n"
    )
    r = client.post(
        "/api/v1/calendar/import", content=bad.encode(), headers=admin | {"content-type": "text/csv"}
    )
    assert r.status_code == 422, r.text
    errors = r.json()["details"]["errors"]
    assert [(e["line"], e["code"]) for e in errors] == [
        (3, "calendar_bad_date"),
        (4, "calendar_workday_not_weekend"),
    ]
    # the page lists every bad row
    r = client.post(
        "/calendar/import", data={"csv": bad, "view_year": "2027"}, headers=_h(tokens["admin"], True)
    )
    assert r.status_code == 422
    assert "第 3 行" in r.text and "第 4 行" in r.text and "未写入任何数据" in r.text
    assert _table_rows() == [] and _audit_rows(2027) == []

    good = "date,kind,name,region\n2027-01-01,holiday,元旦,\n2027-03-10,holiday,开斋节,ningxia\n"
    r = client.post(
        "/calendar/import",
        files={"file": ("2027.csv", ("\ufeff" + good).encode(), "text/csv")},
        data={"view_year": "2027", "view_region": "ningxia"},
        headers=_h(tokens["admin"], True),
    )
    assert r.status_code == 200, r.text
    assert "已导入 2 行" in r.text and 'hx-swap-oob="true"' in r.text and "开斋节" in r.text
    assert len(_table_rows()) == 2
    assert [e.action for e in _audit_rows(2027)] == ["calendar.import"]

    r = client.post("/api/v1/calendar/import", json={"csv": good}, headers=admin)
    assert r.status_code == 409 or r.status_code == 422, r.text
    assert len(_table_rows()) == 2


def test_page_forms_add_publish_remove(client: TestClient, tokens: dict[str, str]) -> None:
    hx = _h(tokens["admin"], True)
    r = client.post(
        "/calendar/days",
        data={"day": "2027-10-01", "kind": "holiday", "name": "国庆节", "view_year": "2027"},
        headers=hx,
    )
    assert r.status_code == 200, r.text
    assert "已登记 2027-10-01 放假：国庆节（全国）" in r.text
    assert 'data-day="2027-10-01"' in r.text

    r = client.post("/calendar/years/publish", data={"year": "2027", "source": ""}, headers=hx)
    assert r.status_code == 422 and "请填写放假安排的来源" in r.text
    r = client.post(
        "/calendar/years/publish", data={"year": "2027", "source": "国办发明电〔2026〕1号"}, headers=hx
    )
    assert r.status_code == 200 and "2027年放假安排已发布" in r.text

    # without htmx the form posts redirect back to the page
    r = client.post(
        "/calendar/days/remove",
        data={"day": "2027-10-01", "view_year": "2027"},
        headers=_h(tokens["admin"]),
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/calendar?year=2027")
    assert _table_rows() == []
    assert [e.action for e in _audit_rows(2027)] == [
        "calendar.add_day",
        "calendar.publish_year",
        "calendar.remove_day",
    ]
