"""Human tasks (待办): opening a step of a case's approval chain, the inbox, and every action on a task.
Split by sub-step: `opening` opens steps, `steps` decides them, `actions` acts on one task, `inbox` reads,
`notices` handles 抄送/催办/督办 and the deadline timers."""

from services.tasks.actions import claim, complete, delegate, release, resolve, transfer
from services.tasks.inbox import InboxPage, counts, inbox
from services.tasks.notices import carbon_copy, mark_read, notifications_for, remind
from services.tasks.opening import open_step, open_steps
from services.tasks.steps import cancel_case, register_case
from services.tasks.types import CaseRef, StepDepartment, StepSpec
from services.tasks.view import actions_for, can_see, get_visible

__all__ = [
    "CaseRef",
    "InboxPage",
    "StepDepartment",
    "StepSpec",
    "actions_for",
    "can_see",
    "cancel_case",
    "carbon_copy",
    "claim",
    "complete",
    "counts",
    "delegate",
    "get_visible",
    "inbox",
    "mark_read",
    "notifications_for",
    "open_step",
    "open_steps",
    "register_case",
    "release",
    "remind",
    "resolve",
    "transfer",
]
