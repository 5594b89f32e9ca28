"""Errors that carry a stable code (for programs), a Chinese message (for people),
the HTTP status they map to, and the article of the rule that refused, where one did."""

from __future__ import annotations

from typing import Any


class ShegongError(Exception):
    status: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        article: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.article = article
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.article:
            out["article"] = self.article
        if self.details:
            out["details"] = self.details
        return out

    def __str__(self) -> str:
        return f"{self.message}（{self.article}）" if self.article else self.message


class InvalidInput(ShegongError):
    """Malformed input: a field missing, out of range, of the wrong shape."""

    status = 422
    code = "invalid_input"


class RuleViolation(ShegongError):
    """Well-formed input that a regulation refuses; always names the article."""

    status = 422
    code = "rule_violation"


class TransitionRefused(ShegongError):
    """The procedure is not in a state where this action is allowed."""

    status = 409
    code = "transition_not_allowed"


class Conflict(ShegongError):
    status = 409
    code = "conflict"


class NotFound(ShegongError):
    status = 404
    code = "not_found"


class PermissionDenied(ShegongError):
    status = 403
    code = "forbidden"


class Unauthenticated(ShegongError):
    status = 401
    code = "unauthenticated"
