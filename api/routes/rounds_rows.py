"""Applicant rows of a round for the list, the Excel export and the API; the registration form's choices;
the public view of a round (published only) and its conditions with articles. No SQL here.

Who sees ID numbers in full ("the right"): only an HR officer of the round's organising department (the
经办人 who runs the round and checks identities against the documents). Everyone else who may see the round
(its reviewers, leaders, the supervising city and region) gets ID and phone numbers masked
(150103********123X, 138****0001) on the pages, in the JSON API and in the Excel export."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from db.models.recruitment_round import Application, RecruitmentRound
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.education import Education
from domain.errors import NotFound
from domain.id_number import mask_id
from forms.applicant_context import ApplicantContext, PostChoice, choices
from services.recruitment_round import objection, rounds
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.application import PAST_QUALIFICATION, ApplicationMachine

APP_LABELS = ApplicationMachine.status_labels()
SEX_LABELS = {"male": "男", "female": "女"}
PAGE_SIZE = 50


def sees_full_ids(actor: Actor | None, rnd: RecruitmentRound) -> bool:
    return actor is not None and rounds.is_officer(actor, rnd)


def mask_phone(phone: str) -> str:
    p = (phone or "").strip()
    return p[:3] + "****" + p[-4:] if len(p) >= 11 else "*" * len(p)


def education_label(value: str) -> str:
    e = Education.parse(value)
    return e.label if e else value


def applicant_context(uow: UnitOfWork, rnd: RecruitmentRound) -> ApplicantContext:
    """The posts open for registration and the groups of the round's pinned profile."""
    places = repo.post_places(uow.session, rnd.id)
    c = rounds.pinned(rnd).recruitment.conditions
    return ApplicantContext(
        today=uow.now.date(),
        posts=tuple(
            PostChoice(p.code, p.title, places.get(p.id, ("", "", ""))[1])
            for p in repo.posts_of(uow.session, rnd.id)
            if p.status != "cancelled" and p.posts > 0
        ),
        relaxation_groups=choices(c.relaxation.value.groups if c.relaxation else []),
        priority_groups=choices(c.priority_groups.value if c.priority_groups else []),
        disqualifications=choices(c.disqualifications.value if c.disqualifications else []),
    )


def post_labels(uow: UnitOfWork, rnd: RecruitmentRound) -> dict[int, tuple[str, str]]:
    """post id -> (code, community + title)."""
    places = repo.post_places(uow.session, rnd.id)
    return {
        p.id: (p.code, f"{places.get(p.id, ('', '', ''))[1]} {p.title}")
        for p in repo.posts_of(uow.session, rnd.id)
    }


def applicant_row(app: Application, posts: dict[int, tuple[str, str]], full: bool) -> dict[str, Any]:
    """One application as the list, the export and the API show it (masked unless `full`)."""
    code, post = posts.get(app.post_id, ("", ""))
    return {
        "id": app.id,
        "post_code": code,
        "post": post,
        "name": app.name,
        "sex": SEX_LABELS.get(app.sex or "", ""),
        "id_number": app.id_number if full else mask_id(app.id_number),
        "phone": app.phone if full else mask_phone(app.phone),
        "birth_date": app.birth_date,
        "education": education_label(app.education),
        "school": app.school,
        "major": app.major,
        "status": app.status,
        "status_label": APP_LABELS.get(app.status, app.status),
        "source": "导入" if app.source == "import" else "网上报名",
        "admit_ticket": app.admit_ticket,
        "written_score": app.written_score,
        "interview_score": app.interview_score,
        "total_score": app.total_score,
        "rank": app.rank,
        "reasons": "；".join(r.get("message", "") for r in (app.verdict or {}).get("reasons", [])),
    }


EXPORT_COLUMNS = {
    "岗位代码": "post_code", "岗位": "post", "姓名": "name", "性别": "sex", "公民身份号码": "id_number",
    "出生日期": "birth_date", "手机号码": "phone", "学历": "education", "毕业院校": "school", "专业": "major",
    "状态": "status_label", "来源": "source", "准考证号": "admit_ticket", "笔试成绩": "written_score",
    "面试成绩": "interview_score", "总成绩": "total_score", "岗位排名": "rank", "审查意见": "reasons",
}  # fmt: skip


