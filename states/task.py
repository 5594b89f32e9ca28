"""A human task (待办): queued for a candidate group (a role in a department) or a person.
Claim it (签收) or release it; delegate it (委派) to someone who handles it and hands it back; transfer
it (转办) to another group or person; complete it with a decision and an opinion; or it is cancelled
when its step is decided elsewhere (或签 siblings, withdrawal)."""

from __future__ import annotations

from typing import ClassVar

from statemachine import State

from states.base import Procedure


class TaskMachine(Procedure):
    procedure: ClassVar[str] = "task"
    label: ClassVar[str] = "待办任务"
    event_labels: ClassVar[dict[str, str]] = {
        "claim": "签收",
        "release": "退回任务池",
        "delegate": "委派",
        "resolve": "委派办结",
        "transfer": "转办",
        "complete": "办结",
        "cancel": "取消",
    }

    open = State("待签收", value="open", initial=True)
    claimed = State("办理中", value="claimed")
    delegated = State("已委派", value="delegated")
    completed = State("已办结", value="completed", final=True)
    cancelled = State("已取消", value="cancelled", final=True)

    claim = open.to(claimed)
    release = claimed.to(open, cond="has_group")
    delegate = claimed.to(delegated)
    resolve = delegated.to(claimed)
    transfer = open.to(open, cond="to_group") | open.to(claimed, unless="to_group") | claimed.to(
        open, cond="to_group"
    ) | claimed.to(claimed, unless="to_group")
    complete = claimed.to(completed)
    cancel = open.to(cancelled) | claimed.to(cancelled) | delegated.to(cancelled)

    def has_group(self, has_group: bool = True) -> bool:
        return has_group

    def to_group(self, to_group: bool = True) -> bool:
        return to_group
