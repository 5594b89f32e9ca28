"""Issue 3 through the JSON API only: one whole recruitment round in 回民区 driven by HTTP requests with
bearer tokens (the simulated clock and its timer sweep through /api/v1/clock), on both databases, with
applicants on the boundaries: 40 and 41 at the registration deadline, a wrong ID checksum refused at
registration, a tie at the interview cut-off (and in the reserve), a physical exam failed then passed on the
re-test, a withdrawal after the physical exam refilled from the ranking, an applicant's own withdrawal, a
real-name objection during a notice period over National Day, contracts signed and the workers created.

The only calls that are not HTTP: the ids of 回民区 and its community (read once), and running the queued
batch steps, which is the Prefect dispatch flow's work (`shegong round-batch drain`), not a request's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from forms.excel_io import XLSX_MIME
from services import org
from services.recruitment_round import batch
from services.uow import UnitOfWork
from tests.integration.round_support import make_id
from tests.integration.test_plan_http import token_for

H = dict[str, str]
T0 = datetime(2026, 6, 1, 9, 0)  # registration opens (Monday)
CLOSES = T0 + timedelta(days=10)  # the deadline day is 11 June 2026
NOTICE_DAY = datetime(2026, 9, 29, 10, 0)  # 5 working days over National Day: the notice ends 12 October
STREET_USERS = ("xhxl_hr", "gml_hr", "gtl_hr")
WRITTEN = {"李一": 92, "周二": 90, "吴三": 88, "赵四十": 85, "孙五": 83, "郑四": 80, "王五": 80, "冯六": 70}
INTERVIEW = {"李一": 88, "周二": 86, "吴三": 84, "赵四十": 85, "孙五": 81, "郑四": 75, "王五": 75}
BIRTHS = {"赵四十": date(1985, 6, 12), "钱四一": date(1985, 6, 11)}  # 40 and 41 on 11 June 2026


class Api:
    """The client, the tokens, and the round's id; every step asserts its status code."""

    def __init__(self, client: TestClient) -> None:
        self.c = client
        self.tokens: dict[str, H] = {}
        self.rid = 0

    def h(self, user: str | None) -> H:
        if user is None:
            return {}
        if user not in self.tokens:
            self.tokens[user] = token_for(user)
        return self.tokens[user]

    def call(self, method: str, path: str, user: str | None, expect: int = 200, **kw: Any) -> Any:
        r = self.c.request(method, f"/api/v1{path}", headers=self.h(user), **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text)
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r.content

    def post(self, path: str, user: str | None, expect: int = 200, **kw: Any) -> Any:
        return self.call("POST", path, user, expect, **kw)

    def get(self, path: str, user: str | None, expect: int = 200, **kw: Any) -> Any:
        return self.call("GET", path, user, expect, **kw)

    def at(self, when: datetime) -> None:
        self.post("/clock", "admin", json={"action": "set", "at": when.isoformat(), "freeze": True})

    def sweep(self) -> int:
        out = self.post("/clock/sweep", "admin")
        assert out["failed"] == 0, out
        return int(out["fired"])

    def batch(self, kind: str) -> dict[str, Any]:
        row = self.post(f"/rounds/{self.rid}/batches", "hm_hr", 202, json={"kind": kind})
        for batch_id, _ in batch.queued():  # what the Prefect dispatch flow does
            assert batch.run(batch_id).status == "done"
        done = self.get(f"/rounds/{self.rid}/batches/{row['id']}", "hm_hr")
        assert done["status"] == "done", done
        return dict(done["summary"])

    def advance(self, expected: str) -> None:
        out = self.post(f"/rounds/{self.rid}/advance", "hm_hr", json={"expected": expected})
        assert out["status"] == expected

    def people(self) -> dict[str, dict[str, Any]]:
        body = self.get(f"/rounds/{self.rid}/applications?limit=500", "hm_hr")
        return {a["name"]: a for a in body["items"]}

    def status(self) -> dict[str, str]:
        return {n: a["status"] for n, a in self.people().items()}

    def round_status(self) -> str:
        return str(self.get(f"/rounds/{self.rid}", "hm_hr")["status"])


