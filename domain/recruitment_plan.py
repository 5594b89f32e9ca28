"""Commands of the recruitment-plan procedure: what a drafter sends, the plan and its posts per community.
Validated here once for the API and the pages alike; messages in Chinese."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class PostLine(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    community_id: int = Field(gt=0)
    post_title: str = Field(default="社区专职工作人员", min_length=1, max_length=100)
    posts: int = Field(gt=0, le=200)
    conditions: str = Field(default="", max_length=2000)


class PlanDraft(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    jurisdiction_id: int = Field(gt=0)
    title: str = Field(min_length=2, max_length=200)
    year: int = Field(ge=2020, le=2100)
    conditions: str = Field(default="", max_length=5000)
    posts: list[PostLine] = Field(min_length=1, max_length=500)

    @field_validator("posts")
    @classmethod
    def _one_line_per_community_and_title(cls, v: list[PostLine]) -> list[PostLine]:
        seen: set[tuple[int, str]] = set()
        for line in v:
            key = (line.community_id, line.post_title)
            if key in seen:
                raise ValueError(
                    f"社区 {line.community_id} 的岗位「{line.post_title}」重复填写，请合并为一行"
                )
            seen.add(key)
        return v
