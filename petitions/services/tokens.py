"""Secrets of the citizen mailbox: URL tokens (confirmation, survey) and query codes.

URL tokens carry 256 bits of entropy and are stored as SHA-256 only (a fast hash is enough;
the database never holds a usable link). Query codes are short, so they are stored with the
password hasher (``make_password``) and compared with ``check_password``.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.contrib.auth.hashers import check_password, make_password

from ..constants import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH


def url_token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a URL token: what the database keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def query_code_new() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _i in range(QUERY_CODE_LENGTH))


def query_code_normalise(code: str) -> str:
    """Spaces and dashes dropped, upper case: what the citizen types may differ in both."""
    return re.sub(r"[\s-]", "", (code or "")).upper()


def query_code_hash(code: str) -> str:
    return make_password(code)


_DUMMY_HASH: str | None = None


def query_code_matches(code: str, encoded: str | None) -> bool:
    """Constant-time check of ``code`` against a stored hash; with no hash (unknown case) a
    dummy hash is checked, so the answer takes as long either way."""
    global _DUMMY_HASH
    if not encoded:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = make_password(query_code_new())
        check_password(query_code_normalise(code), _DUMMY_HASH)
        return False
    return check_password(query_code_normalise(code), encoded)
