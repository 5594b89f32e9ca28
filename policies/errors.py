"""Errors raised while loading or resolving policy profiles."""

from __future__ import annotations

from domain.errors import NotFound, ShegongError


class PolicyError(ShegongError):
    """A profile file is malformed, a value lacks its source, or a chain cannot be resolved.
    A configuration fault: the message names the file and the dotted key."""

    status = 500
    code = "policy_invalid"


class UnknownProfile(NotFound):
    """A profile key that no data file defines."""

    code = "policy_unknown"
