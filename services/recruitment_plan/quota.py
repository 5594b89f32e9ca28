"""Staffing quota check of a recruitment plan (live headroom while drafting, refusal on submit).

Two rules, as the pinned profile says:
- workers per 10,000 urban permanent residents over the organising jurisdiction (IM art. 5: 18;
  中办发〔2024〕33号 nationally): cap = floor(urban population x ratio / 10,000);
- where the profile has it, households per worker per community (OR art. 3: one per 200 households):
  cap = floor(households / ratio).
Against each cap count the workers in post, the posts of other live plans, and this plan's posts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from db.models.org import Jurisdiction
from db.repos import recruitment_plan as repo


@dataclass(frozen=True)
class QuotaRules:
    workers_per_10k: float | None
    workers_per_10k_article: str | None
    households_per_worker: int | None
    households_per_worker_article: str | None


@dataclass(frozen=True)
class QuotaLine:
    scope: str  # jurisdiction name
    jurisdiction_id: int
    basis: str  # 'population' | 'households'
    base: int | None  # population or households; None when unknown
    cap: int | None
    staffed: int
    pending: int
    requested: int
    article: str

    @property
    def headroom(self) -> int | None:
        return None if self.cap is None else self.cap - self.staffed - self.pending

    @property
    def ok(self) -> bool:
        h = self.headroom
        return h is not None and self.requested <= h

    def message(self) -> str:
        what = "城镇常住人口" if self.basis == "population" else "实际常住户数"
        if self.cap is None:
            return f"{self.scope}缺少{what}数据，无法核定社区工作者配备总量"
        return (
            f"{self.scope}按{what} {self.base} 核定配备上限 {self.cap} 人，现有在岗 {self.staffed} 人、"
            f"其他在审或已批方案 {self.pending} 人，尚可招聘 {max(self.headroom or 0, 0)} 人，"
            f"本方案申请 {self.requested} 人"
        )


@dataclass(frozen=True)
class QuotaCheck:
    lines: list[QuotaLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    @property
    def problems(self) -> list[QuotaLine]:
        return [line for line in self.lines if not line.ok]


def check(
    session: Session,
    rules: QuotaRules,
    organiser: Jurisdiction,
    requested: Mapping[int, int],
    *,
    exclude_plan_id: int | None = None,
) -> QuotaCheck:
    """`requested`: posts per community id (all within the organiser's subtree)."""
    communities = repo.communities_under(session, organiser.path)
    ids = [c.id for c in communities]
    staffed = repo.staffed_by_community(session, ids)
    pending = repo.pending_by_community(session, ids, exclude_plan_id=exclude_plan_id)
    lines: list[QuotaLine] = []
    if rules.workers_per_10k is not None:
        population = organiser.urban_population
        if population is None and communities:
            known = [c.urban_population for c in communities if c.urban_population is not None]
            population = sum(known) if known else None
        cap = None if population is None else int(population * rules.workers_per_10k // 10000)
        lines.append(
            QuotaLine(
                scope=organiser.name,
                jurisdiction_id=organiser.id,
                basis="population",
                base=population,
                cap=cap,
                staffed=sum(staffed.values()),
                pending=sum(pending.values()),
                requested=sum(requested.values()),
                article=rules.workers_per_10k_article or "",
            )
        )
    if rules.households_per_worker:
        for c in communities:
            if c.id not in requested:
                continue
            cap = None if c.households is None else c.households // rules.households_per_worker
            lines.append(
                QuotaLine(
                    scope=c.name,
                    jurisdiction_id=c.id,
                    basis="households",
                    base=c.households,
                    cap=cap,
                    staffed=staffed.get(c.id, 0),
                    pending=pending.get(c.id, 0),
                    requested=requested[c.id],
                    article=rules.households_per_worker_article or "",
                )
            )
    return QuotaCheck(lines)
