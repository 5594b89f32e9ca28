"""What the round's pages show of its supplementary announcements (补充公告), read in the caller's unit of
work: the list, the exam times and places announced, which fields were amended (the mark on the public
announcement), and the officer's form (what may change now, its values, a preview or a refusal in place)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models.recruitment_round import RecruitmentRound, RoundPost
from db.models.round_amendment import RoundAmendment
from db.repos import recruitment_round as round_repo
from db.repos import round_amendments as repo
from domain.actor import Actor
from domain.errors import ShegongError
from policies.sections.amendment import AmendmentRules
from services.recruitment_round import amendment_rules as ar
from services.recruitment_round import amendments, rounds
from services.uow import UnitOfWork

TEXT_FIELDS = ("title", "body", "reason")


@dataclass(frozen=True)
class Arrangement:
    step: str
    label: str
    at: datetime | None
    place: str | None


@dataclass(frozen=True)
class ChangeRow:
    key: str
    label: str
    old: str
    new: str


@dataclass
class Card:
    """The round page's card: the list for everyone who sees the round, the form for its officer."""

    rnd: RecruitmentRound
    items: list[RoundAmendment]
    arrangements: list[Arrangement]
    marks: dict[str, int]
    officer: bool
    may: dict[str, Any]  # amendments.open_now: what may change now ({} : nothing)
    rules: AmendmentRules | None
    posts: list[RoundPost]
    form: dict[str, str]
    current: dict[str, str]  # the form's values before any edit (the round's effective values)
    preview: amendments.Prepared | None = None
    preview_rows: list[ChangeRow] = field(default_factory=list)
    error: ShegongError | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field -> message

    @property
    def open(self) -> bool:
        return self.officer and bool(self.may)

    def rows(self, a: RoundAmendment) -> list[ChangeRow]:
        return change_rows(a.changes)

    def unfold(self, prefix: str) -> bool:
        """Whether a folded part of the form shows: a field in it was edited or refused."""
        keys = [k for k in self.form if k.startswith(prefix)]
        return any(k in self.errors or self.form[k] != self.current.get(k) for k in keys)

    def confirm_fields(self) -> dict[str, str]:
        """What 确认发布 sends: exactly the previewed changes, the texts, and the number previewed (refused
        if another amendment was published since)."""
        if self.preview is None:
            return {}
        out = {c.key: self.form.get(c.key, "") for c in self.preview.changes}
        out.update({k: self.form.get(k, "") for k in TEXT_FIELDS})
        out["expected_number"] = str(self.preview.number)
        return out


def show(key: str, value: Any) -> str:
    """A stored value as people read it (moments as 'YYYY-MM-DD HH:MM', nothing as '—')."""
    if value in (None, ""):
        return "—"
    if key == "registration_closes_at" or key.endswith(".at"):
        return ar.moment(str(value)).strftime("%Y-%m-%d %H:%M")
    return str(value)


def change_rows(changes: dict[str, Any]) -> list[ChangeRow]:
    """A change per row; the announcement's text is too long for a cell: its start only."""

    def cell(k: str, v: Any) -> str:
        text = show(k, v)
        return text[:40] + "…" if k == "announcement" and len(text) > 40 else text

    return [ChangeRow(k, ar.label_of(k), cell(k, old), cell(k, new)) for k, (old, new) in changes.items()]


def arrangements_of(rnd: RecruitmentRound, items: list[RoundAmendment]) -> list[Arrangement]:
    done = amendments.arranged(items)
    out = []
    for step in (s for s in rounds.sequence(rnd) if s in ar.ARRANGED):
        at, place = done.get(f"{step}.at"), done.get(f"{step}.place")
        if at is not None or place is not None:
            out.append(Arrangement(step, ar.STEP_LABELS[step], ar.moment(at) if at else None, place))
    return out


def form_values(rnd: RecruitmentRound, posts: list[RoundPost], items: list[RoundAmendment]) -> dict[str, str]:
    """The form's fields with the round's current (effective) values."""
    out: dict[str, str] = {k: "" for k in TEXT_FIELDS}
    closes = rnd.registration_closes_at
    out["registration_closes_at"] = closes.strftime("%Y-%m-%dT%H:%M") if closes else ""
    out["announcement"] = rnd.announcement
    for p in posts:
        out[f"post.{p.code}.title"], out[f"post.{p.code}.conditions"] = p.title, p.conditions
    for key, value in amendments.arranged(items).items():
        out[key] = (value or "")[:16]
    return out


def card(
    uow: UnitOfWork,
    actor: Actor,
    rnd: RecruitmentRound,
    *,
    form: dict[str, str] | None = None,
    preview: amendments.Prepared | None = None,
    error: ShegongError | None = None,
) -> Card:
    items = repo.of_round(uow.session, rnd.id)
    posts = round_repo.posts_of(uow.session, rnd.id)
    officer = rounds.is_officer(actor, rnd)
    rules = rounds.pinned(rnd).recruitment.announcement_amendment
    current = form_values(rnd, posts, items)
    values = {**current, **(form or {})}
    return Card(
        rnd=rnd,
        items=items,
        arrangements=arrangements_of(rnd, items),
        marks=amendments.marks(items),
        officer=officer,
        may=amendments.open_now(rnd, items, uow.now) if officer else {},
        rules=rules.value if rules is not None else None,
        posts=posts,
        form=values,
        current=current,
        preview=preview,
        preview_rows=change_rows({c.key: [c.old, c.new] for c in preview.changes}) if preview else [],
        error=error,
        errors=field_errors(error),
    )


def field_errors(error: ShegongError | None) -> dict[str, str]:
    if error is None:
        return {}
    out = {str(p.get("field", "")): str(p.get("message", "")) for p in error.details.get("problems", [])}
    if "field" in error.details:
        out.setdefault(str(error.details["field"]), error.message)
    return out


def public(uow: UnitOfWork, rnd: RecruitmentRound) -> dict[str, Any]:
    """For the public announcement: the amendments, the exam arrangements, the marks of amended fields."""
    items = repo.of_round(uow.session, rnd.id)
    return {
        "amendments": items,
        "arrangements": arrangements_of(rnd, items),
        "marks": amendments.marks(items),
        "change_rows": change_rows,
    }
