"""/policy pages, the policy JSON API and `shegong policy-for show`, against a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.policy_for import app as policy_for_cli
from policies.loader import load_catalog
from services import clock, identity, org
from services.runtime import Runtime
from services.uow import UnitOfWork


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def token(runtime: Runtime) -> str:
    """内蒙古 (inner_mongolia) > 鄂尔多斯市 (ordos) > 东胜区 (no key of its own), plus 宁夏 without a key;
    a clerk of 东胜区; the clock frozen at 2026-05-01."""
    with UnitOfWork() as uow:
        s = uow.session
        im = org.create_jurisdiction(
            s, code="150000", name="内蒙古自治区", level="region", policy_key="inner_mongolia"
        )
        ordos = org.create_jurisdiction(
            s, code="150600", name="鄂尔多斯市", level="city", parent_id=im.id, policy_key="ordos"
        )
        dongsheng = org.create_jurisdiction(
            s, code="150602", name="东胜区", level="county", parent_id=ordos.id
        )
        org.create_jurisdiction(s, code="640000", name="宁夏回族自治区", level="region")
        dept = org.ensure_departments(s, dongsheng.id)[0]
        user = identity.create_user(s, username="clerk", display_name="东胜经办", password="policy-pass-1")
        org.grant_role(s, user.id, dept.id, "hr_officer")
        tok = identity.issue_token(s, user.id, "test")
        clock.set_time(s, runtime.settings, datetime(2026, 5, 1, 9, 0), freeze=True)
        uow.commit()
    return tok


def _h(token: str, htmx: bool = False) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} | ({"HX-Request": "true"} if htmx else {})


def test_index_lists_profiles_and_tree(client: TestClient, token: str) -> None:
    r = client.get("/policy", follow_redirects=False)
    assert r.status_code == 303  # login first
    r = client.get("/policy", headers=_h(token))
    assert r.status_code == 200
    catalog = load_catalog()
    for key in ("national", "inner_mongolia", "ordos"):
        assert f"<code>{key}</code>" in r.text
        assert catalog.meta(key).document_title in r.text
    assert "政策配置" in r.text and "按区划查看生效参数（2026-05-01）" in r.text
    assert 'href="/policy/150602"' in r.text and "东胜区" in r.text and "继承上级" in r.text
    r = client.get("/policy?code=150602", headers=_h(token), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/policy/150602"


def test_jurisdiction_page_shows_sources(client: TestClient, token: str) -> None:
    r = client.get("/policy/150602", headers=_h(token))
    assert r.status_code == 200, r.text
    html = r.text
    assert "东胜区：生效的政策参数" in html and "2026-05-01" in html
    assert "<code>national</code>" in html and "<code>ordos</code>" in html
    assert "试用期" in html and "人员配备" in html  # section headings
    assert "<code>probation.months</code>" in html and "OR art. 10" in html
    assert "地方规定" in html and "国家规定" in html  # basis labels

    # the filter (htmx): only matching rows, as a fragment
    r = client.get("/policy/150602?q=probation.months", headers=_h(token, True))
    assert r.status_code == 200
    assert "<html" not in r.text and "<code>probation.months</code>" in r.text
    assert "staffing." not in r.text and "“probation.months”：1 /" in r.text
    r = client.get("/policy/150602?q=没有这样的参数", headers=_h(token, True))
    assert "没有符合筛选条件的参数" in r.text

    r = client.get("/policy/640000", headers=_h(token))
    assert r.status_code == 200 and "全国默认" in r.text and "ordos" not in r.text


def test_json_api(client: TestClient, token: str) -> None:
    r = client.get("/api/v1/policy/profiles", headers=_h(token))
    assert r.status_code == 200
    profiles = {p["key"]: p for p in r.json()}
    assert profiles["ordos"]["chain"] == ["national", "inner_mongolia", "ordos"]
    assert profiles["ordos"]["effective_from"] == "2020-05-28"

    r = client.get("/api/v1/policy/jurisdictions/150602", headers=_h(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["on"] == "2026-05-01" and body["policy_keys"] == ["inner_mongolia", "ordos"]
    assert body["chain"] == ["national", "inner_mongolia", "ordos"]
    rows = {row["path"]: row for row in body["rows"]}
    assert body["total"] == len(rows)
    months = rows["probation.months"]
    assert (months["value"], months["article"], months["source_key"]) == (3, "OR art. 10", "ordos")
    assert months["basis_label"] == "地方规定" and months["source_name"] == "鄂尔多斯市"
    assert all(row["article"] for row in body["rows"])

    r = client.get("/api/v1/policy/jurisdictions/150602?q=OR%20art.%2010", headers=_h(token))
    assert {row["article"] for row in r.json()["rows"]} == {"OR art. 10"}

    r = client.get("/api/v1/policy/jurisdictions/999999", headers=_h(token))
    assert r.status_code == 404 and r.json()["code"] == "jurisdiction_not_found"
    assert "区划代码“999999”不存在" in r.json()["message"]
    r = client.get("/api/v1/policy/jurisdictions/150602?on=2026-02-30", headers=_h(token))
    assert r.status_code == 422 and "格式不正确" in r.json()["message"]
    r = client.get("/policy/999999", headers=_h(token))
    assert r.status_code == 404 and "区划代码“999999”不存在" in r.text


def test_cli_show(token: str) -> None:
    runner = CliRunner()
    result = runner.invoke(policy_for_cli, ["show", "150602"])
    assert result.exit_code == 0, result.output
    assert "东胜区（150602" in result.output and "2026-05-01 生效" in result.output
    assert "全国默认(national) → " in result.output and "鄂尔多斯市(ordos)" in result.output
    assert (
        "probation.months = 3" in result.output and "OR art. 10｜地方规定｜鄂尔多斯市(ordos)" in result.output
    )

    result = runner.invoke(policy_for_cli, ["show", "150602", "-q", "probation.months", "--json"])
    assert result.exit_code == 0, result.output
    assert '"path": "probation.months"' in result.output and "staffing." not in result.output

    result = runner.invoke(policy_for_cli, ["show", "nope"])
    assert result.exit_code == 1 and "jurisdiction_not_found" in result.output
