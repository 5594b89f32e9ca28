"""The organisation: the jurisdiction tree (region > city > county > street > community), the departments
of each node, who holds which role where, and the look-ups procedures make on it (policy-profile chain,
the department of a kind at or above a node, the supervising department, urban population).

Placeholder nodes (`Jurisdiction.placeholder`) keep the strict level order where the real hierarchy skips
a level — 重庆市 (a municipality) → 重庆市市辖区 → 九龙坡区. They hold no departments; every look-up that
lands on one moves up to the nearest real node (so the "city" departments above 九龙坡区 are 重庆市's).

Split by sub-step: `tree` (nodes), `departments` (departments and look-ups), `roles` (grants, audited),
`listing` (operator listings). Every public name is re-exported here: `from services import org` is the
way in.
"""

from services.org.departments import (
    LEVEL_DEPARTMENTS,
    SUPERVISOR_KIND,
    Relative,
    create_department,
    default_department_name,
    department_at,
    departments_of,
    ensure_departments,
    find_department,
    get_department,
    supervising_department,
)
from services.org.listing import Grant, TreeRow, UserListing, tree, users_with_roles
from services.org.roles import grant_role, revoke_role
from services.org.tree import (
    CODE_RE,
    LEVELS,
    POLICY_KEY_RE,
    ancestors,
    create_jurisdiction,
    get_jurisdiction,
    households_of,
    jurisdiction_by_code,
    path_ids,
    policy_keys_for,
    subtree,
    urban_population_of,
)

__all__ = [
    "CODE_RE",
    "LEVELS",
    "LEVEL_DEPARTMENTS",
    "POLICY_KEY_RE",
    "SUPERVISOR_KIND",
    "Grant",
    "Relative",
    "TreeRow",
    "UserListing",
    "ancestors",
    "create_department",
    "create_jurisdiction",
    "default_department_name",
    "department_at",
    "departments_of",
    "ensure_departments",
    "find_department",
    "get_department",
    "get_jurisdiction",
    "grant_role",
    "households_of",
    "jurisdiction_by_code",
    "path_ids",
    "policy_keys_for",
    "revoke_role",
    "subtree",
    "supervising_department",
    "tree",
    "urban_population_of",
    "users_with_roles",
]
