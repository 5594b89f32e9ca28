"""What the round's overview shows (page and API), read in the caller's unit of work from the round
services and the round repository (no SQL here): the step bar, the settings with their articles, the funnel
per post, batch runs, the officer's actions, the history; labels shared by the round's pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from db.models.recruitment_round import BatchRun, RecruitmentRound, RoundPost
from db.repos import recruitment_round as repo
from domain.actor import Actor
from domain.enums import Role
from domain.ranking import Rounding, TieBreak, VacancyRefill
from policies.sections.recruitment import RECRUITMENT_STEP_LABELS
from services import audit, org
from services.recruitment_round import batch, rounds
from services.recruitment_round import settings as rs
from services.recruitment_round.amendment_rules import label_of
from services.uow import UnitOfWork
from states.application import PAST_QUALIFICATION, ApplicationMachine
from states.recruitment_round import RecruitmentRoundMachine

ROUND_LABELS = RecruitmentRoundMachine.status_labels()
APP_LABELS = ApplicationMachine.status_labels()
POST_LABELS = {"open": "招聘中", "cut": "已核减", "cancelled": "已取消"}
TRACK_LABELS = {"open_exam": "公开考试招聘", "programme_conversion": "服务基层项目人员直接考核"}
KIND_LABELS = {k.key: k.label for k in batch.KINDS.values()}
SUMMARY_LABELS = {
    **ApplicationMachine.status_labels(),
    "screened": "审查", "assigned": "编排准考证", "total": "合计", "tied_in": "末位同分进入",
    "undecided_posts": "待定岗位", "unresolved_posts": "同分待定岗位", "posts": "岗位", "short": "未达开考比例",
    "opened": "报批岗位", "waiting": "待批岗位", "kept": "保留岗位", "held": "暂缓", "notice_closes_at": "公示截止",
    "error_code": "错误代码",
}  # fmt: skip
BATCH_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
ACTIVE = ("registration", "qualification_review", "written_exam", "interview", "assessment",
          "physical_exam", "investigation", "public_notice", "hiring")  # fmt: skip


def may_review(actor: Actor, rnd: RecruitmentRound) -> bool:
    return actor.in_group(rnd.department_id, Role.APPROVER)


_ENUMS: dict[str, Any] = {"rounding": Rounding, "tie_breaks": TieBreak, "vacancy_refill": VacancyRefill}
_CHOICE_TEXT = {
    "notice_unit": {"calendar": "自然日", "working": "工作日"},
    "name_order": {"surname_strokes": "按姓氏笔画", "ranking": "按成绩排名", "pinyin": "按姓氏拼音"},
}


def _one(key: str, v: Any) -> str:
    if key == "steps":
        return RECRUITMENT_STEP_LABELS.get(str(v), str(v))
    enum = _ENUMS.get(key)
    if enum is not None:
        try:
            return str(enum(v).label)
        except ValueError:
            return str(v)
    return _CHOICE_TEXT.get(key, {}).get(str(v), str(v))


def setting_text(key: str, value: Any) -> str:
    """A setting's value as people read it (labels, not keys)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return (" → " if key in ("steps", "tie_breaks") else "、").join(_one(key, v) for v in value)
    return _one(key, value)


def settings_rows(rnd: RecruitmentRound) -> list[dict[str, Any]]:
    return [{**row, "text": setting_text(row["key"], row["value"])} for row in rs.table(rnd.settings)]


@dataclass
class PostRow:
    post: RoundPost
    community: str
    counts: dict[str, int]
    total: int
    qualified: int


@dataclass
class Overview:
    rnd: RecruitmentRound
    jurisdiction: str
    department: str
    officer: bool
    reviewer: bool
    steps: list[tuple[str, str, str]]  # (state, label, done|current|todo)
    next_state: str | None
    settings: list[dict[str, Any]]
    posts: list[PostRow]
    columns: list[tuple[str, str]]  # funnel columns (status, label)
    totals: dict[str, int]
    batches: list[BatchRun]
    running: bool
    actions: list[str]
    kinds: list[tuple[str, str]]
    history: list[Any] = field(default_factory=list)
    diagram: str = ""

    @property
    def label(self) -> str:
        return ROUND_LABELS.get(self.rnd.status, self.rnd.status)


def step_bar(rnd: RecruitmentRound) -> list[tuple[str, str, str]]:
    seq = rounds.sequence(rnd)
    at = seq.index(rnd.status) if rnd.status in seq else -1
    return [
        (
            s,
            ROUND_LABELS.get(s, s),
            "done" if i < at or rnd.status == "closed" else "current" if i == at else "todo",
        )
        for i, s in enumerate(seq)
    ]


def funnel(
    uow: UnitOfWork, rnd: RecruitmentRound
) -> tuple[list[PostRow], list[tuple[str, str]], dict[str, int]]:
    """Per post: the applications in each state now, the total registered and those past qualification."""
    counts = repo.status_counts(uow.session, rnd.id)
    places = repo.post_places(uow.session, rnd.id)
    present = {s for (_, s) in counts}
    always = {"registered", "pending_review", "qualified", "rejected"}
    columns = [(s, APP_LABELS[s]) for s in APP_LABELS if s in present or s in always]
    rows, totals = [], {"_total": 0, "_qualified": 0}
    for p in repo.posts_of(uow.session, rnd.id):
        mine = {s: n for (pid, s), n in counts.items() if pid == p.id}
        row = PostRow(p, places.get(p.id, ("", "", ""))[1], mine, sum(mine.values()),
                      sum(n for s, n in mine.items() if s in PAST_QUALIFICATION))  # fmt: skip
        rows.append(row)
        for s, n in mine.items():
            totals[s] = totals.get(s, 0) + n
        totals["_total"] += row.total
        totals["_qualified"] += row.qualified
    return rows, columns, totals


