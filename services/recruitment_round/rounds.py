"""Round lifecycle: turn an approved plan into a round, set it up, publish the announcement, close the
registration (by hand or by its stored timer), move step by step in the pinned order, cancel with a
reason, close. Each takes a unit of work and an actor; the caller commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.models.timers import Timer
from db.repos import recruitment_plan as plan_repo
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.enums import Level, Role
from domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation
from policies.effective import EffectiveProfile
from services import audit, org, timers
from services.recruitment_plan import policy as plan_policy
from services.recruitment_round import settings as rs
from services.uow import UnitOfWork
from states.recruitment_round import ENTERED_BY, RecruitmentRoundMachine, state_sequence

CASE = RecruitmentRoundMachine.procedure
CLOSE_REGISTRATION = "round.close_registration"

# Checks another module registers for entering a state: fn(uow, round) -> problems (Chinese), empty: ok.
Precondition = Callable[[UnitOfWork, RecruitmentRound], list[str]]
_preconditions: dict[str, list[Precondition]] = {}
# What runs after the round entered a state (e.g. admit tickets when the written exam starts).
OnEnter = Callable[[UnitOfWork, Actor | None, RecruitmentRound], None]
_on_enter: dict[str, list[OnEnter]] = {}


def precondition(state: str) -> Callable[[Precondition], Precondition]:
    def deco(fn: Precondition) -> Precondition:
        _preconditions.setdefault(state, []).append(fn)
        return fn

    return deco


def on_enter(state: str) -> Callable[[OnEnter], OnEnter]:
    def deco(fn: OnEnter) -> OnEnter:
        _on_enter.setdefault(state, []).append(fn)
        return fn

    return deco


_pinned: dict[str, EffectiveProfile] = {}


def pinned(rnd: RecruitmentRound) -> EffectiveProfile:
    hit = _pinned.get(rnd.profile_fingerprint)
    if hit is None:
        hit = _pinned[rnd.profile_fingerprint] = EffectiveProfile.from_json(rnd.profile)
    return hit


def load(uow: UnitOfWork, round_id: int, *, for_update: bool = False) -> RecruitmentRound:
    rnd = repo.get_round(uow.session, round_id, for_update=for_update)
    if rnd is None:
        raise NotFound(f"招聘 {round_id} 不存在", code="round_not_found")
    return rnd


def load_visible(
    uow: UnitOfWork, actor: Actor, round_id: int, *, for_update: bool = False
) -> RecruitmentRound:
    """A round the actor may see (organised in a jurisdiction they oversee); others are 'not found'."""
    rnd = load(uow, round_id, for_update=for_update)
    if not is_visible(actor, rnd):
        raise NotFound(f"招聘 {round_id} 不存在", code="round_not_found")
    return rnd


def is_visible(actor: Actor, rnd: RecruitmentRound) -> bool:
    """Whether the actor sees the round and its applications in full (load_visible's check). The post's
    street office does not (it acts on a proposed hire at its hiring desk, hire.py) unless it also
    oversees the round's jurisdiction."""
    return actor.oversees(rnd.jurisdiction_path)


def is_officer(actor: Actor, rnd: RecruitmentRound) -> bool:
    return any(m.role == Role.HR_OFFICER and m.department_id == rnd.department_id for m in actor.memberships)


def require_officer(actor: Actor, rnd: RecruitmentRound) -> None:
    if not is_officer(actor, rnd):
        raise PermissionDenied("只有组织本次招聘的经办人可以执行此操作", code="not_round_officer")


def audit_round(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, **fields: Any) -> None:
    audit.record(uow.session, uow.now, actor=actor, subject_type=CASE, subject_id=rnd.id, **fields)


def sequence(rnd: RecruitmentRound) -> list[str]:
    return state_sequence(_step_keys(rnd), conversion=rnd.track == "programme_conversion")


def _step_keys(rnd: RecruitmentRound) -> list[str]:
    keys = list(rs.value(rnd.settings, "steps", []))
    if rnd.track == "programme_conversion":
        conv = pinned(rnd).recruitment.service_programme_conversion
        extra = (
            [s.key for s in conv.value.steps]
            if conv is not None
            else ["assessment", "public_notice", "contract"]
        )
        keys = ["announcement", "registration", "qualification_review", *extra]
    return keys


def next_state(rnd: RecruitmentRound) -> str | None:
    seq = sequence(rnd)
    if rnd.status not in seq:
        return None
    i = seq.index(rnd.status)
    return seq[i + 1] if i + 1 < len(seq) else None


def fire(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound, event: str, **data: Any) -> None:
    before = rnd.status
    RecruitmentRoundMachine.bind(rnd).fire(event, next_step=next_state(rnd))
    rnd.updated_at = uow.now
    audit_round(
        uow,
        actor,
        rnd,
        action=event,
        from_state=before,
        to_state=rnd.status,
        article=RecruitmentRoundMachine.event_articles.get(event),
        opinion=data.pop("opinion", None),
        data=data or None,
    )


# --- creation and set-up ------------------------------------------------------------------------------


def create_from_plan(
    uow: UnitOfWork, actor: Actor, plan_id: int, *, track: str = "open_exam", title: str | None = None
) -> RecruitmentRound:
    """An approved plan becomes a round: its posts become the round's posts, its jurisdiction's profile
    (on today's date) is pinned, and the round's settings are defaulted from it with their articles."""
    plan = plan_repo.get(uow.session, plan_id)
    if plan is None or not actor.oversees(plan.jurisdiction_path):
        raise NotFound(f"招聘方案 {plan_id} 不存在", code="plan_not_found")
    membership = next(
        (
            m
            for m in actor.memberships
            if m.role == Role.HR_OFFICER and m.jurisdiction_id == plan.jurisdiction_id
        ),
        None,
    )
    if membership is None:
        raise PermissionDenied("只有组织招聘的经办人可以发起招聘", code="not_round_officer")
    if plan.status != "approved":
        raise RuleViolation(
            "招聘方案尚未批准(或备案)，不能发起招聘", code="plan_not_approved", article="IM art. 8"
        )
    if repo.round_of_plan(uow.session, plan.id) is not None:
        raise Conflict("该招聘方案已发起招聘", code="round_exists")
    if track not in ("open_exam", "programme_conversion"):
        raise InvalidInput("招聘方式无效", code="track_invalid")
    keys = list(plan.policy_keys)
    profile = plan_policy.resolve(keys, uow.now.date())
    if track == "programme_conversion" and profile.recruitment.service_programme_conversion is None:
        raise RuleViolation(
            "本地政策未规定服务基层项目人员直接考核转聘的途径",
            code="conversion_not_in_profile",
            article="OR art. 8",
        )
    organiser = org.get_jurisdiction(uow.session, plan.jurisdiction_id)
    scope = _household_scope(uow, organiser.id)
    rnd = repo.add(
        uow.session,
        RecruitmentRound(
            plan_id=plan.id,
            jurisdiction_id=organiser.id,
            jurisdiction_path=organiser.path,
            department_id=membership.department_id,
            title=(title or "").strip() or f"{organiser.name}{plan.year}年社区工作者招聘",
            year=plan.year,
            track=track,
            status="preparing",
            policy_keys=keys,
            profile=profile.to_json(),
            profile_fingerprint=profile.fingerprint,
            settings=rs.from_profile(profile, household_scope_codes=scope),
            announcement="",
            created_by_id=actor.user_id,
            created_at=uow.now,
            updated_at=uow.now,
        ),
    )
    posts = []
    for i, p in enumerate(plan_repo.posts_of(uow.session, plan.id), start=1):
        community = org.get_jurisdiction(uow.session, p.community_id)
        posts.append(
            RoundPost(
                round_id=rnd.id,
                plan_post_id=p.id,
                code=f"{i:02d}",
                community_id=p.community_id,
                street_id=community.parent_id,
                title=p.post_title,
                posts_planned=p.posts,
                posts=p.posts,
                status="open",
                conditions=p.conditions,
            )
        )
    repo.add_all(uow.session, posts)
    audit_round(
        uow,
        actor,
        rnd,
        action="create",
        to_state="preparing",
        article="IM art. 8",
        data={
            "plan": plan.id,
            "track": track,
            "posts": sum(p.posts for p in posts),
            "profile": rnd.profile_fingerprint,
        },
    )
    return rnd


def _household_scope(uow: UnitOfWork, jurisdiction_id: int) -> list[str]:
    """Code prefixes of the city (盟市) the organiser belongs to: e.g. '1506' for 鄂尔多斯市 (OR art. 8)."""
    for node in org.ancestors(uow.session, jurisdiction_id):
        if node.level == Level.CITY.value and node.code:
            return [node.code[:4]]
    return []


@dataclass(frozen=True)
class RoundSetup:
    title: str
    announcement: str
    registration_opens_at: datetime
    registration_closes_at: datetime  # the first moment registration is closed
    settings: dict[str, Any]


def update_setup(uow: UnitOfWork, actor: Actor, round_id: int, setup: RoundSetup) -> RecruitmentRound:
    """The announcement's text, window and rules, editable until it is published."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    if rnd.status != "preparing":
        raise RuleViolation(
            "招聘公告发布后不得直接修改；报名时间、文字差错、考试时间地点等的更正请发布补充公告",
            code="announcement_published",
            article=pinned(rnd).recruitment.exam.announcement_immutable.article,
        )
    title = setup.title.strip()
    if not title or len(title) > 200:
        raise InvalidInput("招聘名称不能为空且不超过200字", code="title_invalid", details={"field": "title"})
    if setup.registration_closes_at <= setup.registration_opens_at:
        raise InvalidInput(
            "报名截止时间须晚于开始时间", code="window_invalid", details={"field": "registration_closes_at"}
        )
    rnd.settings = rs.apply_changes(rnd.settings, setup.settings, pinned(rnd))
    rnd.title, rnd.announcement = title, setup.announcement.strip()
    rnd.registration_opens_at, rnd.registration_closes_at = (
        setup.registration_opens_at,
        setup.registration_closes_at,
    )
    rnd.updated_at = uow.now
    audit_round(
        uow,
        actor,
        rnd,
        action="edit",
        from_state=rnd.status,
        to_state=rnd.status,
        article="IM art. 8",
        data={"changed": sorted(setup.settings)},
    )
    return rnd


def publish(uow: UnitOfWork, actor: Actor, round_id: int) -> RecruitmentRound:
    """发布招聘公告: registration opens; its close is a stored timer the sweep fires (IM art. 8)."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    problems = []
    if rnd.registration_opens_at is None or rnd.registration_closes_at is None:
        problems.append("未设置报名时间")
    elif rnd.registration_closes_at <= uow.now:
        problems.append("报名截止时间已过")
    if not rnd.announcement.strip():
        problems.append("未填写公告正文")
    if not any(p.posts > 0 for p in repo.posts_of(uow.session, rnd.id)):
        problems.append("没有招聘岗位")
    if problems:
        raise InvalidInput(
            "不能发布招聘公告：" + "；".join(problems), code="round_not_ready", details={"problems": problems}
        )
    fire(uow, actor, rnd, "publish")
    rnd.published_at = uow.now
    assert rnd.registration_closes_at is not None
    timers.schedule(uow.session, CLOSE_REGISTRATION, CASE, rnd.id, rnd.registration_closes_at, now=uow.now)
    return rnd


def close_registration(uow: UnitOfWork, actor: Actor | None, round_id: int) -> RecruitmentRound:
    rnd = load(uow, round_id, for_update=True)
    if actor is not None:
        rnd = load_visible(uow, actor, round_id, for_update=True)
        require_officer(actor, rnd)
    fire(uow, actor, rnd, "close_registration")
    if actor is not None and rnd.registration_closes_at and rnd.registration_closes_at > uow.now:
        rnd.registration_closes_at = uow.now  # closed early by hand: the deadline ages are computed on
    timers.cancel(uow.session, CLOSE_REGISTRATION, CASE, rnd.id, now=uow.now)
    entered(uow, actor, rnd)
    return rnd


@timers.register(CLOSE_REGISTRATION)
def _close_registration_due(uow: UnitOfWork, timer: Timer) -> None:
    rnd = load(uow, timer.subject_id, for_update=True)
    if rnd.status == "registration":  # safe to fire twice: a closed or cancelled round is left alone
        close_registration(uow, None, rnd.id)


def advance(uow: UnitOfWork, actor: Actor, round_id: int, expected: str | None = None) -> RecruitmentRound:
    """Move to the next step the pinned order names, once every check of that step passes."""
    rnd = load_visible(uow, actor, round_id, for_update=True)
    require_officer(actor, rnd)
    target = next_state(rnd)
    if target is None or target in ("registration", "qualification_review"):
        event = "publish" if target == "registration" else "close_registration" if target else None
        if event == "close_registration":
            return close_registration(uow, actor, round_id)
        raise RuleViolation("当前环节不能直接进入下一环节", code="no_next_step", article="IM art. 8")
    if expected is not None and expected != target:
        raise Conflict(f"下一环节是「{_label(target)}」，不是「{_label(expected)}」", code="unexpected_step")
    problems = [msg for check in _preconditions.get(target, []) for msg in check(uow, rnd)]
    if problems:
        raise RuleViolation(
            f"尚不能进入「{_label(target)}」：" + "；".join(problems),
            code="step_not_ready",
            article="IM art. 8",
            details={"problems": problems},
        )
    fire(uow, actor, rnd, ENTERED_BY[target])
    entered(uow, actor, rnd)
    return rnd


def entered(uow: UnitOfWork, actor: Actor | None, rnd: RecruitmentRound) -> None:
    for fn in _on_enter.get(rnd.status, []):
        fn(uow, actor, rnd)


def _label(state: str) -> str:
    return RecruitmentRoundMachine.status_labels().get(state, state)


# Ending a round lives in its own module; its functions stay reachable as rounds.cancel / rounds.close.
from services.recruitment_round.ending import cancel as cancel  # noqa: E402
from services.recruitment_round.ending import close as close  # noqa: E402
