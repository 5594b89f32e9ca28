"""An audit row's content: the fields a caller gives, validated and normalised to exactly what the
database will hand back (so that the hash computed now is the one `verify` recomputes later)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from db.models.audit import canonical_json
from domain.actor import Actor
from domain.clock import CST
from domain.errors import InvalidInput

SYSTEM_NAME = "系统"
"""actor_name of rows written with no actor (timers, sweeps, batches)."""

_LIMITS = {
    "actor_name": 100,
    "actor_role": 40,
    "subject_type": 40,
    "action": 40,
    "from_state": 40,
    "to_state": 40,
    "article": 200,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditDraft:
    """One row for `record_many`: the arguments of `record`."""

    actor: Actor | None
    subject_type: str
    subject_id: int
    action: str
    from_state: str | None = None
    to_state: str | None = None
    opinion: str | None = None
    article: str | None = None
    data: Mapping[str, Any] | None = None
    actor_role: str | None = None


def content(now: datetime, d: AuditDraft) -> dict[str, Any]:
    """The row's content fields, validated and normalised to what the database will hand back."""
    if now.tzinfo is not None:
        now = now.astimezone(CST).replace(tzinfo=None)
    actor = d.actor
    role = _text(d.actor_role)
    if role is None and actor is not None:
        roles = actor.roles()
        if len(roles) == 1:
            role = next(iter(roles)).value
    row: dict[str, Any] = {
        "at": now,
        "actor_id": actor.user_id if actor is not None else None,
        "actor_name": (actor.display_name or actor.username) if actor is not None else SYSTEM_NAME,
        "actor_role": role,
        "subject_type": _text(d.subject_type),
        "subject_id": d.subject_id,
        "action": _text(d.action),
        "from_state": _text(d.from_state),
        "to_state": _text(d.to_state),
        "opinion": _text(d.opinion),
        "article": _text(d.article),
        "data": _data(d.data),
    }
    for name in ("subject_type", "action"):
        if not row[name]:
            raise InvalidInput(f"审计记录缺少 {name}", code="audit_invalid", details={"field": name})
    if not isinstance(d.subject_id, int) or isinstance(d.subject_id, bool):
        raise InvalidInput(
            "审计记录的 subject_id 必须为整数", code="audit_invalid", details={"field": "subject_id"}
        )
    for name, limit in _LIMITS.items():
        value = row[name]
        if value is not None and len(value) > limit:
            raise InvalidInput(
                f"审计记录的 {name} 超过 {limit} 个字符",
                code="audit_invalid",
                details={"field": name, "max": limit},
            )
    for name in ("opinion", "actor_name", "article"):
        if row[name] is not None and "\x00" in row[name]:
            raise InvalidInput(f"审计记录的 {name} 含有空字符", code="audit_invalid", details={"field": name})
    return row


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    return str(value.value) if isinstance(value, Enum) else str(value)


def _data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Round-trip through canonical JSON, so that the dict hashed now equals the one read back later."""
    if not data:
        return {}
    try:
        out: dict[str, Any] = json.loads(canonical_json(_jsonable(data)))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"审计记录的 data 无法序列化为 JSON：{exc}", code="audit_invalid", details={"field": "data"}
        ) from exc
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(_jsonable(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=canonical_json) if isinstance(value, set | frozenset) else items
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value