@dataclass(frozen=True)
class Filters:
    post: int | None = None
    status: str | None = None
    q: str | None = None

    def statuses(self) -> list[str] | None:
        if not self.status:
            return None
        if self.status == "past_qualification":
            return sorted(PAST_QUALIFICATION)
        return [self.status] if self.status in APP_LABELS else []


def applicants(uow: UnitOfWork, rnd: RecruitmentRound, f: Filters, *, offset: int = 0,
               limit: int | None = PAGE_SIZE) -> list[Application]:  # fmt: skip
    statuses = f.statuses()
    if statuses == []:
        return []
    return repo.applications(uow.session, rnd.id, post_id=f.post, statuses=statuses, search=(f.q or "").strip() or None,
                             offset=offset, limit=limit)  # fmt: skip


def count(uow: UnitOfWork, rnd: RecruitmentRound, f: Filters) -> int:
    statuses = f.statuses()
    if statuses == []:
        return 0
    if f.q and f.q.strip():
        return len(applicants(uow, rnd, f, limit=None))
    return repo.count_applications(uow.session, rnd.id, post_id=f.post, statuses=statuses)


def published(uow: UnitOfWork, round_id: int) -> RecruitmentRound:
    """A round whose announcement is public; any other is 'not found' for the public."""
    rnd = rounds.load(uow, round_id)
    if rnd.published_at is None:
        raise NotFound("招聘公告不存在或尚未发布", code="round_not_found")
    return rnd


def conditions(rnd: RecruitmentRound) -> list[tuple[str, str]]:
    """The round's registration conditions as (text, article) from its pinned profile."""
    c = rounds.pinned(rnd).recruitment.conditions
    out = [(item.label, item.article or c.basic_requirements.article) for item in c.basic_requirements.value]
    if c.max_age is not None:
        out.append((f"年龄{c.max_age.value}周岁以下（以报名截止日计算）", c.max_age.article))
    if c.min_education is not None:
        out.append((f"{c.min_education.value.label}及以上学历", c.min_education.article))
    if c.relaxation is not None:
        out.append((c.relaxation.value.describe(), c.relaxation.article))
    if c.household_registration is not None:
        out.append((c.household_registration.value.describe(), c.household_registration.article))
    for group, title in ((c.disqualifications, "不得报考"), (c.priority_groups, "同等条件下优先")):
        if group is not None:
            out.append((f"{title}：" + "；".join(i.label for i in group.value), group.article))
    return out


def score_text(value: Decimal | None, places: int = 2) -> str:
    """A score as the announcement fixed its decimals (Decimal formatting: no float rounding)."""
    return "" if value is None else f"{value:.{places}f}"


def decimals(rnd: RecruitmentRound) -> dict[str, int]:
    """Decimal places of the written, interview and total scores, from the round's settings."""
    return {k: int(rs.value(rnd.settings, f"decimals_{k}", 2)) for k in ("written", "interview", "total")}


@dataclass
class FollowUp:
    """What the application page offers after the exams: the officer's physical exam, re-test and
    investigation records, the objections during the notice, the decline, and the contract once signed."""

    physical: bool = False
    retest_request: bool = False
    retest: bool = False
    investigation: bool = False
    decline: bool = False
    file_objection: bool = False
    resolve_objection: bool = False
    objections: list[Any] | None = None
    contract: Any = None


def follow_up(uow: UnitOfWork, actor: Actor, app: Application, rnd: RecruitmentRound) -> FollowUp:
    seq = rounds.sequence(rnd)
    at = seq.index(rnd.status) if rnd.status in seq else -1

    def reached(step: str) -> bool:
        return step in seq and at >= seq.index(step)

    officer = rounds.is_officer(actor, rnd)
    selected = officer and app.status == "selected"
    return FollowUp(
        physical=selected and reached("physical_exam") and app.physical_result is None,
        retest_request=selected and app.physical_result == "fail" and app.retest_requested_at is None,
        retest=selected and app.retest_requested_at is not None and app.retest_result is None,
        investigation=selected and reached("investigation") and app.investigation_result is None,
        decline=officer and app.status == "proposed",
        file_objection=officer
        and app.status in ("proposed", "frozen")
        and rnd.status in ("public_notice", "hiring"),
        # an approver of the organiser or of the department above it (the city's, when all recuse)
        resolve_objection=objection.may_resolve(uow, actor, rnd)
        and actor.user_id not in repo.recused_users(uow.session, app.id),
        objections=repo.objections_of(uow.session, app.id),
        contract=repo.contract_of(uow.session, app.id),
    )