def batch_kinds(rnd: RecruitmentRound) -> list[tuple[str, str]]:
    """(key, label) of the batch steps the round's current step offers (those whose module exists)."""
    return [(k.key, k.label) for k in batch.KINDS.values() if rnd.status in k.states and k.available]


def officer_actions(rnd: RecruitmentRound) -> list[str]:
    """The officer's buttons now; batch steps are listed as 'batch:<kind>'. Entering the public notice is
    the notice batch where it exists (it proposes the hires), so the plain advance is not offered then."""
    s = rnd.status
    kinds = [k for k, _ in batch_kinds(rnd)]
    out: list[str] = []
    if s == "preparing":
        out += ["setup", "publish"]
    elif s == "registration":
        out += ["import", "close_registration"]
    elif s == "hiring":
        out.append("close")
    elif s in ACTIVE and not (rounds.next_state(rnd) == "public_notice" and "notice" in kinds):
        out.append("advance")
    out += [f"batch:{k}" for k in kinds]
    if s not in ("closed", "cancelled"):
        out.append("cancel")
    return out


def overview(uow: UnitOfWork, actor: Actor, round_id: int) -> Overview:
    rnd = rounds.load_visible(uow, actor, round_id)
    officer = rounds.is_officer(actor, rnd)
    posts, columns, totals = funnel(uow, rnd)
    batches = repo.batches_of(uow.session, rnd.id)
    return Overview(
        rnd=rnd,
        jurisdiction=org.get_jurisdiction(uow.session, rnd.jurisdiction_id).name,
        department=org.get_department(uow.session, rnd.department_id).name,
        officer=officer,
        reviewer=may_review(actor, rnd),
        steps=step_bar(rnd),
        next_state=rounds.next_state(rnd),
        settings=settings_rows(rnd),
        posts=posts,
        columns=columns,
        totals=totals,
        batches=batches,
        running=any(b.status in ("queued", "running") for b in batches),
        actions=officer_actions(rnd) if officer else [],
        kinds=batch_kinds(rnd) if officer else [],
        history=audit.history(uow.session, rounds.CASE, rnd.id),
        diagram=RecruitmentRoundMachine.mermaid(rnd.status),
    )


def visible_rounds(uow: UnitOfWork, actor: Actor) -> list[RecruitmentRound]:
    return repo.rounds_under(uow.session, sorted(actor.scope_paths()))


ROUND_EVENTS = {
    **RecruitmentRoundMachine.event_labels,
    "create": "发起招聘",
    "edit": "修改公告设置",
    "screen": "资格初审",
    "import_applications": "导入报名信息",
    "request_batch": "提交批处理",
    "check_opening": "核定开考比例",
    "assign_admit_tickets": "编排准考证号",
    "shortlist": "确定面试人选",
    "rank": "综合成绩排名",
    "import_written_scores": "导入笔试成绩",
    "import_interview_scores": "导入面试成绩",
    "resolve_tie": "研究确定同分人员顺序",
    "amend": "发布补充公告",
    "notice_period": "确定公示期",
    "refill": "递补",
    "vacancy": "岗位空缺",
    "refill_tie": "递补人选同分待定",
    "supplementary_notice": "递补人员公示",
}
APP_EVENTS = {
    **ApplicationMachine.event_labels,
    "register": "报名",
    "edit": "修改报名信息",
    "declare_recusal": "声明回避",
    "open_step": "生成人工审核任务",
    "claim": "签收",
    "complete": "审核办结",
    "cancel_tasks": "取消待办",
    "remind": "催办",
    "escalate": "督办",
    "written_score": "录入笔试成绩",
    "interview_score": "录入面试成绩",
    "resolve_tie": "研究确定同分人员顺序",
    "physical_exam": "录入体检结论",
    "request_retest": "申请复检",
    "retest": "录入复检结论",
    "investigation": "录入考察结论",
    "resolve_objection": "异议核查结论",
    "notice_ended": "递补人员公示期满",
}


def history_note(e: Any) -> str:
    """The data of an audit row worth reading (what a batch did, what was missing, where it came from)."""
    d = e.data or {}
    if e.action == "screen":
        return (f"共{d.get('screened', 0)}人：通过{d.get('qualified', 0)}，不通过{d.get('rejected', 0)}，"
                f"转人工审核{d.get('pending_review', 0)}")  # fmt: skip
    if e.action == "import_applications":
        return f"导入{d.get('rows', 0)}人"
    if e.action in ("import_written_scores", "import_interview_scores"):
        return f"导入{d.get('imported', 0)}人，缺考{d.get('absent', 0)}人"
    if d.get("missing"):
        return "需补正：" + "；".join(d["missing"])
    if e.action == "request_batch":
        return f"{KIND_LABELS.get(str(d.get('kind')), d.get('kind', ''))} #{d.get('batch', '')}"
    if e.action == "amend":
        return f"第{d.get('number', '')}号：{'、'.join(label_of(k) for k in d.get('changes') or {}) or '补充说明'}"
    if e.action == "register":
        return f"岗位 {d.get('post', '')}（{'导入' if d.get('via') == 'import' else '网上报名'}）"
    return ""
