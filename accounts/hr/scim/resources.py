"""SCIM 2.0 User resources (RFC 7643) <-> HR records, and PATCH operations (RFC 7644 3.5.2).

Each piece of the account lives in one place of the resource:

=====================  =====================================================================
account                SCIM attribute
=====================  =====================================================================
username               ``userName``
employee number        enterprise ``employeeNumber`` (else ``externalId``; both are returned)
name (Chinese)         ``displayName``
name (English)         ``name.formatted`` (else ``name.givenName`` + ``name.familyName``)
job title              ``title``
e-mail                 ``emails`` (the primary one, else type work, else the first)
mobile                 ``phoneNumbers`` (type mobile, else the first)
is_active              ``active``
unit code              MOL extension ``unitCode``
employment status      MOL extension ``employmentStatus`` (active, on_leave, left)
effective date         MOL extension ``effectiveDate`` (default: today)
head / deputy          MOL extension ``unitRole`` (``head``, ``deputy``; absent or empty:
                       neither), the person's post in their unit as HR stated it
=====================  =====================================================================
"""

from __future__ import annotations

import copy
import re
from datetime import date

from django.utils.translation import gettext as _

from ...choices import EmploymentStatus
from ..constants import SCIM_ENTERPRISE, SCIM_ERROR, SCIM_MOL, SCIM_PATCH, SCIM_USER
from ..feed import HRRecord, normalize_status, validate_row
from ..selectors import hr_unit_role

EXTENSIONS = (SCIM_ENTERPRISE, SCIM_MOL)
# Attribute names are case-insensitive in SCIM: lower-case -> canonical.
CORE_ATTRIBUTES = {
    name.lower(): name
    for name in (
        "userName",
        "externalId",
        "displayName",
        "title",
        "active",
        "name",
        "emails",
        "phoneNumbers",
    )
}
EXTENSION_ATTRIBUTES = {
    SCIM_ENTERPRISE: {"employeenumber": "employeeNumber"},
    SCIM_MOL: {
        "unitcode": "unitCode",
        "employmentstatus": "employmentStatus",
        "effectivedate": "effectiveDate",
        "unitrole": "unitRole",
    },
}
NAME_PARTS = {"formatted": "formatted", "givenname": "givenName", "familyname": "familyName"}
# Feed field -> SCIM attribute, to name the attribute in error details.
FEED_TO_SCIM = {
    "employee_number": f"{SCIM_ENTERPRISE}:employeeNumber",
    "username": "userName",
    "name_zh": "displayName",
    "name_en": "name.formatted",
    "title": "title",
    "email": "emails",
    "mobile": "phoneNumbers",
    "unit_code": f"{SCIM_MOL}:unitCode",
    "status": f"{SCIM_MOL}:employmentStatus",
    "effective_date": f"{SCIM_MOL}:effectiveDate",
    "unit_role": f"{SCIM_MOL}:unitRole",
}
VALUE_FILTER_RE = re.compile(
    r'^(?P<attr>emails|phoneNumbers)\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\](?:\.value)?$',
    re.IGNORECASE,
)


