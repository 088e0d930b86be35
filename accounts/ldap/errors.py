"""Errors of the LDAP part (no python-ldap import, so callers can catch them without it)."""

from __future__ import annotations


class DirectoryError(Exception):
    """A directory could not be used. ``reason`` is a short code for logs and the audit."""

    def __init__(self, directory: str, reason: str, detail: str = ""):
        self.directory = directory
        self.reason = reason
        self.detail = detail
        super().__init__(f"directory {directory}: {reason}" + (f": {detail}" if detail else ""))


class DirectoryUnavailable(DirectoryError):
    """The directory's server cannot be reached (down, timed out, TLS failed)."""


class DirectoryRefusal(Exception):
    """A directory user authenticated but may not sign in (e.g. no matching HR account)."""

    def __init__(self, reason: str, detail: str = "", **params):
        self.reason = reason
        self.detail = detail
        self.params = params
        super().__init__(f"{reason}: {detail}" if detail else reason)
