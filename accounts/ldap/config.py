"""The directories (one per agency) as configured in ``settings.LDAP_DIRECTORIES``.

``settings.py`` calls :func:`directories_from_environment` once at start-up, so a bad entry
stops the process with a message naming the directory and the field. The rest of the code asks
:func:`get_directories` / :func:`get_directory`, which turn the (plain JSON) setting into
:class:`Directory` objects. This module imports neither Django models nor python-ldap, so
settings can use it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.i18n import bilingual

# Group type name -> (django-auth-ldap class name, attribute holding member DNs, default filter)
GROUP_TYPES: dict[str, tuple[str, str, str]] = {
    "groupOfNames": ("GroupOfNamesType", "member", "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "member", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": (
        "GroupOfUniqueNamesType",
        "uniqueMember",
        "(objectClass=groupOfUniqueNames)",
    ),
    "activeDirectory": ("ActiveDirectoryGroupType", "member", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "member", "(objectClass=group)"),
}

# User fields a directory attribute may fill (``attribute_map`` keys).
MAPPABLE_FIELDS = frozenset(
    {"name_zh", "name_en", "email", "mobile", "job_title", "first_name", "last_name"}
)

DEFAULT_ATTRIBUTE_MAP = {"name_zh": "cn", "name_en": "displayName", "email": "mail"}

KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")

KNOWN_FIELDS = {
    "key",
    "label_zh",
    "label_en",
    "domain",
    "aliases",
    "server_uri",
    "bind_dn",
    "bind_password",
    "bind_password_file",
    "user_search_base",
    "user_search_filter",
    "group_search_base",
    "group_search_filter",
    "group_type",
    "group_name_attribute",
    "employee_number_attribute",
    "attribute_map",
    "start_tls",
    "ca_cert_file",
    "timeout",
    "change_attribute",
    "create_missing",
    "update_user",
    "page_size",
}


@dataclass(frozen=True)
class Directory:
    """One agency's LDAP/AD directory."""

    key: str
    label_zh: str
    label_en: str
    domain: str
    server_uri: str
    user_search_base: str
    user_search_filter: str = "(uid=%(user)s)"
    aliases: tuple[str, ...] = ()
    bind_dn: str = ""
    bind_password: str = field(default="", repr=False)
    group_search_base: str = ""
    group_search_filter: str = ""
    group_type: str = "groupOfNames"
    group_name_attribute: str = "cn"
    employee_number_attribute: str = "employeeNumber"
    attribute_map: tuple[tuple[str, str], ...] = tuple(DEFAULT_ATTRIBUTE_MAP.items())
    start_tls: bool = False
    ca_cert_file: str = ""
    timeout: int = 5
    change_attribute: str = "modifyTimestamp"
    create_missing: bool = False
    update_user: bool = False
    page_size: int = 500

    def label(self, language: str | None = None) -> str:
        """The agency's name in ``language`` (default: the active language)."""
        return bilingual(self.label_zh, self.label_en, language=language)

    @property
    def login_domains(self) -> frozenset[str]:
        """What may follow the ``@`` of a login name: key, domain, its first label, aliases."""
        return frozenset({self.key, self.domain, self.domain.split(".", 1)[0], *self.aliases})

    @property
    def member_attribute(self) -> str:
        return GROUP_TYPES[self.group_type][1]

    @property
    def group_filter(self) -> str:
        return self.group_search_filter or GROUP_TYPES[self.group_type][2]

    @property
    def nested_groups(self) -> bool:
        return self.group_type.startswith("nested")

    @property
    def has_groups(self) -> bool:
        return bool(self.group_search_base)

    @property
    def user_attribute_map(self) -> dict[str, str]:
        return dict(self.attribute_map)

    def user_list_filter(self) -> str:
        """The user filter with the login name as a wildcard: every user of the directory."""
        return self.user_search_filter.replace("%(user)s", "*")


def _fail(where: str, message: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"LDAP_DIRECTORIES {where}: {message}")


def _string(entry: dict, name: str, where: str, *, required=False, default="") -> str:
    value = entry.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise _fail(where, f"{name!r} must be a string")
    value = value.strip()
    if required and not value:
        raise _fail(where, f"{name!r} is required")
    return value


def _bool(entry: dict, name: str, where: str, default: bool) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise _fail(where, f"{name!r} must be true or false")
    return value


def _int(entry: dict, name: str, where: str, default: int, minimum: int, maximum: int) -> int:
    value = entry.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise _fail(where, f"{name!r} must be a whole number from {minimum} to {maximum}")
    return value


