"""Who is asking: passwords, users, API tokens, and the Actor (user + memberships) every permission check
reads. The web layer signs its own session cookie and calls `actor_for_user` with the id inside it.

Passwords: scrypt with a random salt (passwords.py). An unknown username costs one scrypt too, so response
time does not tell which usernames exist. Tokens: 'sg_' + 32 random bytes; only their sha256 is stored
(tokens.py). The Actor and its short per-process cache: actor.py. Every account change is audited and,
when a person makes it, needs the admin role over the user's jurisdictions (admin.py).

Split by sub-step; every public name is re-exported here: `from services import identity` is the way in.
"""

from services.identity.actor import (
    REQUEST_CACHE_SECONDS,
    actor_for_user,
    authenticate,
    forget_actor,
)
from services.identity.admin import SUBJECT, admin_paths, administers, require_admin
from services.identity.passwords import (
    BAD_CREDENTIALS,
    MIN_PASSWORD_LENGTH,
    check_password_rules,
    hash_password,
    verify_password,
)
from services.identity.tokens import (
    TOKEN_PREFIX,
    actor_for_token,
    issue_token,
    list_tokens,
    revoke_bearer,
    revoke_token,
)
from services.identity.users import (
    USERNAME_RE,
    create_user,
    deactivate_user,
    get_user,
    set_password,
    user_by_username,
)

__all__ = [
    "BAD_CREDENTIALS",
    "MIN_PASSWORD_LENGTH",
    "REQUEST_CACHE_SECONDS",
    "SUBJECT",
    "TOKEN_PREFIX",
    "USERNAME_RE",
    "actor_for_token",
    "actor_for_user",
    "admin_paths",
    "administers",
    "authenticate",
    "check_password_rules",
    "create_user",
    "deactivate_user",
    "forget_actor",
    "get_user",
    "hash_password",
    "issue_token",
    "list_tokens",
    "require_admin",
    "revoke_bearer",
    "revoke_token",
    "set_password",
    "user_by_username",
    "verify_password",
]
