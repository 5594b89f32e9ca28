"""Who can be picked on a page: colleagues to delegate to, departments to transfer to, people and
departments to 抄送 (carbon copy) a case to, departments an admin may grant roles in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.repos import directory as repo
from domain.actor import Actor
from domain.enums import ROLE_LABELS, Role
from domain.errors import InvalidInput
from services import identity, org
from services.tasks.steps import case_ref
from services.uow import UnitOfWork


def colleagues(
    session: Session, department_id: int, *, exclude_user_id: int | None = None
) -> list[tuple[int, str]]:
    """Approvers of the same department (委派 targets)."""
    return repo.users_in_department(
        session, department_id, Role.APPROVER.value, exclude_user_id=exclude_user_id
    )


def peer_departments(session: Session, department_id: int) -> list[tuple[int, str]]:
    """Other departments of the same jurisdiction (转办 targets)."""
    dept = org.get_department(session, department_id)
    return repo.departments_of_jurisdiction(session, dept.jurisdiction_id, exclude_id=dept.id)


def user_display_name(session: Session, user_id: int) -> str | None:
    return repo.display_name(session, user_id)


# -- 抄送 -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CcTargets:
    """Whom a case may be copied to: the departments of its organising jurisdiction, of every jurisdiction
    above it and of those directly below it (e.g. a county's street offices), and the people who hold a
    role in them."""

    departments: tuple[tuple[int, str], ...]
    users: tuple[tuple[int, str, str], ...]  # (id, 王海燕, 回民区委社会工作部 · 审核人)

    def check(self, user_ids: Iterable[int], department_ids: Iterable[int]) -> None:
        """Refuse a pick that is not on the lists (InvalidInput, code cc_target_out_of_scope)."""
        users, depts = {u[0] for u in self.users}, {d for d, _ in self.departments}
        bad_users = sorted(set(user_ids) - users)
        bad_depts = sorted(set(department_ids) - depts)
        if bad_users or bad_depts:
            raise InvalidInput(
                "抄送对象不在本案件的范围内（只能抄送给本地区及上级、直属下级的部门和人员）",
                code="cc_target_out_of_scope",
                details={"users": bad_users, "departments": bad_depts},
            )


def _nearness(case_path: str, path: str) -> int:
    """Nearest first: the case's own jurisdiction, those directly below it, then upward to the region."""
    if path == case_path:
        return 0
    if path.startswith(case_path):
        return 1
    return 2 + case_path.count("/") - path.count("/")


def cc_targets(
    uow: UnitOfWork, actor: Actor, case_type: str, case_id: int, *, task_assignee_id: int | None = None
) -> CcTargets | None:
    """The 抄送 picker of a case (the actor left out of the people); None when the actor may not 抄送 it:
    only who oversees the case (its organiser, the departments above) or holds one of its tasks may."""
    ref = case_ref(uow, case_type, case_id)
    if not actor.oversees(ref.path) and (task_assignee_id is None or task_assignee_id != actor.user_id):
        return None
    chain = org.path_ids(ref.path)
    rows = repo.departments_near(uow.session, chain, chain[-1]) if chain else []
    rows.sort(key=lambda r: _nearness(ref.path, r[2]))
    names = {did: name for did, name, _ in rows}
    people: dict[int, list[str]] = {}
    display: dict[int, str] = {}
    rank = {did: i for i, (did, _, _) in enumerate(rows)}
    found = repo.users_in_departments(uow.session, list(names))
    for uid, name, did, role in sorted(found, key=lambda r: rank[r[2]]):
        if uid == actor.user_id:
            continue
        display[uid] = name
        people.setdefault(uid, []).append(f"{names[did]} · {ROLE_LABELS[Role(role)]}")
    return CcTargets(
        departments=tuple((did, name) for did, name, _ in rows),
        users=tuple((uid, display[uid], "；".join(roles)) for uid, roles in people.items()),
    )


# -- administration -------------------------------------------------------------------------------------


def admin_departments(session: Session, actor: Actor) -> list[tuple[int, str, str]]:
    """Departments the actor may grant roles in (those under the jurisdictions they administer), as
    (id, name, jurisdiction name)."""
    return repo.departments_under(session, identity.admin_paths(actor))
