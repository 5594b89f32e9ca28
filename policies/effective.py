"""The merged profile for a chain of profile keys on a date: what a procedure instance pins when it starts.

`to_json()` gives a JSON-able dict (store it in a JSON column); `EffectiveProfile.from_json()` restores it
exactly, so a later edit of the data files does not change a running case. `fingerprint` is the sha256
of the canonical JSON form (without the fingerprint itself).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from pydantic import BaseModel

from policies.base import CitedValue, Frozen, Provenance
from policies.chains import ApprovalChain
from policies.errors import PolicyError
from policies.models import ProfileBody, ProfileMeta
from policies.schema import get_path, leaf_types


class ExplainRow(Frozen):
    """One line of 'where does this value come from'."""

    path: str
    value: Any  # JSON-able
    display: str  # the value for people
    article: str
    basis: str
    source_key: str | None
    effective_from: date | None
    effective_until: date | None = None
    note: str | None = None


class EffectiveProfile(ProfileBody):
    chain: list[str]  # profile keys, root (national) first
    on: date
    metas: list[ProfileMeta]
    fingerprint: str = ""

    @property
    def meta(self) -> ProfileMeta:
        """The metadata of the most specific profile of the chain."""
        return self.metas[-1]

    def content_hash(self) -> str:
        """The hash of this profile's JSON form (without the fingerprint)."""
        return _hash(self.model_dump(mode="json", exclude={"fingerprint"}))

    def with_fingerprint(self) -> EffectiveProfile:
        return self.model_copy(update={"fingerprint": self.content_hash()})

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: dict[str, Any], *, verify: bool = True) -> EffectiveProfile:
        """Restore a pinned profile. With `verify`, the stored JSON is hashed as stored and checked against
        its fingerprint (so a later, compatible change of the models does not break old pins); a mismatch
        raises PolicyError (the pinned JSON was altered)."""
        stored = data.get("fingerprint")
        if verify and stored:
            actual = _hash({k: v for k, v in data.items() if k != "fingerprint"})
            if actual != stored:
                raise PolicyError(
                    "固定的政策配置内容与其指纹不符，可能被改动",
                    code="policy_fingerprint_mismatch",
                    details={"fingerprint": stored, "actual": actual, "chain": data.get("chain")},
                )
        return cls.model_validate(data)

    def leaf(self, path: str) -> Provenance | None:
        """The leaf at a dotted path (e.g. 'recruitment.plan_approval'), or None where no profile sets it."""
        if path not in leaf_types():
            raise KeyError(path)
        value = get_path(self, path)
        return value if isinstance(value, Provenance) else None

    def explain(self) -> list[ExplainRow]:
        """Every value set in the profile, with its article, basis, source profile and start date; for an
        approval chain, one row for the chain and one per step and per step deadline."""
        rows: list[ExplainRow] = []
        for path in leaf_types():
            leaf = self.leaf(path)
            if leaf is not None:
                rows.extend(_rows_for(path, leaf))
        return rows


def _hash(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rows_for(path: str, leaf: Provenance) -> list[ExplainRow]:
    common = {
        "source_key": leaf.source_key,
        "effective_from": leaf.effective_from,
        "effective_until": leaf.effective_until,
    }
    if isinstance(leaf, ApprovalChain):
        rows = [
            ExplainRow(
                path=path,
                value=[s.key for s in leaf.steps],
                display=f"{leaf.label}: {leaf.describe()}",
                article=leaf.article,
                basis=leaf.basis.value,
                note=leaf.note,
                **common,
            )
        ]
        for i, step in enumerate(leaf.steps):
            only = (
                f"(仅适用于{'、'.join(lv.label for lv in step.only_for_organiser_levels)}组织的)"
                if step.only_for_organiser_levels
                else ""
            )
            rows.append(
                ExplainRow(
                    path=f"{path}.steps[{i}]",
                    value=step.model_dump(mode="json", exclude={"due_working_days"}),
                    display=f"{only}{step.label}: {step.describe()}",
                    article=step.article,
                    basis=step.basis.value,
                    note=step.note,
                    **common,
                )
            )
            rows.append(_cited_row(f"{path}.steps[{i}].due_working_days", step.due_working_days, common))
        return rows
    value = getattr(leaf, "value", None)
    return [
        ExplainRow(
            path=path,
            value=_jsonable(value),
            display=display(value),
            article=leaf.article,
            basis=leaf.basis.value,
            note=leaf.note,
            **common,
        )
    ]


def _cited_row(path: str, cited: CitedValue[int], common: dict[str, Any]) -> ExplainRow:
    return ExplainRow(
        path=path,
        value=cited.value,
        display=f"{cited.value}个工作日",
        article=cited.article,
        basis=cited.basis.value,
        note=cited.note,
        **common,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def display(value: Any) -> str:
    """A short rendering of a value for people."""
    if value is None:
        return "(未规定)"
    if isinstance(value, bool):
        return "是" if value else "否"
    describe = getattr(value, "describe", None)
    if callable(describe):
        return str(describe())
    label = getattr(value, "label", None)
    if isinstance(label, str):
        return label
    if isinstance(value, list):
        return "、".join(display(v) for v in value) or "(无)"
    if isinstance(value, dict):
        return "，".join(f"{k}={display(v)}" for k, v in value.items())
    if isinstance(value, BaseModel):
        return "，".join(f"{k}={display(v)}" for k, v in value.model_dump().items())
    return str(value)
