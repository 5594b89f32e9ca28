"""Staffing: how many community workers, and who sets and approves the numbers."""

from __future__ import annotations

from policies.base import Frozen, IntRange, Sourced
from policies.chains import ApprovalChain, Authority


class StaffingPolicy(Frozen):
    # 每万城镇常住人口配备社区工作者人数 (中办发〔2024〕33号, IM art. 5, NX 一)
    workers_per_10k_urban: Sourced[int] | None = None
    # who fixes the total for a county/district (IM art. 6: league/city social-work dept)
    total_quota_authority: Sourced[list[Authority]] | None = None
    # how each community's number is set (IM art. 6; JLP art. 12)
    community_quota: ApprovalChain | None = None
    # raising a community's number (JLP art. 13)
    quota_increase: ApprovalChain | None = None
    # 一般按照N户实际常住户配备1人 (OR art. 3)
    households_per_worker: Sourced[int] | None = None
    # 一般按照100-700户设一个社区居民委员会 (OR art. 3)
    households_per_committee: Sourced[IntRange] | None = None
    # 居委会成员/社区“两委”职数 5-9 (OR art. 3, JLP art. 13)
    committee_members: Sourced[IntRange] | None = None
    # 每个社区配备专职副书记人数 (OR art. 3)
    deputy_secretaries_per_community: Sourced[int] | None = None
    # 社区党组织书记后备人才 per secretary post, 1:N (NX 一(严格政治把关))
    secretary_reserve_per_post: Sourced[int] | None = None
    # factors the sizing must weigh, as the texts list them
    sizing_factors: Sourced[list[str]] | None = None
