"""The SCIM discovery resources of RFC 7644 §4: ``/Schemas`` (RFC 7643 §7) and
``/ResourceTypes`` (RFC 7643 §6), describing exactly the attributes ``resources`` reads and
writes: the core User, the enterprise extension's ``employeeNumber`` and the MOL extension."""

from __future__ import annotations

from ..constants import SCIM_ENTERPRISE, SCIM_MOL, SCIM_USER

SCIM_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
SCIM_RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"


def _attribute(name, *, kind="string", required=False, multi=False, unique="none", sub=None,
               mutability="readWrite", description=""):  # fmt: skip
    data = {
        "name": name,
        "type": kind,
        "multiValued": multi,
        "description": description or name,
        "required": required,
        "caseExact": False,
        "mutability": mutability,
        "returned": "default",
        "uniqueness": unique,
    }
    if sub:
        data["subAttributes"] = sub
    return data


def _schema(urn: str, name: str, description: str, attributes: list[dict], location: str):
    return {
        "schemas": [SCIM_SCHEMA],
        "id": urn,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": f"{location}/{urn}"},
    }


def schemas(location: str) -> list[dict]:
    """Every schema the endpoint uses; ``location``: the absolute ``/Schemas`` URL."""
    user = [
        _attribute("userName", required=True, unique="server"),
        _attribute("externalId", description="The employee number."),
        _attribute("displayName", description="The name in Chinese."),
        _attribute(
            "name",
            kind="complex",
            sub=[_attribute("formatted", description="The name in English.")],
        ),
        _attribute("title"),
        _attribute("active", kind="boolean"),
        _attribute(
            "emails",
            kind="complex",
            multi=True,
            sub=[_attribute("value"), _attribute("type"), _attribute("primary", kind="boolean")],
        ),
        _attribute(
            "phoneNumbers",
            kind="complex",
            multi=True,
            sub=[_attribute("value"), _attribute("type")],
        ),
    ]
    enterprise = [_attribute("employeeNumber", required=True, unique="server")]
    mol = [
        _attribute("unitCode", description="Code of the person's unit."),
        _attribute("employmentStatus", description="active, on_leave or left."),
        _attribute("effectiveDate", kind="dateTime", description="When the record applies."),
        _attribute("unitRole", description="head or deputy of the unit, or empty."),
    ]
    return [
        _schema(SCIM_USER, "User", "User Account", user, location),
        _schema(SCIM_ENTERPRISE, "EnterpriseUser", "Enterprise User", enterprise, location),
        _schema(SCIM_MOL, "MolHrUser", "Ministry of Labor HR extension", mol, location),
    ]


def resource_types(location: str, users_url: str) -> list[dict]:
    """The one resource type (User); ``location``: the absolute ``/ResourceTypes`` URL."""
    return [
        {
            "schemas": [SCIM_RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": users_url,
            "description": "User Account",
            "schema": SCIM_USER,
            "schemaExtensions": [
                {"schema": SCIM_ENTERPRISE, "required": True},
                {"schema": SCIM_MOL, "required": False},
            ],
            "meta": {"resourceType": "ResourceType", "location": f"{location}/User"},
        }
    ]
