"""Read models of the policy pages, API and CLI: the profiles of the catalog, and a jurisdiction's
effective profile on a date with the source of every value (explain() rows), grouped by section."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.enums import Level
from domain.errors import NotFound
from policies.base import BASIS_LABELS, Basis
from policies.errors import UnknownProfile
from policies.loader import load_catalog
from policies.models import ProfileBody
from services import org
from services.uow import UnitOfWork

SECTION_LABELS = {
    "staffing": "人员配备",
    "recruitment": "招聘",
    "probation": "试用期",
    "contract": "劳动合同",
    "appraisal": "年度考核",
    "secondment": "借调",
    "exit": "退出",
    "pay": "薪酬待遇",
    "training": "教育培训",
    "career": "职业发展",
    "tasks": "待办与期限",
    "governance": "管理监督",
}
STATUS_LABELS = {"in_force": "现行有效", "draft": "征求意见稿（作为本地规定使用）", "compilation": "汇编"}


@dataclass(frozen=True)
class ProfileListing:
    key: str
    name: str
    short_name: str
    document_title: str
    document_number: str | None
    document_date: date | None
    effective_from: date
    parent: str | None
    jurisdiction: str
    status: str
    note: str | None
    chain: list[str]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "short_name": self.short_name,
            "document_title": self.document_title,
            "document_number": self.document_number,
            "document_date": self.document_date.isoformat() if self.document_date else None,
            "effective_from": self.effective_from.isoformat(),
            "parent": self.parent,
            "jurisdiction": self.jurisdiction,
            "status": self.status,
            "status_label": self.status_label,
            "note": self.note,
            "chain": self.chain,
        }


def profiles() -> list[ProfileListing]:
    """Every profile of the catalog, each after its parent."""
    catalog = load_catalog()
    out = []
    ordered = catalog.keys()  # parents before children
    for key in ordered:
        m = catalog.meta(key)
        out.append(
            ProfileListing(
                key=m.key,
                name=m.name,
                short_name=m.short_name,
                document_title=m.document_title,
                document_number=m.document_number,
                document_date=m.document_date,
                effective_from=m.effective_from,
                parent=m.parent,
                jurisdiction=m.jurisdiction,
                status=str(m.status),
                note=m.note,
                chain=catalog.chain_for(key),
            )
        )
    return out


@dataclass(frozen=True)
class PolicyRow:
    section: str
    path: str
    display: str
    value: Any
    article: str
    basis: str
    basis_label: str
    source_key: str | None
    source_name: str
    effective_from: date | None
    effective_until: date | None
    note: str | None

    def matches(self, q: str) -> bool:
        hay = " ".join(
            str(x or "")
            for x in (
                self.path,
                self.display,
                self.article,
                self.basis_label,
                self.source_key,
                self.source_name,
                self.note,
                SECTION_LABELS.get(self.section, self.section),
            )
        )
        return q.lower() in hay.lower()

    def to_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "path": self.path,
            "display": self.display,
            "value": self.value,
            "article": self.article,
            "basis": self.basis,
            "basis_label": self.basis_label,
            "source_key": self.source_key,
            "source_name": self.source_name,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_until": self.effective_until.isoformat() if self.effective_until else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    rows: list[PolicyRow]


@dataclass(frozen=True)
class JurisdictionPolicy:
    code: str
    name: str
    level: Level
    policy_keys: list[str]  # the policy_key of the node and its ancestors, root first
    chain: list[str]  # the resolved profile chain (national first)
    chain_names: list[str]
    on: date
    fingerprint: str
    rows: list[PolicyRow]
    query: str = ""
    sections: list[Section] = field(default_factory=list)
    total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level.value,
            "level_label": self.level.label,
            "policy_keys": self.policy_keys,
            "chain": self.chain,
            "chain_names": self.chain_names,
            "on": self.on.isoformat(),
            "fingerprint": self.fingerprint,
            "query": self.query,
            "total": self.total,
            "rows": [r.to_dict() for r in self.rows],
        }


def _basis_label(basis: str) -> str:
    try:
        return BASIS_LABELS[Basis(basis)]
    except ValueError:
        return basis


def for_jurisdiction(
    uow: UnitOfWork, code: str, *, on: date | None = None, q: str | None = None
) -> JurisdictionPolicy:
    """The effective profile of a jurisdiction on `on` (default: the unit of work's today), every value with
    its source; rows filtered by `q` (path, value, article, basis, source or note, case-insensitive)."""
    node = org.jurisdiction_by_code(uow.session, code)
    keys = org.policy_keys_for(uow.session, node.id)
    day = on or uow.now.date()
    catalog = load_catalog()
    try:
        profile = catalog.resolve(keys, day)
    except UnknownProfile as exc:
        raise NotFound(
            f"区划“{node.name}”的政策配置链（{' → '.join(keys)}）引用了未定义的政策配置：{exc.message}",
            code="policy_unknown",
            details={"code": node.code, "keys": keys},
        ) from exc
    names = {k: catalog.meta(k).name for k in profile.chain}
    rows: list[PolicyRow] = []
    for e in profile.explain():
        d = e.model_dump()
        rows.append(
            PolicyRow(
                section=e.path.split(".", 1)[0],
                path=e.path,
                display=e.display,
                value=d.get("value"),
                article=e.article,
                basis=e.basis,
                basis_label=_basis_label(e.basis),
                source_key=e.source_key,
                source_name=names.get(e.source_key or "", e.source_key or ""),
                effective_from=e.effective_from,
                effective_until=d.get("effective_until"),
                note=e.note,
            )
        )
    total = len(rows)
    query = (q or "").strip()
    if query:
        rows = [r for r in rows if r.matches(query)]
    order = list(ProfileBody.model_fields)
    grouped: dict[str, list[PolicyRow]] = {}
    for r in rows:
        grouped.setdefault(r.section, []).append(r)
    sections = [
        Section(k, SECTION_LABELS.get(k, k), grouped[k])
        for k in sorted(grouped, key=lambda s: order.index(s) if s in order else len(order))
    ]
    return JurisdictionPolicy(
        code=node.code,
        name=node.name,
        level=Level(node.level),
        policy_keys=keys,
        chain=profile.chain,
        chain_names=[names[k] for k in profile.chain],
        on=day,
        fingerprint=profile.fingerprint,
        rows=rows,
        query=query,
        sections=sections,
        total=total,
    )
