"""补充公告 / 更正公告 of a published round. An HR officer of the organising department previews and publishes a
numbered amendment (第N号); its changes are checked against the pinned profile's rules (amendment_rules),
then the round's effective values become the amended ones: the registration deadline (and the stored timer
that closes it), the announcement's text, the posts' texts. Exam times and places live in the amendments.
Refused as a whole, with every problem and its article, and then nothing is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models.recruitment_round import RecruitmentRound
from db.models.round_amendment import RoundAmendment
from db.repos import recruitment_round as round_repo
from db.repos import round_amendments as repo
from domain.actor import Actor
from domain.errors import Conflict, InvalidInput, RuleViolation
from policies.base import Sourced
from policies.sections.amendment import AmendmentRules
from services import audit, timers
from services.recruitment_round import amendment_rules as ar
from services.recruitment_round import amendment_text, rounds, screening
from services.uow import UnitOfWork

CONDITIONS_AS_OF = "conditions_as_of"  # the settings key screening reads (see screening.deadline_of)
ENDED = ("preparing", "closed", "cancelled")


@dataclass(frozen=True)
class AmendmentDraft:
    reason: str
    changes: Mapping[str, Any] = field(default_factory=dict)  # field key -> new value (see amendment_rules)
    title: str = ""  # default: 《round title》第N号补充公告
    body: str = ""  # the officer's own text (补充说明), after the list of changes
    expected_number: int | None = None  # the number previewed: refused if another was published since


@dataclass
class Prepared:
    """A checked amendment, as it would be published."""

    rnd: RecruitmentRound
    number: int
    title: str
    body: str
    reason: str
    changes: list[ar.Change]
    article: str


def rules_of(rnd: RecruitmentRound) -> Sourced[AmendmentRules]:
    profile = rounds.pinned(rnd)
    rules = profile.recruitment.announcement_amendment
    if rules is None:
        raise RuleViolation(
            "本次招聘固定的政策配置未规定补充公告：公告发布后不得变更",
            code="amendment_not_in_profile",
            article=profile.recruitment.exam.announcement_immutable.article,
        )
    return rules


def arranged(amendments: Sequence[RoundAmendment]) -> dict[str, Any]:
    """The exam times and places announced so far: {"written_exam.at": ISO text, "….place": text}."""
    out: dict[str, Any] = {}
    for a in amendments:
        for key, (_, new) in a.changes.items():
            if ar.item_key(key) == "arrangements":
                out[key] = new
    return out


def marks(amendments: Sequence[RoundAmendment]) -> dict[str, int]:
    """Which amendment (第N号, the latest) last changed each field."""
    return {key: a.number for a in amendments for key in a.changes}


def prepare(uow: UnitOfWork, rnd: RecruitmentRound, draft: AmendmentDraft) -> Prepared:
    """Every check, nothing written: raises with every problem (and its article) at once."""
    rules = rules_of(rnd)
    fixed_article = rounds.pinned(rnd).recruitment.exam.announcement_immutable.article
    if rnd.status == "preparing":
        raise RuleViolation(
            "招聘公告尚未发布：发布前请直接修改公告设置，无须补充公告",
            code="amendment_before_publish",
            article=rules.article,
        )
    if rnd.status in ENDED:
        raise RuleViolation(
            "本次招聘已结束或已取消，不能再发布补充公告", code="round_ended", article=rules.article
        )
    reason, title, own = draft.reason.strip(), draft.title.strip(), draft.body.strip()
    if not reason:
        raise InvalidInput("请填写发布补充公告的理由", code="reason_required", details={"field": "reason"})
    if len(reason) > 2_000 or len(own) > 20_000 or len(title) > 200:
        raise InvalidInput("理由、标题或正文过长", code="text_too_long", details={"field": "body"})
    amendments = repo.of_round(uow.session, rnd.id)
    posts = round_repo.posts_of(uow.session, rnd.id)
    checked = ar.check(
        rnd,
        posts,
        arranged(amendments),
        draft.changes,
        rules.value,
        seq=rounds.sequence(rnd),
        now=uow.now,
        fixed_article=fixed_article,
    )
    if not checked.changes and not checked.problems:
        if not own:
            raise InvalidInput(
                "补充公告没有任何内容：请填写更正事项或补充说明",
                code="amendment_empty",
                details={"field": "body"},
            )
        if rules.value.item("notes") is None:
            checked.problems.append(
                ar.Problem(
                    "amendment_not_allowed", "本地政策不允许以补充公告补充说明事项", rules.article, "body"
                )
            )
    _raise(checked.problems)
    number = repo.next_number(uow.session, rnd.id)
    articles = dict.fromkeys(c.item.article for c in checked.changes) or {_notes_article(rules): None}
    return Prepared(
        rnd=rnd,
        number=number,
        title=title or f"{rnd.title}第{number}号补充公告",
        body=amendment_text.compose(rnd.title, checked.changes, own, rules.value),
        reason=reason,
        changes=checked.changes,
        article="；".join(articles)[:200],
    )


def _notes_article(rules: Sourced[AmendmentRules]) -> str:
    item = rules.value.item("notes")
    return item.article if item is not None else rules.article


def _raise(problems: Sequence[ar.Problem]) -> None:
    if len(problems) == 1:
        p = problems[0]
        raise RuleViolation(p.message, code=p.code, article=p.article, details={"field": p.field})
    if problems:
        raise RuleViolation(
            f"不能发布补充公告，有{len(problems)}处不符合规定",
            code="amendment_refused",
            article="；".join(dict.fromkeys(p.article for p in problems))[:200],
            details={"problems": [p.as_dict() for p in problems]},
        )


def preview(uow: UnitOfWork, actor: Actor, round_id: int, draft: AmendmentDraft) -> Prepared:
    """The amendment as it would be published (its number, text and changes), or the refusal."""
    rnd = rounds.load_visible(uow, actor, round_id)
    rounds.require_officer(actor, rnd)
    return prepare(uow, rnd, draft)


def publish(uow: UnitOfWork, actor: Actor, round_id: int, draft: AmendmentDraft) -> RoundAmendment:
    """Publish 第N号补充公告: the round's values become the amended ones, an extended registration's close
    timer moves, one audit row with the article. The caller commits."""
    rnd = rounds.load_visible(uow, actor, round_id, for_update=True)
    rounds.require_officer(actor, rnd)
    p = prepare(uow, rnd, draft)
    if draft.expected_number is not None and draft.expected_number != p.number:
        raise Conflict(
            f"预览之后已有第{p.number - 1}号补充公告发布，请重新预览后再发布",
            code="amendment_stale",
            details={"expected": draft.expected_number, "next": p.number},
        )
    _apply(uow, rnd, p)
    row = repo.add(
        uow.session,
        RoundAmendment(
            round_id=rnd.id,
            number=p.number,
            title=p.title,
            body=p.body,
            changes={c.key: [c.old, c.new] for c in p.changes},
            reason=p.reason,
            round_status=rnd.status,
            article=p.article,
            created_by_id=actor.user_id,
            published_at=uow.now,
        ),
    )
    audit.defer(
        uow.session,
        uow.now,
        actor=actor,
        subject_type=rounds.CASE,
        subject_id=rnd.id,
        action="amend",
        from_state=rnd.status,
        to_state=rnd.status,
        opinion=p.reason,
        article=p.article,
        data={
            "number": p.number,
            "amendment": row.id,
            "title": p.title,
            "changes": {c.key: [c.old, c.new] for c in p.changes},
        },
    )
    return row


def _apply(uow: UnitOfWork, rnd: RecruitmentRound, p: Prepared) -> None:
    posts = {x.code: x for x in round_repo.posts_of(uow.session, rnd.id)}
    for c in p.changes:
        parts = c.key.split(".")
        if c.key == "registration_closes_at":
            if rules_of(rnd).value.conditions_date_unchanged and rnd.settings.get(CONDITIONS_AS_OF) is None:
                rnd.settings = {
                    **rnd.settings,
                    CONDITIONS_AS_OF: {
                        "value": screening.deadline_of(rnd).isoformat(),
                        "article": c.item.article,
                        "label": "年龄等资格条件计算截止日(原公布的报名截止日)",
                        "source": "amendment",
                    },
                }
            rnd.registration_closes_at = ar.moment(c.new)
            timers.schedule(
                uow.session,
                rounds.CLOSE_REGISTRATION,
                rounds.CASE,
                rnd.id,
                rnd.registration_closes_at,
                now=uow.now,
            )
        elif c.key == "announcement":
            rnd.announcement = c.new
        elif parts[0] == "post":
            setattr(posts[parts[1]], parts[2], c.new)
    rnd.updated_at = uow.now


def open_now(rnd: RecruitmentRound, amendments: Sequence[RoundAmendment], now: datetime) -> dict[str, Any]:
    """What an amendment may change at this moment (for the form): {"registration": bool, "steps": [...],
    "notes": bool}; empty when the profile allows none or the round is not under way."""
    rules = rounds.pinned(rnd).recruitment.announcement_amendment
    if rules is None or rnd.status in ENDED:
        return {}
    seq, done = rounds.sequence(rnd), arranged(amendments)

    def may(item_key: str, key: str) -> bool:
        item = rules.value.item(item_key)
        return item is not None and ar.window_problem(item, key, rnd, seq, done, now) is None

    steps = [s for s in ar.ARRANGED if s in seq and may("arrangements", f"{s}.at")]
    return {
        "registration": may("registration_closes_at", "registration_closes_at"),
        "announcement": may("announcement", "announcement"),
        "post_text": may("post_text", "post.x.title"),
        "steps": steps,
        "notes": rules.value.item("notes") is not None,
    }
