"""The plan draft form: HTML form fields (one row per community) to the service's PlanDraft command,
keeping what the user typed so that a refused form is shown again with their input and the error."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.errors import InvalidInput
from domain.recruitment_plan import PlanDraft

FIELD_LABELS = {
    "title": "方案名称",
    "year": "年度",
    "conditions": "招聘条件",
    "posts": "岗位",
    "community_id": "社区",
    "post_title": "岗位名称",
    "jurisdiction_id": "组织地区",
}


@dataclass
class PlanForm:
    jurisdiction_id: str = ""
    title: str = ""
    year: str = ""
    conditions: str = ""
    # community id -> (posts, post title, conditions) as typed
    rows: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @classmethod
    def from_form(cls, form: FormData) -> PlanForm:
        rows: dict[str, tuple[str, str, str]] = {}
        for key, value in form.multi_items():
            if key.startswith("posts_") and isinstance(value, str):
                cid = key.removeprefix("posts_")
                rows[cid] = (
                    value.strip(),
                    str(form.get(f"title_{cid}") or "社区专职工作人员").strip(),
                    str(form.get(f"cond_{cid}") or "").strip(),
                )
        return cls(
            jurisdiction_id=str(form.get("jurisdiction_id") or ""),
            title=str(form.get("title") or ""),
            year=str(form.get("year") or ""),
            conditions=str(form.get("conditions") or ""),
            rows=rows,
        )

    def requested(self) -> dict[int, int]:
        """Posts per community as typed so far (for the live headroom); blanks and junk are skipped."""
        out: dict[int, int] = {}
        for cid, (n, _, _) in self.rows.items():
            if cid.isdigit() and n.isdigit() and int(n) > 0:
                out[int(cid)] = int(n)
        return out

    def to_command(self) -> PlanDraft:
        posts = []
        bad = []
        for cid, (n, title, cond) in self.rows.items():
            if not n:
                continue
            if not n.isdigit():
                bad.append(f"社区 {cid} 的招聘人数「{n}」不是正整数")
                continue
            if int(n) > 0:
                posts.append(
                    {
                        "community_id": cid,
                        "posts": int(n),
                        "post_title": title or "社区专职工作人员",
                        "conditions": cond,
                    }
                )
        if bad:
            raise InvalidInput("；".join(bad), code="invalid_input")
        try:
            return PlanDraft.model_validate(
                {
                    "jurisdiction_id": self.jurisdiction_id,
                    "title": self.title,
                    "year": self.year,
                    "conditions": self.conditions,
                    "posts": posts,
                }
            )
        except ValidationError as exc:
            problems = []
            for e in exc.errors():
                loc = [str(p) for p in e.get("loc", ())]
                name = "、".join(FIELD_LABELS.get(p, p) for p in loc if not p.isdigit())
                msg = e.get("msg", "").removeprefix("Value error, ")
                if e.get("type") == "too_short" and loc[:1] == ["posts"]:
                    msg = "至少填写一个社区的招聘人数"
                problems.append({"field": name, "message": msg})
            raise InvalidInput(
                "方案填写有误：" + "；".join(f"{p['field']}：{p['message']}" for p in problems),
                code="invalid_input",
                details={"fields": problems},
            ) from exc
