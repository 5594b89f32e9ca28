"""Demo cases on top of the demo organisation (demo mode only): recruitment rounds a new user can open at
once — one taking registrations in 回民区 (Hohhot), one in qualification review in 东胜区 (Ordos) with
doubtful applications waiting in the reviewer's inbox. Built through the same services a user calls."""

from __future__ import annotations

from datetime import date, timedelta

from domain.actor import Actor
from domain.applicant import Registration, Relation, Relative
from domain.recruitment_plan import PlanDraft, PostLine
from services import identity, org, tasks
from services import recruitment_plan as plans
from services.demo import DEMO_PASSWORD
from services.recruitment_plan import views
from services.recruitment_round import registration, rounds, screening
from services.runtime import Runtime
from services.uow import UnitOfWork

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = [
    "丽娜",
    "志强",
    "海燕",
    "建华",
    "晓东",
    "雅琴",
    "文博",
    "宇航",
    "敏",
    "婷",
    "磊",
    "静怡",
    "浩然",
    "思远",
    "玉兰",
    "春梅",
]


def demo_id(birth: date, area: str, seq: int, *, male: bool) -> str:
    """A valid resident ID number for demo applicants (GB 11643 check digit)."""
    body = f"{area}{birth:%Y%m%d}{(seq * 2 + (1 if male else 0)) % 1000:03d}"
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _actor(runtime: Runtime, username: str) -> Actor:
    with UnitOfWork(runtime, readonly=True) as uow:
        return identity.authenticate(uow.session, username, DEMO_PASSWORD)


def _approved_plan(runtime: Runtime, officer: str, code: str, posts: int, approvers: list[str]) -> int:
    hr = _actor(runtime, officer)
    with UnitOfWork(runtime) as uow:
        j = org.jurisdiction_by_code(uow.session, code)
        ctx = views.draft_context(uow, hr, j.id)
        ids: list[int] = [c.id for c in ctx.communities[:3]]  # type: ignore[attr-defined]
        lines = [PostLine(community_id=c, posts=posts, post_title="社区专职工作人员") for c in ids]
        plan = plans.create_draft(
            uow,
            hr,
            PlanDraft(
                jurisdiction_id=j.id, title=f"{j.name}2026年社区工作者招聘方案", year=2026, posts=lines
            ),
        )
        plans.submit(uow, hr, plan.id)
        uow.commit()
        plan_id = plan.id
    for username in approvers:
        a = _actor(runtime, username)
        with UnitOfWork(runtime) as uow:
            for t in tasks.inbox(uow, a).tasks:
                if t.case_type == "recruitment_plan" and t.case_id == plan_id:
                    tasks.complete(uow, a, t.id, "acknowledge" if t.kind == "filing" else "approve", "同意")
            uow.commit()
    return plan_id


def _applicants(area: str, n: int, start: int) -> list[Registration]:
    out = []
    for i in range(n):
        seq = start + i
        birth = date(1988 + i % 12, 1 + i % 12, 1 + (i * 7) % 28)
        name = _SURNAMES[(seq * 7) % len(_SURNAMES)] + _GIVEN[seq % len(_GIVEN)]
        out.append(
            Registration(
                name=name,
                id_number=demo_id(birth, area, seq, male=i % 2 == 0),
                phone=f"1390471{seq:04d}",
                education=("bachelor", "junior_college", "postgraduate")[i % 3],
                major=("社会工作", "行政管理", "汉语言文学", "计算机科学与技术")[i % 4],
                school=("内蒙古大学", "内蒙古师范大学", "呼和浩特民族学院")[i % 3],
                household_code=area,
                household_place="本地",
                priority_groups=("social_work_certificate",) if i % 5 == 0 else (),
            )
        )
    return out


def _boundary_cases(area: str, deadline: date) -> list[Registration]:
    """Applicants on the boundaries a reviewer meets: age 41, no degree but recommended, a relative."""
    return [
        Registration(
            name="高建军",
            id_number=demo_id(date(deadline.year - 42, 1, 5), area, 901, male=True),
            phone="13904710901",
            education="bachelor",
        ),
        Registration(
            name="白玉梅",
            id_number=demo_id(date(1979, 6, 1), area, 902, male=False),
            phone="13904710902",
            education="senior_secondary",
            relaxation_group="local_party_member",
            street_recommended=True,
        ),
        Registration(
            name="乌兰其其格",
            id_number=demo_id(date(1995, 3, 3), area, 903, male=False),
            phone="13904710903",
            education="bachelor",
            relatives=(Relative("贺文斌", Relation.COLLATERAL, "150602", "科员"),),
        ),
        Registration(
            name="周晓峰",
            id_number=demo_id(date(1993, 8, 8), area, 904, male=True),
            phone="13904710904",
            education="bachelor",
            household_code="150102",
            household_place="呼和浩特市新城区",
        ),
    ]


def _round(runtime: Runtime, officer: str, plan_id: int, *, opened_days_ago: int, days: int) -> int:
    hr = _actor(runtime, officer)
    with UnitOfWork(runtime) as uow:
        rnd = rounds.create_from_plan(uow, hr, plan_id)
        opens = uow.now - timedelta(days=opened_days_ago)
        text = (
            f"根据工作需要，经批准，{rnd.title.replace('社区工作者招聘', '')}面向社会公开招聘社区工作者。"
            "招聘坚持公开、平等、竞争、择优的原则，按照报名、资格审查、笔试、面试、体检、考察、公示的程序进行。"
        )
        rounds.update_setup(
            uow, hr, rnd.id, rounds.RoundSetup(rnd.title, text, opens, opens + timedelta(days=days), {})
        )
        rounds.publish(uow, hr, rnd.id)
        uow.commit()
        return rnd.id


def seed_cases(runtime: Runtime) -> list[str]:
    """Create the demo rounds; returns one line per case for the start log."""
    lines = []
    # 回民区: registration open (started 3 days ago, 7 days to go), 24 applicants so far
    plan = _approved_plan(runtime, "hm_hr", "150103", 2, ["hhht_sw", "hhht_org"])
    rid = _round(runtime, "hm_hr", plan, opened_days_ago=3, days=10)
    for reg in _applicants("150103", 24, 1):
        with UnitOfWork(runtime) as uow:
            registration.register(uow, rid, reg, "01" if reg.phone[-1] in "02468" else "02")
            uow.commit()
    lines.append(f"招聘#{rid} 回民区：报名中(24人)")
    # 东胜区 (Ordos profile: household registration): registration just closed and screened
    plan = _approved_plan(runtime, "ds_hr", "150602", 1, ["ordos_sw", "ordos_org"])
    rid = _round(runtime, "ds_hr", plan, opened_days_ago=1, days=2)
    hr = _actor(runtime, "ds_hr")
    with UnitOfWork(runtime) as uow:
        deadline = uow.now.date() + timedelta(days=1)
    for reg in [*_applicants("150602", 12, 101), *_boundary_cases("150602", deadline)]:
        with UnitOfWork(runtime) as uow:
            registration.register(uow, rid, reg, "01")
            uow.commit()
    with UnitOfWork(runtime) as uow:
        rounds.close_registration(uow, hr, rid)
        summary = screening.screen_round(uow, hr, rid)
        uow.commit()
    lines.append(f"招聘#{rid} 东胜区：资格审查({summary.get('pending_review', 0)}人待人工审核，审核人 ds_sw)")
    return lines