def parse_directory(entry: Any, index: int) -> Directory:
    """Check one configured directory and return it; raise ImproperlyConfigured naming the
    field otherwise."""
    where = f"[{index}]"
    if not isinstance(entry, dict):
        raise _fail(where, "each directory must be a JSON object")
    key = entry.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise _fail(where, "'key' must be lower-case letters, digits, - or _ (at most 50)")
    where = f"[{index}] ({key})"
    unknown = sorted(set(entry) - KNOWN_FIELDS)
    if unknown:
        raise _fail(where, f"unknown field(s) {', '.join(map(repr, unknown))}")

    domain = _string(entry, "domain", where, required=True).lower()
    if not DOMAIN_RE.match(domain):
        raise _fail(where, "'domain' must be a DNS-style name such as wda.mol.gov.tw")
    aliases = entry.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise _fail(where, "'aliases' must be a list of names")

    server_uri = _string(entry, "server_uri", where, required=True)
    if not all(u.startswith(("ldap://", "ldaps://", "ldapi://")) for u in server_uri.split()):
        raise _fail(where, "'server_uri' must start with ldap://, ldaps:// or ldapi://")

    password = _string(entry, "bind_password", where)
    password_file = _string(entry, "bind_password_file", where)
    if password and password_file:
        raise _fail(where, "give 'bind_password' or 'bind_password_file', not both")
    if password_file:
        try:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise _fail(where, f"cannot read 'bind_password_file': {exc.strerror}") from exc

    user_filter = _string(entry, "user_search_filter", where, default="(uid=%(user)s)")
    if "%(user)s" not in user_filter or not (
        user_filter.startswith("(") and user_filter.endswith(")")
    ):
        raise _fail(where, "'user_search_filter' must be an LDAP filter containing %(user)s")

    group_type = _string(entry, "group_type", where, default="groupOfNames")
    if group_type not in GROUP_TYPES:
        raise _fail(where, f"'group_type' must be one of {', '.join(GROUP_TYPES)}")
    group_filter = _string(entry, "group_search_filter", where)
    if group_filter and not (group_filter.startswith("(") and group_filter.endswith(")")):
        raise _fail(where, "'group_search_filter' must be an LDAP filter in parentheses")

    attribute_map = entry.get("attribute_map", DEFAULT_ATTRIBUTE_MAP)
    if not isinstance(attribute_map, dict) or not all(
        isinstance(v, str) and v for v in attribute_map.values()
    ):
        raise _fail(where, "'attribute_map' must map user fields to attribute names")
    bad_fields = sorted(set(attribute_map) - MAPPABLE_FIELDS)
    if bad_fields:
        raise _fail(
            where,
            f"'attribute_map' cannot fill {', '.join(bad_fields)}; "
            f"use {', '.join(sorted(MAPPABLE_FIELDS))}",
        )

    return Directory(
        key=key,
        label_zh=_string(entry, "label_zh", where, required=True),
        label_en=_string(entry, "label_en", where) or _string(entry, "label_zh", where),
        domain=domain,
        aliases=tuple(a.strip().lower() for a in aliases),
        server_uri=server_uri,
        bind_dn=_string(entry, "bind_dn", where),
        bind_password=password,
        user_search_base=_string(entry, "user_search_base", where, required=True),
        user_search_filter=user_filter,
        group_search_base=_string(entry, "group_search_base", where),
        group_search_filter=group_filter,
        group_type=group_type,
        group_name_attribute=_string(entry, "group_name_attribute", where, default="cn"),
        employee_number_attribute=_string(
            entry, "employee_number_attribute", where, default="employeeNumber"
        )
        or "employeeNumber",
        attribute_map=tuple(sorted(attribute_map.items())),
        start_tls=_bool(entry, "start_tls", where, False),
        ca_cert_file=_string(entry, "ca_cert_file", where),
        timeout=_int(entry, "timeout", where, 5, 1, 120),
        change_attribute=_string(entry, "change_attribute", where, default="modifyTimestamp"),
        create_missing=_bool(entry, "create_missing", where, False),
        update_user=_bool(entry, "update_user", where, False),
        page_size=_int(entry, "page_size", where, 500, 10, 5000),
    )


def parse_directories(raw: Any) -> list[Directory]:
    """Check the whole list: every entry valid, keys and login domains unique."""
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list):
        raise _fail("", "must be a JSON list of directories")
    directories = [parse_directory(entry, i) for i, entry in enumerate(raw)]
    seen: dict[str, str] = {}
    for directory in directories:
        for name in sorted(directory.login_domains):
            if name in seen and seen[name] != directory.key:
                raise _fail(
                    f"({directory.key})",
                    f"login domain {name!r} is also used by directory {seen[name]!r}",
                )
            seen[name] = directory.key
    return directories


def directories_from_environment(text: str, file_path: str) -> list[dict]:
    """Read ``LDAP_DIRECTORIES`` (JSON) or the file ``LDAP_DIRECTORIES_FILE`` names, check it,
    and return the plain list that becomes ``settings.LDAP_DIRECTORIES``."""
    text, file_path = (text or "").strip(), (file_path or "").strip()
    if text and file_path:
        raise ImproperlyConfigured("Set LDAP_DIRECTORIES or LDAP_DIRECTORIES_FILE, not both.")
    source = "LDAP_DIRECTORIES"
    if file_path:
        source = f"LDAP_DIRECTORIES_FILE ({file_path})"
        try:
            text = Path(file_path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ImproperlyConfigured(f"Cannot read {source}: {exc.strerror}") from exc
    if not text.strip():
        return []
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(
            f"{source} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    if parse_directories(raw) and not ldap_libraries_installed():
        raise ImproperlyConfigured(
            "LDAP directories are configured but python-ldap/django-auth-ldap are not "
            "installed: pip install '.[ldap]' (needs libldap2-dev and libsasl2-dev)."
        )
    return raw


def ldap_libraries_installed() -> bool:
    return all(importlib.util.find_spec(name) for name in ("ldap", "django_auth_ldap"))


_cache: tuple[str, list[Directory]] | None = None


def get_directories() -> list[Directory]:
    """The configured directories, in settings order (empty: LDAP is off)."""
    global _cache
    raw = settings.LDAP_DIRECTORIES or []
    marker = json.dumps(raw, sort_keys=True, default=str)
    if _cache is None or _cache[0] != marker:
        _cache = (marker, parse_directories(raw))
    return _cache[1]


def get_directory(key: str) -> Directory | None:
    key = (key or "").strip().lower()
    return next((d for d in get_directories() if d.key == key), None)