def _ids() -> tuple[int, int]:
    with UnitOfWork(readonly=True) as uow:
        j = org.jurisdiction_by_code(uow.session, "150103")
        return j.id, next(c.id for c in org.subtree(uow.session, j.id) if c.level == "community")


def _form(name: str, seq: int, birth: date = date(1992, 5, 20)) -> dict[str, Any]:
    return {
        "name": name,
        "id_number": make_id(birth, seq=seq),
        "phone": f"139{seq:08d}",
        "education": "bachelor",
        "major": "社会工作",
        "school": "内蒙古大学",
        "household_place": "呼和浩特市回民区",
        "household_code": "150103",
        "post_code": "01",
        "pledge": True,
    }


def publish(api: Api) -> None:
    """The plan drafted, approved along its chain (tasks API), the round created, set up and published."""
    jid, community = _ids()
    plan = api.post(
        "/recruitment-plans",
        "hm_hr",
        201,
        json={
            "jurisdiction_id": jid,
            "title": "2026年社区专职工作人员招聘",
            "year": 2026,
            "posts": [{"community_id": community, "posts": 2}],
        },
    )
    api.post(f"/recruitment-plans/{plan['id']}/submit", "hm_hr")
    for _ in range(5):
        if api.get(f"/recruitment-plans/{plan['id']}", "hm_hr")["status"] == "approved":
            break
        for user in ("hhht_sw", "hhht_org", "ordos_sw", "ordos_org", "nmg_sw"):
            for t in api.get("/tasks", user)["items"]:
                if (t["case_type"], t["case_id"]) == ("recruitment_plan", plan["id"]):
                    decision = "acknowledge" if t["kind"] == "filing" else "approve"
                    api.post(
                        f"/tasks/{t['id']}/complete", user, json={"decision": decision, "opinion": "同意"}
                    )
    assert api.get(f"/recruitment-plans/{plan['id']}", "hm_hr")["status"] == "approved"
    rnd = api.post("/rounds", "hm_hr", 201, json={"plan_id": plan["id"]})
    api.rid = rnd["id"]
    setup = {
        "title": rnd["title"],
        "announcement": "现公开招聘社区工作者。",
        "registration_opens_at": T0.isoformat(),
        "registration_closes_at": CLOSES.isoformat(),
    }
    api.call("PUT", f"/rounds/{api.rid}/setup", "hm_hr", json=setup)
    assert api.post(f"/rounds/{api.rid}/publish", "hm_hr")["status"] == "registration"


def register_and_screen(api: Api) -> dict[str, dict[str, Any]]:
    forms = {n: _form(n, i, BIRTHS.get(n, date(1992, 5, 20))) for i, n in enumerate([*WRITTEN, "钱四一"], 1)}
    for f in forms.values():
        api.post(f"/rounds/{api.rid}/applications", None, 201, json=f)
    # a wrong checksum is refused at once, naming the expected digit; nothing is written
    bad = make_id(date(1990, 1, 1), seq=77)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    err = api.post(
        f"/rounds/{api.rid}/applications", None, 422, json=_form("陈错号", 77) | {"id_number": bad}
    )
    assert err["code"] == "application_invalid" and "第18位应为" in err["message"]
    assert any(f["field"] == "id_number" for f in err["details"]["fields"])
    # the deadline passes: the stored timer closes registration on the sweep
    api.at(CLOSES + timedelta(minutes=5))
    assert api.sweep() >= 1
    assert api.round_status() == "qualification_review"
    assert api.batch("screening") == {"screened": 9, "qualified": 8, "rejected": 1, "pending_review": 0}
    who = api.people()
    assert "陈错号" not in who
    assert who["赵四十"]["status"] == "qualified" and who["钱四一"]["status"] == "rejected"
    reasons = api.get(f"/applications/{who['钱四一']['id']}", "hm_hr")["reasons"]
    assert [r["article"] for r in reasons] == ["IM art. 9"]
    api.batch("opening")  # 8 qualified for 2 places: above the 3:1 opening ratio, nothing cut
    return forms


