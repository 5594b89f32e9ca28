"""The street office's hiring desk (/hires): after the notice, the street of the post signs the labour
contract (IM art. 12); a probation over the labour-contract law's cap is refused with its article."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import unquote

from fastapi.testclient import TestClient

from db.repos import recruitment_round as repo
from services import org, timers
from services.uow import UnitOfWork
from tests.integration.followup_support import to_notice
from tests.integration.round_support import GetActor

STREET_USERS = {"150103003": "xhxl_hr", "150103005": "gml_hr", "150103006": "gtl_hr"}


def test_street_signs_after_the_notice(
    actor: GetActor, set_clock: Callable[[datetime], None], login: Callable[[str], TestClient]
) -> None:
    _rid, ids = to_notice(actor, set_clock)
    set_clock(datetime(2026, 10, 13, 9, 0))  # the notice published 29 Sep closes at 13 Oct 00:00
    timers.sweep(worker_id="t")
    with UnitOfWork(readonly=True) as uow:
        app = repo.application(uow.session, ids["王芳"])
        assert app is not None
        post = repo.post(uow.session, app.post_id)
        assert post is not None and post.street_id is not None
        street = org.get_jurisdiction(uow.session, post.street_id).code
    county = login("hm_sw")
    assert "只有街道" in county.get("/hires").text
    c = login(STREET_USERS[street])
    page = c.get("/hires")
    assert page.status_code == 200 and "王芳" in page.text and "签订劳动合同" in page.text
    over = c.post(
        f"/hires/{ids['王芳']}/sign",
        data={"term_months": "36", "probation_months": "7", "starts_on": "2026-11-02"},
    )
    assert over.status_code == 422 and "劳动合同法 art. 19" in over.text
    bad = c.post(
        f"/hires/{ids['王芳']}/sign",
        data={"term_months": "三年", "probation_months": "6", "starts_on": "2026-11-02"},
    )
    assert bad.status_code == 422 and "合同期限" in bad.text
    ok = c.post(
        f"/hires/{ids['王芳']}/sign",
        data={"term_months": "36", "probation_months": "6", "starts_on": "2026-11-02"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    done = c.get(ok.headers["location"])
    assert "已签订劳动合同，试用期至2027-05-01" in done.text
    with UnitOfWork(readonly=True) as uow:
        app = repo.application(uow.session, ids["王芳"])
        assert app is not None and app.status == "hired"
        assert repo.contract_of(uow.session, app.id) is not None


def test_a_decline_on_the_page_brings_the_street_back_to_its_desk_and_the_officer_to_the_application(
    actor: GetActor, set_clock: Callable[[datetime], None], login: Callable[[str], TestClient]
) -> None:
    """The street office may record a decline (hire.decline) but does not see the application page (the
    county's round): it is sent back to /hires with the notice, and a refusal is shown there too. The
    round's officer lands on the application page as before."""
    rid, ids = to_notice(actor, set_clock)
    set_clock(datetime(2026, 10, 14, 9, 0))
    timers.sweep(worker_id="t")
    wang, ding = ids["王芳"], ids["丁一"]
    c = login("xhxl_hr")  # the street of both posts
    assert c.get(f"/applications/{wang}").status_code == 404
    empty = c.post(f"/applications/{wang}/follow-up/decline", data={"note": " "}, follow_redirects=False)
    assert empty.status_code == 422 and "请填写放弃聘用的情况说明" in empty.text
    assert "聘用手续" in empty.text and "王芳" in empty.text  # the desk, with her still to sign
    ok = c.post(f"/applications/{wang}/follow-up/decline", data={"note": "本人书面申请放弃聘用"},
                follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    assert unquote(ok.headers["location"]) == "/hires?flash=已登记放弃聘用，岗位按排名递补"
    desk = c.get(ok.headers["location"])
    assert desk.status_code == 200 and 'id="flash"' in desk.text and "已登记放弃聘用" in desk.text
    assert "王芳" not in desk.text and "丁一" in desk.text
    with UnitOfWork(readonly=True) as uow:
        rows = {a.id: a for a in repo.applications(uow.session, rid)}
    assert rows[wang].status == "not_hired" and rows[ids["李明"]].status == "selected"

    officer = login("hm_hr")
    ok = officer.post(f"/applications/{ding}/follow-up/decline", data={"note": "本人书面申请放弃聘用"},
                      follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303
    assert unquote(ok.headers["location"]) == f"/applications/{ding}?flash=已登记放弃聘用，岗位按排名递补"
    assert "已登记放弃聘用" in officer.get(ok.headers["location"]).text
