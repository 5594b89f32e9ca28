"""The audit chain's canonical form and row normalisation, without a database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from db.models.audit import GENESIS, canonical_bytes, entry_hash
from domain.actor import Actor, Membership
from domain.enums import DeptKind, Role
from domain.errors import InvalidInput
from services.audit import SYSTEM_NAME, AuditDraft, _content

AT = datetime(2026, 3, 1, 9, 30, 0, 123456)


def _row(**over: object) -> dict[str, object]:
    row: dict[str, object] = {
        "seq": 1,
        "at": AT,
        "actor_id": 7,
        "actor_name": "张三",
        "actor_role": "approver",
        "subject_type": "recruitment_plan",
        "subject_id": 42,
        "action": "approve",
        "from_state": "submitted",
        "to_state": "approved",
        "opinion": "同意",
        "article": "IM art. 8",
        "data": {"department": "民政局", "b": 1, "a": [1, 2]},
        "prev_hash": GENESIS,
    }
    row.update(over)
    return row


def _actor(*roles: Role) -> Actor:
    ms = tuple(Membership(1, DeptKind.CIVIL_AFFAIRS, "民政局", 1, "某区", "/1/", "county", r) for r in roles)
    return Actor(user_id=7, username="zs", display_name="张三", memberships=ms)


def test_canonical_form_is_fixed() -> None:
    b = canonical_bytes(_row())
    text = b.decode("utf-8")
    assert text.startswith('{"action":"approve","actor_id":7,')
    assert '"at":"2026-03-01T09:30:00.123456"' in text
    assert '"data":{"a":[1,2],"b":1,"department":"民政局"}' in text  # sorted keys, no escapes, no spaces
    assert text.endswith(
        f'"prev_hash":"{GENESIS}","seq":1,"subject_id":42,'
        '"subject_type":"recruitment_plan","to_state":"approved"}'
    )
    assert entry_hash(_row()) == hashlib.sha256(b).hexdigest()


def test_key_order_of_data_does_not_matter() -> None:
    assert entry_hash(_row(data={"b": 1, "a": 2})) == entry_hash(_row(data={"a": 2, "b": 1}))


@pytest.mark.parametrize(
    "field, value",
    [
        ("seq", 2),
        ("at", AT.replace(microsecond=0)),
        ("actor_id", None),
        ("opinion", "不同意"),
        ("article", "IM art. 9"),
        ("data", {}),
        ("prev_hash", "1" * 64),
        ("to_state", None),
    ],
)
def test_every_field_is_covered(field: str, value: object) -> None:
    assert entry_hash(_row(**{field: value})) != entry_hash(_row())


def test_content_normalises_enums_roles_and_data() -> None:
    row = _content(
        datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        AuditDraft(
            actor=_actor(Role.APPROVER),
            subject_type="task",
            subject_id=5,
            action="claim",
            data={"role": Role.LEADER, "when": datetime(2026, 1, 2), "amount": Decimal("1.50"), 3: (1, 2)},
        ),
    )
    assert row["at"] == datetime(2026, 3, 1, 9, 30)  # to naive CST
    assert row["actor_role"] == "approver"  # the only role held
    assert row["data"] == {"role": "leader", "when": "2026-01-02T00:00:00", "amount": "1.50", "3": [1, 2]}


def test_system_actor_and_ambiguous_role() -> None:
    row = _content(AT, AuditDraft(actor=None, subject_type="task", subject_id=5, action="escalate"))
    assert (row["actor_id"], row["actor_name"], row["actor_role"], row["data"]) == (
        None,
        SYSTEM_NAME,
        None,
        {},
    )
    row = _content(
        AT,
        AuditDraft(
            actor=_actor(Role.APPROVER, Role.LEADER), subject_type="task", subject_id=5, action="claim"
        ),
    )
    assert row["actor_role"] is None
    row = _content(
        AT,
        AuditDraft(
            actor=_actor(Role.APPROVER, Role.LEADER),
            subject_type="task",
            subject_id=5,
            action="claim",
            actor_role=Role.LEADER,
        ),
    )
    assert row["actor_role"] == "leader"


@pytest.mark.parametrize(
    "over",
    [
        {"action": ""},
        {"subject_type": "x" * 41},
        {"subject_id": "5"},
        {"data": {"x": float("nan")}},
        {"data": {"x": object()}},
        {"opinion": "a\x00b"},
    ],
)
def test_bad_input_is_refused(over: dict[str, object]) -> None:
    kw: dict[str, object] = {"actor": None, "subject_type": "task", "subject_id": 5, "action": "claim"}
    kw.update(over)
    with pytest.raises(InvalidInput) as err:
        _content(AT, AuditDraft(**kw))  # type: ignore[arg-type]
    assert err.value.code == "audit_invalid"
