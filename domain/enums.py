"""Plain vocabularies shared by every layer. Values are stable identifiers; labels are Chinese."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Jurisdiction levels, top down."""

    REGION = "region"  # 自治区/省/直辖市 (Bingtuan: 兵团)
    CITY = "city"  # 盟市/地级市 (Bingtuan: 师市)
    COUNTY = "county"  # 旗县(市、区)
    STREET = "street"  # 街道/苏木乡镇
    COMMUNITY = "community"  # 社区

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def depth(self) -> int:
        return list(Level).index(self)


LEVEL_LABELS = {
    Level.REGION: "自治区/省级",
    Level.CITY: "盟市/地市级",
    Level.COUNTY: "旗县(市、区)",
    Level.STREET: "街道/苏木乡镇",
    Level.COMMUNITY: "社区",
}


class DeptKind(StrEnum):
    """Kinds of department that take part in the procedures."""

    SOCIAL_WORK = "social_work"  # 党委社会工作部
    ORGANISATION = "organisation"  # 党委组织部
    CIVIL_AFFAIRS = "civil_affairs"  # 民政局
    HR_BUREAU = "hr_bureau"  # 人力资源和社会保障局
    FINANCE = "finance"  # 财政局
    DISCIPLINE = "discipline"  # 纪委监委
    STREET_OFFICE = "street_office"  # 街道办事处/苏木乡镇
    PARTY_COMMITTEE = "party_committee"  # 党委（政府）
    COMMUNITY_COMMITTEE = "community_committee"  # 社区党组织/居委会

    @property
    def label(self) -> str:
        return DEPT_LABELS[self]


DEPT_LABELS = {
    DeptKind.SOCIAL_WORK: "党委社会工作部",
    DeptKind.ORGANISATION: "党委组织部",
    DeptKind.CIVIL_AFFAIRS: "民政局",
    DeptKind.HR_BUREAU: "人力资源和社会保障局",
    DeptKind.FINANCE: "财政局",
    DeptKind.DISCIPLINE: "纪委监委",
    DeptKind.STREET_OFFICE: "街道办事处",
    DeptKind.PARTY_COMMITTEE: "党委、政府",
    DeptKind.COMMUNITY_COMMITTEE: "社区党组织、居委会",
}


class Role(StrEnum):
    """What a user may do in a department. A user may hold several roles in several departments."""

    HR_OFFICER = "hr_officer"  # 经办人: drafts plans, launches rounds and seasons
    APPROVER = "approver"  # 审核人: acts on review tasks queued for the department
    LEADER = "leader"  # 领导: dashboards, oversight of the jurisdiction subtree
    ADMIN = "admin"  # 系统管理员: calendar, profiles, users, simulated clock

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.HR_OFFICER: "经办人",
    Role.APPROVER: "审核人",
    Role.LEADER: "领导",
    Role.ADMIN: "系统管理员",
}