def upload(api: Api, kind: str, scores: dict[str, Any], expect: int = 200) -> Any:
    """The template downloaded, filled as the officer would in Excel, uploaded (multipart)."""
    data = api.get(f"/rounds/{api.rid}/scores/{kind}/template.xlsx", "hm_hr")
    wb = load_workbook(BytesIO(data))
    ws = wb["成绩"]
    for row in range(2, ws.max_row + 1):
        name = ws.cell(row, 2).value
        ws.cell(row, 4, scores.get(str(name), "缺考"))
    out = BytesIO()
    wb.save(out)
    files = {"file": (f"{kind}.xlsx", out.getvalue(), XLSX_MIME)}
    return api.post(f"/rounds/{api.rid}/scores/{kind}", "hm_hr", expect, files=files)


def exams(api: Api) -> None:
    api.at(datetime(2026, 6, 20, 9, 0))
    api.advance("written_exam")
    who = api.people()
    assert all(who[n]["admit_ticket"] for n in WRITTEN) and who["钱四一"]["admit_ticket"] is None
    api.at(datetime(2026, 7, 4, 9, 0))
    bad = upload(api, "written", WRITTEN | {"冯六": 120}, 422)  # whole sheet or nothing
    assert bad["code"] == "score_import_invalid" and bad["details"]["rows"]
    assert api.people()["李一"]["written_score"] is None
    assert (
        api.post(
            f"/rounds/{api.rid}/scores/essay", "hm_hr", 422, files={"file": ("x.xlsx", b"x", XLSX_MIME)}
        )["code"]
        == "score_kind_unknown"
    )
    assert upload(api, "written", WRITTEN)["imported"] == 8
    summary = api.batch("shortlist")
    assert (summary["shortlisted"], summary["eliminated"], summary["tied_in"]) == (7, 1, 1)
    st = api.status()
    assert st["郑四"] == st["王五"] == "shortlisted" and st["冯六"] == "eliminated"  # tied at the 6th place
    api.advance("interview")

    api.at(datetime(2026, 7, 25, 9, 0))
    assert upload(api, "interview", INTERVIEW)["imported"] == 7
    summary = api.batch("ranking")
    assert (summary["selected"], summary["reserve"]) == (2, 5)
    who = api.people()
    (tie,) = api.get(f"/rounds/{api.rid}/ties", "hm_hr")
    assert (tie["stage"], set(tie["application_ids"])) == ("reserve", {who["郑四"]["id"], who["王五"]["id"]})
    api.post(
        f"/rounds/{api.rid}/ties/{tie['post_id']}",
        "hm_hr",
        422,
        json={"order": [who["王五"]["id"]], "opinion": "抽签"},
    )
    left = api.post(
        f"/rounds/{api.rid}/ties/{tie['post_id']}",
        "hm_hr",
        json={
            "order": [who["王五"]["id"], who["郑四"]["id"]],
            "opinion": "经招聘工作领导小组研究，按抽签结果确定",
        },
    )
    assert left == []
    who = api.people()
    assert (who["王五"]["rank"], who["郑四"]["rank"]) == (6, 7)
    api.advance("physical_exam")


