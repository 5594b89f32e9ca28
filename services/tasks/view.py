"""Reading one task: who may see it, and which actions the actor may take on it now."""

from __future__ import annotations

from db.models.tasks import Task
from db.repos import tasks as repo
from domain.actor import Actor
from domain.enums import Role
from domain.errors import NotFound
from services.uow import UnitOfWork
from states.task import TaskMachine

ACTIVE = ("open", "claimed", "delegated")


def can_see(actor: Actor, task: Task) -> bool:
    groups = {(m.department_id, m.role.value) for m in actor.memberships}
    return (
        (task.candidate_department_id, task.candidate_role) in groups
        or actor.user_id in (task.assignee_id, task.owner_id, task.completed_by_id)
        or actor.oversees(task.case_path)
        or (
            task.escalated_to_department_id is not None
            and task.escalated_to_department_id in actor.department_ids()
        )
    )


def get_visible(uow: UnitOfWork, actor: Actor, task_id: int, *, for_update: bool = False) -> Task:
    """The task if the actor may see it. `for_update`: about to act on it (locks its row on PostgreSQL
    now, so that the action's own locked load is answered from the identity map)."""
    task = repo.get_task(uow.session, task_id, for_update=for_update)
    if task is None or not can_see(actor, task):
        # Not found either way: no leaking that another county's task exists.
        raise NotFound(f"待办任务 {task_id} 不存在", code="task_not_found")
    return task


def actions_for(actor: Actor, task: Task) -> list[str]:
    """The actions the actor may take now: the machine's allowed events, narrowed by who they are."""
    in_group = (
        task.candidate_department_id is not None
        and task.candidate_role is not None
        and actor.in_group(task.candidate_department_id, Role(task.candidate_role))
    )
    mine = task.assignee_id == actor.user_id
    out: list[str] = []
    # The class's transition table, not a bound machine: this runs for every row of an inbox listing.
    if task.status in TaskMachine.sources_of("claim") and in_group:
        out += ["claim", "complete", "transfer"]
    if task.status == "claimed" and mine:
        out += ["complete", "delegate", "transfer"]
        if task.candidate_department_id is not None:
            out.append("release")
    if task.status == "delegated" and mine:
        out.append("resolve")
    if task.status in ACTIVE and actor.oversees(task.case_path) and not mine:
        out.append("remind")
    return list(dict.fromkeys(out))