class ScimError(Exception):
    """An answer in the SCIM error shape (RFC 7644 3.12)."""

    def __init__(self, status: int, detail, scim_type: str | None = None, headers=None):
        super().__init__(str(detail))
        self.status = status
        self.detail = str(detail)
        self.scim_type = scim_type
        self.headers = headers or {}

    def body(self) -> dict:
        data = {"schemas": [SCIM_ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            data["scimType"] = self.scim_type
        return data


def scim_attribute(feed_field: str) -> str:
    return FEED_TO_SCIM.get(feed_field, feed_field)


# --- account -> resource ---------------------------------------------------------------------


def user_resource(user, *, location: str) -> dict:
    """The account as a SCIM User, with the enterprise and MOL extensions."""
    data: dict = {
        "schemas": [SCIM_USER, SCIM_ENTERPRISE, SCIM_MOL],
        "id": str(user.pk),
        "userName": user.username,
        "active": user.is_active,
    }
    if user.employee_number:
        data["externalId"] = user.employee_number
    if user.name_zh:
        data["displayName"] = user.name_zh
    if user.name_en:
        data["name"] = {"formatted": user.name_en}
    if user.job_title:
        data["title"] = user.job_title
    if user.email:
        data["emails"] = [{"value": user.email, "type": "work", "primary": True}]
    if user.mobile:
        data["phoneNumbers"] = [{"value": user.mobile, "type": "mobile"}]
    data[SCIM_ENTERPRISE] = {"employeeNumber": user.employee_number} if user.employee_number else {}
    mol: dict = {"employmentStatus": user.employment_status}
    if user.organization_id:
        mol["unitCode"] = user.organization.code
    if user.hr_effective_date:
        mol["effectiveDate"] = user.hr_effective_date.isoformat()
    unit_role = hr_unit_role(user)
    if unit_role:
        mol["unitRole"] = unit_role
    data[SCIM_MOL] = mol
    data["meta"] = {
        "resourceType": "User",
        "created": user.date_joined.isoformat(),
        "location": location,
    }
    return data


# --- resource -> record ----------------------------------------------------------------------


def _string(value, attribute: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(
            400,
            _("%(attribute)s must be a string.") % {"attribute": attribute},
            "invalidValue",
        )
    return value


def _boolean(value, attribute: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    # Some provisioning clients send "True"/"False" as strings.
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise ScimError(
        400, _("%(attribute)s must be true or false.") % {"attribute": attribute}, "invalidValue"
    )


def _dict(value, attribute: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScimError(
            400, _("%(attribute)s must be an object.") % {"attribute": attribute}, "invalidValue"
        )
    return value


def _pick(values, attribute: str, prefer_type: str) -> str:
    """The value of a multi-valued attribute: primary, else of the preferred type, else first."""
    if values is None:
        return ""
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ScimError(
            400,
            _("%(attribute)s must be a list of objects.") % {"attribute": attribute},
            "invalidValue",
        )
    if not values:
        return ""
    chosen = (
        next((v for v in values if v.get("primary") is True), None)
        or next((v for v in values if str(v.get("type", "")).lower() == prefer_type), None)
        or values[0]
    )
    return _string(chosen.get("value"), f"{attribute}.value")


def _lowered(data: dict) -> dict:
    return {str(key).lower(): value for key, value in data.items()}


def record_from_resource(data, *, today: date) -> HRRecord:
    """Validate a SCIM User (POST, PUT, or a patched resource) into an HR record.

    Replace semantics: attributes that are absent are cleared, as in a feed row.
    """
    if not isinstance(data, dict):
        raise ScimError(400, _("The request body must be a JSON object."), "invalidSyntax")
    schemas = data.get("schemas")
    if not isinstance(schemas, list) or SCIM_USER not in schemas:
        raise ScimError(
            400,
            _("schemas must list %(schema)s.") % {"schema": SCIM_USER},
            "invalidSyntax",
        )
    core = _lowered(data)
    enterprise = _lowered(_dict(data.get(SCIM_ENTERPRISE), SCIM_ENTERPRISE))
    mol = _lowered(_dict(data.get(SCIM_MOL), SCIM_MOL))
    name = _lowered(_dict(core.get("name"), "name"))

    username = _string(core.get("username"), "userName").strip()
    if not username:
        raise ScimError(400, _("userName is required."), "invalidValue")
    number = _string(enterprise.get("employeenumber"), "employeeNumber") or _string(
        core.get("externalid"), "externalId"
    )
    name_en = _string(name.get("formatted"), "name.formatted").strip()
    if not name_en:
        parts = [
            _string(name.get("givenname"), "name.givenName").strip(),
            _string(name.get("familyname"), "name.familyName").strip(),
        ]
        name_en = " ".join(part for part in parts if part)

    active = _boolean(core.get("active"), "active")
    status = _string(mol.get("employmentstatus"), "employmentStatus").strip()
    status = normalize_status(status) or status if status else ""
    if active is False:
        if status and status != EmploymentStatus.LEFT:
            raise ScimError(
                400,
                _("active is false but employmentStatus is %(status)s.") % {"status": status},
                "invalidValue",
            )
        status = EmploymentStatus.LEFT
    elif active is True:
        if status == EmploymentStatus.LEFT:
            raise ScimError(400, _("active is true but employmentStatus is left."), "invalidValue")
        status = status or EmploymentStatus.ACTIVE
    else:
        status = status or EmploymentStatus.ACTIVE

    values = {
        "employee_number": number,
        "username": username,
        "name_zh": _string(core.get("displayname"), "displayName"),
        "name_en": name_en,
        "title": _string(core.get("title"), "title"),
        "email": _pick(core.get("emails"), "emails", "work"),
        "mobile": _pick(core.get("phonenumbers"), "phoneNumbers", "mobile"),
        "unit_code": _string(mol.get("unitcode"), "unitCode"),
        "status": status,
        "effective_date": _string(mol.get("effectivedate"), "effectiveDate") or today.isoformat(),
        "unit_role": _string(mol.get("unitrole"), "unitRole"),
    }
    record, errors = validate_row(values, line=None)
    if errors:
        raise ScimError(
            400,
            "; ".join(f"{scim_attribute(e.field)}: {e.reason}" for e in errors),
            "invalidValue",
        )
    return record


# --- PATCH -----------------------------------------------------------------------------------


def _split_path(path: str) -> tuple[str | None, str, str | None, str | None]:
    """``(extension URN or None, attribute, sub-attribute, type filter)`` of a PATCH path."""
    path = path.strip()
    for urn in EXTENSIONS:
        if path.lower().startswith(urn.lower() + ":"):
            attr = path[len(urn) + 1 :]
            canonical = EXTENSION_ATTRIBUTES[urn].get(attr.lower())
            if canonical is None:
                raise ScimError(
                    400, _("Unknown attribute %(path)s.") % {"path": path}, "invalidPath"
                )
            return urn, canonical, None, None
    if path.lower().startswith(SCIM_USER.lower() + ":"):
        path = path[len(SCIM_USER) + 1 :]
    match = VALUE_FILTER_RE.match(path)
    if match:
        return None, CORE_ATTRIBUTES[match["attr"].lower()], "value", match["type"]
    attr, _dot, sub = path.partition(".")
    canonical = CORE_ATTRIBUTES.get(attr.lower())
    if (
        canonical is None
        or (sub and canonical != "name")
        or (sub and sub.lower() not in NAME_PARTS)
    ):
        raise ScimError(400, _("Unknown attribute %(path)s.") % {"path": path}, "invalidPath")
    return None, canonical, NAME_PARTS.get(sub.lower()) if sub else None, None


def _set(resource: dict, path: str, value, *, remove: bool) -> set[str]:
    urn, attr, sub, type_filter = _split_path(path)
    if urn is not None:
        container = resource.setdefault(urn, {})
        if remove:
            container.pop(attr, None)
        else:
            container[attr] = value
        return {attr}
    if type_filter is not None:
        kind = type_filter.lower()
        if remove:
            resource[attr] = []
        else:
            resource[attr] = [{"value": value, "type": kind, "primary": True}]
        return {attr}
    if sub is not None:
        name = resource.setdefault("name", {})
        if remove:
            name.pop(sub, None)
        else:
            name[sub] = value
        return {"name"}
    if remove:
        resource.pop(attr, None)
    else:
        resource[attr] = value
    return {attr}


def apply_patch(resource: dict, body) -> dict:
    """Apply a PatchOp body to a copy of ``resource`` and return it, ready for
    :func:`record_from_resource`.

    A status the operations do not touch follows the one they touch: ``active=false`` alone
    makes the employee a leaver, ``employmentStatus`` alone sets ``active``. The effective date
    is today unless an operation sets it.
    """
    if not isinstance(body, dict):
        raise ScimError(400, _("The request body must be a JSON object."), "invalidSyntax")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or SCIM_PATCH not in schemas:
        raise ScimError(
            400, _("schemas must list %(schema)s.") % {"schema": SCIM_PATCH}, "invalidSyntax"
        )
    operations = _lowered(body).get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, _("Operations must be a non-empty list."), "invalidSyntax")
    patched = copy.deepcopy(resource)
    touched: set[str] = set()
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, _("Each operation must be an object."), "invalidSyntax")
        op = _lowered(operation)
        kind = str(op.get("op", "")).lower()
        path = op.get("path")
        value = op.get("value")
        if kind not in {"add", "replace", "remove"}:
            raise ScimError(400, _("op must be add, replace or remove."), "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, _("path must be a string."), "invalidPath")
        if kind == "remove":
            if not path:
                raise ScimError(400, _("remove needs a path."), "noTarget")
            touched |= _set(patched, path, None, remove=True)
        elif path:
            touched |= _set(patched, path, value, remove=False)
        else:
            if not isinstance(value, dict):
                raise ScimError(400, _("Without a path, value must be an object."), "invalidValue")
            for key, item in value.items():
                if key in EXTENSIONS:
                    for sub_key, sub_value in _dict(item, key).items():
                        touched |= _set(patched, f"{key}:{sub_key}", sub_value, remove=False)
                elif str(key).lower() == "name" and isinstance(item, dict):
                    for sub_key, sub_value in item.items():
                        touched |= _set(patched, f"name.{sub_key}", sub_value, remove=False)
                else:
                    touched |= _set(patched, str(key), item, remove=False)
    mol = patched.setdefault(SCIM_MOL, {})
    if "active" in touched and "employmentStatus" not in touched:
        mol.pop("employmentStatus", None)
    elif "employmentStatus" in touched and "active" not in touched:
        patched.pop("active", None)
    if "effectiveDate" not in touched:
        mol.pop("effectiveDate", None)
    patched.pop("meta", None)
    patched.pop("id", None)
    if SCIM_USER not in patched.get("schemas", []):
        patched["schemas"] = [SCIM_USER, *patched.get("schemas", [])]
    return patched
