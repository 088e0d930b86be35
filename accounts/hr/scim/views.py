"""SCIM 2.0 endpoint for HR systems that push (RFC 7644): ``/scim/v2/Users``.

Thin views: authenticate the bearer token (``HR_SCIM_TOKEN``), turn the payload into an HR
record and call the same service the feed uses. Answers are ``application/scim+json``;
errors have the SCIM error shape. Accounts are never deleted: DELETE is refused, and
``PATCH active=false`` deactivates.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core.choices import AuditAction
from core.services import audit_record

from ..constants import (
    ACTOR_SCIM,
    SCIM_CONTENT_TYPE,
    SCIM_DEFAULT_COUNT,
    SCIM_ENTERPRISE,
    SCIM_LIST,
    SCIM_MAX_COUNT,
    SCIM_SPC,
)
from ..selectors import scim_user_get, scim_users
from ..services import HRRecordInvalid, hr_record_push
from . import schemas as scim_schemas
from .resources import (
    ScimError,
    apply_patch,
    record_from_resource,
    scim_attribute,
    user_resource,
)

logger = logging.getLogger(__name__)

FILTER_RE = re.compile(r'^\s*(?P<attr>[\w.:]+)\s+eq\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.I)
FILTER_ATTRIBUTES = {
    "username": "userName",
    "externalid": "employeeNumber",
    "employeenumber": "employeeNumber",
    f"{SCIM_ENTERPRISE}:employeenumber".lower(): "employeeNumber",
    "emails": "email",
    "emails.value": "email",
}
CONFLICT_CODES = {"exists", "taken"}


def scim_response(data, status=200, headers=None) -> HttpResponse:
    """A JSON answer with the SCIM media type (non-ASCII kept readable)."""
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type=f"{SCIM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _authenticated(request) -> bool:
    expected = settings.HR_SCIM_TOKEN
    scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def scim_endpoint(*methods):
    """Bearer-token authentication, allowed methods and SCIM error answers for a view."""

    def decorate(view):
        @csrf_exempt
        @login_not_required
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if not _authenticated(request):
                    audit_record(
                        action=AuditAction.LOGIN_FAILED,
                        actor_repr=ACTOR_SCIM,
                        message=f"SCIM bearer token refused: {request.method} {request.path}",
                    )
                    raise ScimError(
                        401,
                        _("A valid bearer token is required."),
                        headers={"WWW-Authenticate": 'Bearer realm="scim"'},
                    )
                if request.method not in methods:
                    raise ScimError(
                        405,
                        _("Method %(method)s is not allowed here.") % {"method": request.method},
                        headers={"Allow": ", ".join(methods)},
                    )
                return view(request, *args, **kwargs)
            except ScimError as exc:
                return scim_response(exc.body(), status=exc.status, headers=exc.headers)

        return wrapper

    return decorate


def _body(request):
    content_type = request.content_type or ""
    if content_type not in {SCIM_CONTENT_TYPE, "application/json"}:
        raise ScimError(
            415, _("Send the body as application/scim+json."), headers={"Accept": SCIM_CONTENT_TYPE}
        )
    try:
        return json.loads(request.body.decode(request.encoding or "utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScimError(400, _("The body is not valid JSON."), "invalidSyntax") from exc


def _location(request, user) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[user.pk]))


def _push(request, *, record, user=None, expect_new=False, label: str):
    try:
        return hr_record_push(
            record=record,
            source=f"SCIM {request.method} {label}",
            user=user,
            expect_new=expect_new,
        )
    except HRRecordInvalid as exc:
        detail = "; ".join(f"{scim_attribute(e.field)}: {e.reason}" for e in exc.errors)
        codes = {e.code for e in exc.errors}
        if codes & CONFLICT_CODES:
            raise ScimError(409, detail, "uniqueness") from exc
        if "immutable" in codes:
            raise ScimError(400, detail, "mutability") from exc
        raise ScimError(400, detail, "invalidValue") from exc


def _int_param(request, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ScimError(
            400, _("%(name)s must be an integer.") % {"name": name}, "invalidValue"
        ) from exc


@scim_endpoint("GET", "POST")
def users(request):
    if request.method == "POST":
        record = record_from_resource(_body(request), today=timezone.localdate())
        result = _push(request, record=record, expect_new=True, label="/Users")
        location = _location(request, result.user)
        return scim_response(
            user_resource(result.user, location=location),
            status=201,
            headers={"Location": location},
        )

    attribute = value = None
    raw_filter = request.GET.get("filter", "").strip()
    if raw_filter:
        match = FILTER_RE.match(raw_filter)
        attribute = FILTER_ATTRIBUTES.get(match["attr"].lower()) if match else None
        if attribute is None:
            raise ScimError(
                400,
                _('Supported filters: userName, externalId, employeeNumber or emails eq "value".'),
                "invalidFilter",
            )
        value = re.sub(r"\\(.)", r"\1", match["value"])
    start = max(_int_param(request, "startIndex", 1), 1)
    count = min(max(_int_param(request, "count", SCIM_DEFAULT_COUNT), 0), SCIM_MAX_COUNT)
    queryset = scim_users(attribute=attribute, value=value or "")
    total = queryset.count()
    page = list(queryset[start - 1 : start - 1 + count]) if count else []
    return scim_response(
        {
            "schemas": [SCIM_LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(page),
            "Resources": [user_resource(u, location=_location(request, u)) for u in page],
        }
    )


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user_detail(request, user_id: str):
    if request.method == "DELETE":
        raise ScimError(
            405,
            _("Accounts are never deleted. Send PATCH with active=false to deactivate."),
            headers={"Allow": "GET, PUT, PATCH"},
        )
    user = scim_user_get(user_id=user_id)
    if user is None:
        raise ScimError(404, _("No user with id %(id)s.") % {"id": user_id})
    location = _location(request, user)
    if request.method == "GET":
        return scim_response(user_resource(user, location=location))
    today = timezone.localdate()
    if request.method == "PUT":
        record = record_from_resource(_body(request), today=today)
    else:
        patched = apply_patch(user_resource(user, location=location), _body(request))
        record = record_from_resource(patched, today=today)
    result = _push(request, record=record, user=user, label=f"/Users/{user.pk}")
    return scim_response(user_resource(result.user, location=location))


@scim_endpoint("GET")
def service_provider_config(request):
    return scim_response(
        {
            "schemas": [SCIM_SPC],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": SCIM_MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "The token set in HR_SCIM_TOKEN.",
                    "primary": True,
                }
            ],
            "meta": {"resourceType": "ServiceProviderConfig"},
        }
    )


def _listed(resources: list[dict]) -> dict:
    return {
        "schemas": [SCIM_LIST],
        "totalResults": len(resources),
        "itemsPerPage": len(resources),
        "startIndex": 1,
        "Resources": resources,
    }


def _schemas(request) -> list[dict]:
    return scim_schemas.schemas(request.build_absolute_uri(reverse("scim:schemas")))


def _resource_types(request) -> list[dict]:
    return scim_schemas.resource_types(
        request.build_absolute_uri(reverse("scim:resource_types")), "/Users"
    )


def _one(resources: list[dict], wanted: str) -> HttpResponse:
    for resource in resources:
        if resource["id"] == wanted:
            return scim_response(resource)
    raise ScimError(404, _("No such resource."))


@scim_endpoint("GET")
def schemas(request):
    """RFC 7644 §4: the schemas of the User resource and its extensions."""
    return scim_response(_listed(_schemas(request)))


@scim_endpoint("GET")
def schema_detail(request, schema_id: str):
    return _one(_schemas(request), schema_id)


@scim_endpoint("GET")
def resource_types(request):
    """RFC 7644 §4: the resource types served (User)."""
    return scim_response(_listed(_resource_types(request)))


@scim_endpoint("GET")
def resource_type_detail(request, type_id: str):
    return _one(_resource_types(request), type_id)
