"""Where a case lives in the pages: tasks and notifications name a case by (type, id); this answers the
page that shows it, so that every list links to the right place whatever the procedure."""

from __future__ import annotations

from db.repos import recruitment_round as round_repo
from domain.errors import NotFound
from services.uow import UnitOfWork

_DIRECT = {
    "recruitment_plan": "/plans/{id}",
    "recruitment_round": "/rounds/{id}",
    "application": "/applications/{id}",
}


def page_of(uow: UnitOfWork, case_type: str, case_id: int) -> str:
    """The page of a case (visibility is checked by that page itself)."""
    pattern = _DIRECT.get(case_type)
    if pattern is not None:
        return pattern.format(id=case_id)
    if case_type == "round_post":  # an opening-ratio approval is about one post of a round
        post = round_repo.post(uow.session, case_id)
        if post is not None:
            return f"/rounds/{post.round_id}"
    raise NotFound(f"未知的业务 {case_type} #{case_id}", code="case_not_found")
