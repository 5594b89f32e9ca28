"""Jurisdiction policy profiles as data: every number and approval chain of the regulations, with the
article it comes from, inherited down the profile chain and pinned to each procedure instance.

    from policies import load_catalog
    profile = load_catalog().resolve(["inner_mongolia", "ordos"], date(2025, 3, 1))
    profile.staffing.households_per_worker.value          # 200 (OR art. 3)
    profile.recruitment.plan_approval.steps_for(Level.COUNTY)
    pinned = profile.to_json(); EffectiveProfile.from_json(pinned) == profile
"""

from policies.base import Basis, Cited, CitedValue, DayUnit, Labelled, Period, Provenance, Sourced
from policies.chains import (
    ApprovalChain,
    ApprovalKind,
    ApprovalStep,
    Authority,
    Organiser,
    OrganiserRole,
    RelativeLevel,
)
from policies.effective import EffectiveProfile, ExplainRow
from policies.errors import PolicyError, UnknownProfile
from policies.loader import Catalog, clear_cache, load_catalog
from policies.models import ROOT_KEY, ProfileMeta

__all__ = [
    "ROOT_KEY",
    "ApprovalChain",
    "ApprovalKind",
    "ApprovalStep",
    "Authority",
    "Basis",
    "Catalog",
    "Cited",
    "CitedValue",
    "DayUnit",
    "EffectiveProfile",
    "ExplainRow",
    "Labelled",
    "Organiser",
    "OrganiserRole",
    "Period",
    "PolicyError",
    "ProfileMeta",
    "Provenance",
    "RelativeLevel",
    "Sourced",
    "UnknownProfile",
    "clear_cache",
    "load_catalog",
]