def followup(api: Api, forms: dict[str, dict[str, Any]]) -> None:
    api.at(datetime(2026, 8, 10, 9, 0))
    who = api.people()
    li, zhou, wu = who["李一"]["id"], who["周二"]["id"], who["吴三"]["id"]
    r = api.post(f"/applications/{li}/physical-exam", "hm_hr", 422, json={"passed": "也许"})
    assert r["code"] == "invalid_input" and r["details"]["fields"][0]["field"] == "passed"
    api.post(f"/applications/{li}/physical-exam", "hm_hr", json={"passed": True})
    # 周二 fails, asks for the one re-test, passes it
    api.post(f"/applications/{zhou}/physical-exam", "hm_hr", json={"passed": False, "note": "血压偏高"})
    api.post(f"/applications/{zhou}/retest", "hm_hr", 422, json={"passed": True})  # not asked yet
    api.post(f"/applications/{zhou}/retest-request", "hm_hr", json={"note": "本人申请复检"})
    api.post(f"/applications/{zhou}/retest", "hm_hr", json={"passed": True, "note": "复检合格"})
    # 李一 gives up after passing the physical exam: 吴三 (3rd) fills the place
    out = api.post(f"/applications/{li}/withdraw", "hm_hr", json={"reason": "本人书面申请放弃聘用资格"})
    assert out["status"] == "withdrawn"
    st = api.status()
    assert st["吴三"] == "selected" and st["赵四十"] == "reserve"
    (change,) = api.get(f"/rounds/{api.rid}/changes", None)
    assert change["kind"] == "refill" and "吴三" in change["text"] and "李一" in change["text"]
    assert (
        api.post(
            f"/applications/{li}/refill",
            "hm_hr",
            422,
            json={"chosen_id": who["赵四十"]["id"], "opinion": "研究"},
        )["code"]
        == "no_vacancy"
    )
    # 孙五 (reserve) withdraws herself through the public lookup; a wrong phone learns nothing
    own = {"id_number": forms["孙五"]["id_number"], "phone": forms["孙五"]["phone"]}
    api.post(f"/rounds/{api.rid}/mine", None, 404, json=own | {"phone": "13900000000"})
    assert api.post(f"/rounds/{api.rid}/mine", None, json=own)["status"] == "reserve"
    assert api.post(f"/rounds/{api.rid}/mine/withdraw", None, json=own | {"reason": "已另行就业"})[
        "status"
    ] == ("withdrawn")
    err = api.post(f"/rounds/{api.rid}/advance", "hm_hr", 422)
    assert "吴三" in err["message"]  # the refilled candidate still has to take the physical exam
    api.post(f"/applications/{wu}/physical-exam", "hm_hr", json={"passed": True})
    api.advance("investigation")
    api.at(datetime(2026, 9, 1, 9, 0))
    for app_id in (zhou, wu):
        api.post(
            f"/applications/{app_id}/investigation",
            "hm_hr",
            json={"passed": True, "note": "政治素质好，群众口碑好，无违法违纪记录"},
        )


def notice_and_objection(api: Api) -> None:
    api.at(NOTICE_DAY)
    api.advance("public_notice")
    n = api.get(f"/rounds/{api.rid}/notice", None)
    assert n["last_day"] == "2026-10-12" and n["article"]
    assert {r["name"] for r in n["rows"]} == {"周二", "吴三"} and all(
        r["open_to_objection"] for r in n["rows"]
    )
    assert "id_number" not in n["rows"][0]
    zhou = next(r["application_id"] for r in n["rows"] if r["name"] == "周二")
    assert api.post(f"/rounds/{api.rid}/advance", "hm_hr", 422)["code"] == "step_not_ready"  # 公示期未满

    api.at(datetime(2026, 10, 9, 15, 0))  # after the holiday, within the period
    api.post(
        f"/rounds/{api.rid}/notice/objections",
        None,
        422,
        json={"application_id": zhou, "objector_name": "", "contact": "", "facts": "x"},
    )
    filed = api.post(
        f"/rounds/{api.rid}/notice/objections",
        None,
        201,
        json={
            "application_id": zhou,
            "objector_name": "刘群众",
            "contact": "13800001234",
            "facts": "反映其在原单位工作期间受过处分",
        },
    )
    st = api.status()
    assert st["周二"] == "frozen" and st["吴三"] == "proposed"  # only the named candidate is held
    (obj,) = api.get(f"/rounds/{api.rid}/objections", "hm_hr")
    assert obj["id"] == filed["id"] and obj["objector_name"] == "刘群众" and obj["status"] == "open"

    api.at(datetime(2026, 10, 12, 23, 59))  # the last day of the notice: its timer is not due
    api.sweep()
    assert api.round_status() == "public_notice"
    api.at(datetime(2026, 10, 13, 0, 0))
    assert api.sweep() >= 1
    api.sweep()
    assert api.round_status() == "hiring"

    api.at(datetime(2026, 10, 14, 10, 0))
    decision = {"decision": "dismiss", "opinion": "经向原单位核实，该处分已于2023年撤销，不影响聘用"}
    assert (
        api.post(f"/objections/{obj['id']}/decision", "hm_hr", 403, json=decision)["code"] == "not_reviewer"
    )
    api.post(f"/objections/{obj['id']}/decision", "hm_sw", 422, json=decision | {"decision": "maybe"})
    assert api.post(f"/objections/{obj['id']}/decision", "hm_sw", json=decision)["status"] == "dismissed"
    assert api.status()["周二"] == "proposed"


