"""A recruitment round's lifecycle through the services: created from an approved plan with the profile's
rules and articles, published, registration by the public form, closed by its stored timer, cancelled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from domain.applicant import Registration
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from services import audit, timers
from services.recruitment_round import registration, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, approved_plan, make_id, published_round

T0 = datetime(2026, 3, 2, 9, 0)


def reg(name: str, id_number: str, **kw: object) -> Registration:
    return Registration(
        name=name, id_number=id_number, phone=kw.pop("phone", "13800000001"), education="bachelor", **kw
    )  # type: ignore[arg-type]


@pytest.fixture
def at(set_clock: Callable[[datetime], None]) -> Callable[[datetime], None]:
    set_clock(T0)
    return set_clock


def test_round_from_approved_plan_pins_rules_with_articles(
    actor: GetActor, at: Callable[[datetime], None]
) -> None:
    plan_id = approved_plan(actor)
    with UnitOfWork() as uow:
        rnd = rounds.create_from_plan(uow, actor("hm_hr"), plan_id)
        uow.commit()
        s = rnd.settings
        assert rs.value(s, "interview_ratio") == 3 and rs.article(s, "interview_ratio")
        assert rs.value(s, "steps").index("physical_exam") < rs.value(s, "steps").index(
            "investigation"
        )  # IM art. 8
        assert all(v["article"] for v in s.values())
        assert rnd.status == "preparing"
    with UnitOfWork() as uow, pytest.raises(Conflict):
        rounds.create_from_plan(uow, actor("hm_hr"), plan_id)
    with UnitOfWork() as uow, pytest.raises(NotFound):
        rounds.create_from_plan(uow, actor("xc_hr"), plan_id)  # another county


def test_publish_register_close_by_timer(actor: GetActor, at: Callable[[datetime], None]) -> None:
    rid = published_round(actor, T0, days=5)
    good = make_id(date(1990, 5, 1), seq=7)
    with UnitOfWork() as uow:
        app = registration.register(uow, rid, reg("王小明", good), "01")
        uow.commit()
        assert app.status == "registered" and app.birth_date == date(1990, 5, 1)
    with UnitOfWork() as uow, pytest.raises(Conflict) as dup:
        registration.register(uow, rid, reg("王小明", good), "02")
    assert dup.value.code == "duplicate_application"
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as exc:
        registration.register(uow, rid, reg("李四", bad), "01")
    assert exc.value.code == "id_checksum"
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        registration.register(uow, rid, reg("李四", make_id(date(1991, 1, 1), seq=8)), "99")
    # the applicant edits with ID number + phone while the window is open
    with UnitOfWork() as uow:
        registration.edit(uow, rid, good, "13800000001", reg("王小明", good, major="社会工作"), "02")
        uow.commit()
    # the window closes: the stored timer fires through the sweep
    at(T0 + timedelta(days=5, minutes=1))
    timers.sweep(worker_id="t")
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "qualification_review"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as closed:
        registration.register(uow, rid, reg("赵六", make_id(date(1992, 1, 1), seq=9)), "01")
    assert closed.value.code == "registration_closed"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as late:
        registration.edit(uow, rid, good, "13800000001", reg("王小明", good), "01")
    assert late.value.code == "registration_closed"
    timers.sweep(worker_id="t")  # a second sweep changes nothing
    with UnitOfWork(readonly=True) as uow:
        assert rounds.load(uow, rid).status == "qualification_review"


def test_announcement_fixed_once_published_and_cancel_needs_reason(
    actor: GetActor, at: Callable[[datetime], None]
) -> None:
    rid = published_round(actor, T0)
    hr = actor("hm_hr")
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as fixed:
        rounds.update_setup(uow, hr, rid, rounds.RoundSetup("x", "y", T0, T0 + timedelta(days=1), {}))
    assert fixed.value.article
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        rounds.cancel(uow, actor("hm_sw"), rid, "理由")
    with UnitOfWork() as uow, pytest.raises(InvalidInput):
        rounds.cancel(uow, hr, rid, "  ")
    with UnitOfWork() as uow:
        rounds.cancel(uow, hr, rid, "财政预算调整，本年度暂停招聘")
        uow.commit()
    with UnitOfWork(readonly=True) as uow:
        rnd = rounds.load(uow, rid)
        assert rnd.status == "cancelled" and rnd.cancel_reason
        actions = [(e.action, e.to_state) for e in audit.history(uow.session, "recruitment_round", rid)]
        assert ("cancel", "cancelled") in actions
        pending = [
            t for t in timers.for_subject(uow.session, "recruitment_round", rid) if t.state == "pending"
        ]
        assert pending == []


def test_settings_refused_when_weights_do_not_sum_or_probation_over_cap(
    actor: GetActor, at: Callable[[datetime], None]
) -> None:
    plan_id = approved_plan(actor)
    hr = actor("hm_hr")
    with UnitOfWork() as uow:
        rnd = rounds.create_from_plan(uow, hr, plan_id)
        setup = rounds.RoundSetup(rnd.title, "公告", T0, T0 + timedelta(days=3), {"written_percent": 60})
        with pytest.raises(InvalidInput) as w:
            rounds.update_setup(uow, hr, rnd.id, setup)
        assert w.value.code == "weights_not_100"
        setup = rounds.RoundSetup(rnd.title, "公告", T0, T0 + timedelta(days=3), {"probation_months": 7})
        with pytest.raises(RuleViolation) as p:
            rounds.update_setup(uow, hr, rnd.id, setup)
        assert p.value.code == "probation_over_cap" and p.value.article == "劳动合同法 art. 19"
