"""python-ldap connections for one directory (used by the group sync; the login goes through
django-auth-ldap with the same options). python-ldap is imported inside the functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .config import Directory
from .errors import DirectoryError, DirectoryUnavailable

# python-ldap exception class names that mean "the server cannot be reached right now".
UNREACHABLE = ("SERVER_DOWN", "TIMEOUT", "CONNECT_ERROR", "UNAVAILABLE", "BUSY")


def is_unreachable(exc: BaseException) -> bool:
    import ldap  # noqa: PLC0415 - optional (ldap extra)

    return isinstance(exc, tuple(getattr(ldap, name) for name in UNREACHABLE))


def error_detail(exc: BaseException) -> str:
    """A one-line description of a python-ldap error (its ``desc`` and ``info``)."""
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], dict):
        info = args[0]
        parts = [str(info.get("desc", "")), str(info.get("info", ""))]
        return ": ".join(p for p in parts if p) or type(exc).__name__
    return str(exc) or type(exc).__name__


def connection_options(directory: Directory) -> dict[int, Any]:
    """Per-connection options: time limits, no referral chasing (AD), TLS CA. The new-TLS-context
    option must come last, after the TLS options it applies."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)

    options: dict[int, Any] = {
        ldap.OPT_PROTOCOL_VERSION: ldap.VERSION3,
        ldap.OPT_NETWORK_TIMEOUT: directory.timeout,
        ldap.OPT_TIMEOUT: directory.timeout,
        ldap.OPT_REFERRALS: 0,
    }
    if directory.ca_cert_file:
        options[ldap.OPT_X_TLS_CACERTFILE] = directory.ca_cert_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND
        options[ldap.OPT_X_TLS_NEWCTX] = 0
    return options


def directory_error(directory: Directory, exc: BaseException) -> DirectoryError:
    """Wrap a python-ldap error as ours: unreachable, or another directory error."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)

    detail = error_detail(exc)
    if is_unreachable(exc):
        return DirectoryUnavailable(directory.key, "unreachable", detail)
    if isinstance(exc, ldap.INVALID_CREDENTIALS):
        return DirectoryUnavailable(directory.key, "service account refused", detail)
    return DirectoryError(directory.key, type(exc).__name__.lower(), detail)


def connect(directory: Directory):
    """Open a connection bound with the directory's service account. Raises DirectoryError."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)

    try:
        conn = ldap.initialize(directory.server_uri, bytes_mode=False)
        for option, value in connection_options(directory).items():
            conn.set_option(option, value)
        if directory.start_tls:
            conn.start_tls_s()
        conn.simple_bind_s(directory.bind_dn, directory.bind_password)
    except ldap.LDAPError as exc:
        raise directory_error(directory, exc) from exc
    return conn


def decode_attrs(attrs: dict[str, list[bytes]]) -> dict[str, list[str]]:
    """Attribute values as text, keyed by lower-case attribute name."""
    return {
        name.lower(): [v.decode("utf-8", "replace") for v in values]
        for name, values in attrs.items()
    }


def paged_search(
    conn, directory: Directory, base: str, filterstr: str, attrlist: list[str], *, scope=None
) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """Search with the simple paged results control (AD returns at most 1000 entries without
    it). Yields ``(dn, attrs)`` with text values; referrals are skipped."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)
    from ldap.controls import SimplePagedResultsControl  # noqa: PLC0415 - optional (ldap extra)

    scope = ldap.SCOPE_SUBTREE if scope is None else scope
    control = SimplePagedResultsControl(True, size=directory.page_size, cookie="")
    while True:
        msgid = conn.search_ext(base, scope, filterstr, attrlist, serverctrls=[control])
        _, results, _, controls = conn.result3(msgid, timeout=directory.timeout * 6)
        for dn, attrs in results:
            if dn is not None and isinstance(attrs, dict):
                yield dn, decode_attrs(attrs)
        cookie = next(
            (c.cookie for c in controls if c.controlType == SimplePagedResultsControl.controlType),
            b"",
        )
        if not cookie:
            return
        control.cookie = cookie


def read_entry(conn, dn: str, attrlist: list[str]) -> dict[str, list[str]] | None:
    """One entry by DN, or None when it does not exist."""
    import ldap  # noqa: PLC0415 - optional (ldap extra)

    try:
        results = conn.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", attrlist)
    except ldap.NO_SUCH_OBJECT:
        return None
    for entry_dn, attrs in results:
        if entry_dn is not None:
            return decode_attrs(attrs)
    return None
