"""Screening a round's applications by its pinned profile, with applicants on every boundary: age 40 and
41 at the registration deadline, no degree but recommended by the street, a relative of the reviewer,
a declared disqualification; review pass / fail / return once with the full list, then correction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from db.repos import recruitment_round as repo
from domain.applicant import Registration, Relation, Relative
from domain.errors import InvalidInput, PermissionDenied, RuleViolation
from services import audit, tasks
from services.recruitment_round import registration, rounds, screening
from services.recruitment_round.registration import ImportRefused, ImportRow
from services.uow import UnitOfWork
from tests.integration.round_support import GetActor, make_id, published_round

T0 = datetime(2026, 3, 2, 9, 0)
CLOSES = T0 + timedelta(days=10)  # closes 2026-03-12 09:00: the deadline day is 12 March


def reg(name: str, birth: date, seq: int, **kw: object) -> Registration:
    fields: dict[str, object] = {"phone": f"139{seq:08d}", "education": "bachelor"}
    fields.update(kw)
    return Registration(name=name, id_number=make_id(birth, seq=seq), **fields)  # type: ignore[arg-type]


@pytest.fixture
def rid(actor: GetActor, set_clock: Callable[[datetime], None]) -> int:
    set_clock(T0)
    return published_round(actor, T0, days=10)


def _status(app_id: int) -> str:
    with UnitOfWork(readonly=True) as uow:
        app = repo.application(uow.session, app_id)
        assert app is not None
        return app.status


def test_boundaries_screened_with_articles(
    rid: int, actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    deadline = date(2026, 3, 12)
    forty = date(deadline.year - 40, deadline.month, deadline.day)  # 40 on the deadline day
    people = {
        "age40": reg("年满四十", forty, 1),
        "age41": reg("四十一岁", forty - timedelta(days=1) - timedelta(days=365), 2),
        "turns41_after": reg("次日满41", date(deadline.year - 41, 3, 13), 3),
        "no_degree_recommended": reg(
            "街道推荐",
            date(1990, 1, 1),
            4,
            education="senior_secondary",
            relaxation_group="local_party_member",
            street_recommended=True,
        ),
        "no_degree": reg("无学历", date(1990, 1, 1), 5, education="senior_secondary"),
        "record": reg("有前科", date(1990, 1, 1), 6, declared_disqualifications=("criminal_record",)),
        "relative": reg(
            "亲属", date(1990, 1, 1), 7, relatives=(Relative("周德胜", Relation.LINEAL, "150103", "科员"),)
        ),
        "priority": reg("持证社工", date(1990, 1, 1), 8, priority_groups=("social_work_certificate",)),
    }
    ids = {}
    for key, r in people.items():
        with UnitOfWork() as uow:
            ids[key] = registration.register(uow, rid, r, "01").id
            uow.commit()
    set_clock(CLOSES + timedelta(minutes=1))
    with UnitOfWork() as uow:
        rounds.close_registration(uow, actor("hm_hr"), rid)
        summary = screening.screen_round(uow, actor("hm_hr"), rid)
        uow.commit()
    assert summary["screened"] == len(people)
    assert _status(ids["age40"]) == "qualified"
    assert _status(ids["turns41_after"]) == "qualified"  # still 40 on the deadline day
    assert _status(ids["age41"]) == "rejected"
    assert _status(ids["no_degree"]) == "rejected"
    assert _status(ids["no_degree_recommended"]) == "pending_review"
    assert _status(ids["record"]) == "rejected"
    assert _status(ids["priority"]) == "qualified"
    with UnitOfWork(readonly=True) as uow:
        age41 = repo.application(uow.session, ids["age41"])
        assert age41 is not None and age41.verdict is not None
        assert any(r["article"] == "IM art. 9" for r in age41.verdict["reasons"])
        rec = repo.application(uow.session, ids["record"])
        assert rec is not None and rec.verdict is not None
        assert any(r["article"] == "IM art. 11" for r in rec.verdict["reasons"])
        prio = repo.application(uow.session, ids["priority"])
        assert prio is not None and "social_work_certificate" in prio.flags
        history = audit.history(uow.session, "application", ids["age41"])
        assert [(e.action, e.to_state) for e in history][-1] == ("screen_fail", "rejected")
    # the reviewer's relative: 周德胜 (hm_sw, 回民区 social-work approver) is recused from that application
    with UnitOfWork() as uow:
        assert actor("hm_sw").user_id in repo.recused_users(uow.session, ids["relative"])
    # a second screening run changes nothing
    with UnitOfWork() as uow:
        again = screening.screen_round(uow, None, rid)
        uow.commit()
    assert again["screened"] == 0


def test_review_return_once_then_correction_then_pass(
    rid: int, actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    r = reg("街道推荐", date(1990, 1, 1), 4, education="senior_secondary",
            relaxation_group="local_party_member", street_recommended=True)  # fmt: skip
    with UnitOfWork() as uow:
        app_id = registration.register(uow, rid, r, "01").id
        uow.commit()
    set_clock(CLOSES)
    with UnitOfWork() as uow:
        rounds.close_registration(uow, None, rid)
        screening.screen_round(uow, None, rid)
        uow.commit()
    reviewer = actor("hm_sw")
    with UnitOfWork(readonly=True) as uow:
        assert any(t.case_id == app_id for t in tasks.inbox(uow, reviewer).tasks)
    with UnitOfWork() as uow, pytest.raises(InvalidInput) as no_list:
        screening.review(uow, reviewer, app_id, "return", None, [])
    assert no_list.value.code == "missing_list_required"
    with UnitOfWork() as uow, pytest.raises(PermissionDenied):
        screening.review(uow, actor("hm_hr"), app_id, "pass", None)  # not a reviewer
    with UnitOfWork() as uow:
        screening.review(uow, reviewer, app_id, "return", "请补充材料", ["街道推荐函原件", "党员证明"])
        uow.commit()
    assert _status(app_id) == "returned"
    # the applicant corrects (after the window: allowed for a returned application) -> screened again
    with UnitOfWork() as uow:
        registration.edit(uow, rid, r.id_number, r.phone, r, "01")
        uow.commit()
    assert _status(app_id) == "pending_review"
    with UnitOfWork() as uow, pytest.raises(RuleViolation) as twice:
        screening.review(uow, reviewer, app_id, "return", None, ["再补充"])
    assert twice.value.code == "already_returned"
    assert _status(app_id) == "pending_review"
    with UnitOfWork() as uow:
        screening.review(uow, reviewer, app_id, "pass", "推荐材料齐全，同意放宽学历")
        uow.commit()
    assert _status(app_id) == "qualified"


def test_related_reviewer_cannot_review(
    rid: int, actor: GetActor, set_clock: Callable[[datetime], None]
) -> None:
    r = reg("亲属", date(1990, 1, 1), 9, education="senior_secondary", relaxation_group="veteran",
            street_recommended=True, relatives=(Relative("周德胜", Relation.SPOUSE, "150103"),))  # fmt: skip
    with UnitOfWork() as uow:
        app_id = registration.register(uow, rid, r, "02").id
        uow.commit()
    set_clock(CLOSES)
    with UnitOfWork() as uow:
        rounds.close_registration(uow, None, rid)
        screening.screen_round(uow, None, rid)
        uow.commit()
    with UnitOfWork() as uow, pytest.raises(PermissionDenied) as recused:
        screening.review(uow, actor("hm_sw"), app_id, "pass", "同意")
    assert recused.value.code == "recused"


def test_import_is_whole_file_or_nothing(rid: int, actor: GetActor) -> None:
    hr = actor("hm_hr")
    good = reg("甲", date(1990, 1, 1), 11)
    bad = Registration(name="乙", id_number=good.id_number[:-1] + ("1" if good.id_number[-1] != "1" else "2"),
                       phone="13900000000", education="bachelor")  # fmt: skip
    rows = [
        ImportRow(2, good, "01"),
        ImportRow(3, bad, "01"),
        ImportRow(4, good, "02"),
        ImportRow(5, reg("丙", date(1990, 2, 2), 12), "77"),
    ]
    with UnitOfWork() as uow, pytest.raises(ImportRefused) as refused:
        registration.import_applicants(uow, hr, rid, rows)
    problems = refused.value.details["rows"]
    assert [(p["row"], p["code"]) for p in problems] == [
        (3, "id_checksum"),
        (4, "duplicate_in_file"),
        (5, "post_unknown"),
    ]
    with UnitOfWork(readonly=True) as uow:
        assert repo.count_applications(uow.session, rid) == 0
    with UnitOfWork() as uow:
        n = registration.import_applicants(uow, hr, rid, [ImportRow(2, good, "01")])
        uow.commit()
    assert n == 1
