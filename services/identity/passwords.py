"""Passwords: scrypt (n=2**14, r=8, p=1, 32 bytes) with a 16-byte random salt, stored as
'scrypt$n$r$p$salt$hash' (base64), compared in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import lru_cache

from domain.errors import InvalidInput

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_LEN = 32
MIN_PASSWORD_LENGTH = 8
BAD_CREDENTIALS = "用户名或密码错误"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LEN, maxmem=128 * n * r * p + 2**20
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash of `password`, self-describing: 'scrypt$n$r$p$salt$hash'."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches `stored` (constant-time compare; False on any malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """Verified against when the username is unknown, so that both failures take the same time."""
    return hash_password(secrets.token_urlsafe(12))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符", code="password_too_short")