def hiring(api: Api) -> None:
    api.at(datetime(2026, 10, 20, 9, 0))
    desks = {u: api.get("/hires", u) for u in STREET_USERS}
    (street,) = [u for u, d in desks.items() if d["to_sign"]]
    rows = {r["name"]: r for r in desks[street]["to_sign"]}
    assert set(rows) == {"周二", "吴三"} and all(r["notice_over"] for r in rows.values())
    zhou = rows["周二"]["application_id"]
    api.post(
        f"/hires/{zhou}/sign",
        "hm_hr",
        403,
        json={"term_months": 36, "probation_months": 6, "starts_on": "2026-11-01"},
    )
    over = api.post(
        f"/hires/{zhou}/sign",
        street,
        422,
        json={"term_months": 36, "probation_months": 7, "starts_on": "2026-11-01"},
    )
    assert over["code"] == "probation_over_cap" and over["article"] == "劳动合同法 art. 19"
    api.post(
        f"/hires/{zhou}/sign",
        street,
        422,
        json={"term_months": 36, "probation_months": 6, "starts_on": "下月一日"},
    )
    contracts = {
        n: api.post(
            f"/hires/{r['application_id']}/sign",
            street,
            201,
            json={"term_months": 36, "probation_months": 6, "starts_on": "2026-11-01"},
        )
        for n, r in rows.items()
    }
    assert contracts["周二"]["probation_ends_on"] == "2027-04-30"
    assert {
        n: (c["worker"]["name"], c["worker"]["status"], c["worker"]["application_id"])
        for n, c in contracts.items()
    } == {n: (n, "active", r["application_id"]) for n, r in rows.items()}
    assert api.post(
        f"/hires/{zhou}/sign",
        street,
        409,
        json={"term_months": 36, "probation_months": 6, "starts_on": "2026-11-01"},
    )["code"] == ("contract_exists")
    desk = api.get("/hires", street)
    assert desk["to_sign"] == [] and {s["name"] for s in desk["signed"]} == {"周二", "吴三"}
    st = api.status()
    assert st["周二"] == st["吴三"] == "hired"
    assert api.post(f"/rounds/{api.rid}/close", "hm_hr")["status"] == "closed"
    st = api.status()
    assert "reserve" not in st.values() and st["赵四十"] == "eliminated"  # the reserve lapses


def test_a_whole_round_through_the_api(client: TestClient) -> None:
    api = Api(client)
    api.at(T0)
    publish(api)
    forms = register_and_screen(api)
    exams(api)
    followup(api, forms)
    notice_and_objection(api)
    hiring(api)
    history = api.get(f"/applications/{api.people()['吴三']['id']}", "hm_hr")
    assert history["status"] == "hired"


def test_the_officers_steps_need_a_token_and_the_public_ones_a_published_round(client: TestClient) -> None:
    for path, body in (
        ("/api/v1/applications/1/physical-exam", {"passed": True}),
        ("/api/v1/objections/1/decision", {"decision": "dismiss", "opinion": "x"}),
        ("/api/v1/hires/1/sign", {"term_months": 36, "probation_months": 6, "starts_on": "2026-11-01"}),
    ):
        r = client.post(path, json=body)
        assert r.status_code == 401 and r.json()["code"] == "login_required", path
    assert client.get("/api/v1/hires").status_code == 401
    r = client.get("/api/v1/rounds/999999/notice")
    assert r.status_code == 404 and r.json()["message"]
    own = {"id_number": make_id(date(1990, 1, 1)), "phone": "13900000001"}
    assert client.post("/api/v1/rounds/999999/mine/withdraw", json=own).status_code == 404
