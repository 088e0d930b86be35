"""Notices sent by external systems through ``POST /api/v1/notifications/``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.models import Organization

from ..choices import NoticeKind
from ..models import ApiClient, ApiMessage
from ..recipients import RoleHolders, UnitMembers, resolve
from .notices import notify_resolved


def _entry(value, key: str) -> tuple[str, dict]:
    if isinstance(value, dict):
        return str(value.get(key) or value.get("code") or ""), value
    return str(value), {}


def api_recipients(spec: dict) -> list:
    """``{"employees": [...], "units": [...], "roles": [...]}`` as recipients. A unit is a
    code or ``{"code": …, "include_subunits": true}``; a role a code or ``{"code": …,
    "unit": <unit code>}``. Unknown codes raise ``ValidationError`` listing them all.
    Employees come back as active ``User`` rows (with their preferences), so that a message
    to employees only needs no second look-up."""
    entries, unknown = [], {}
    employees = [str(e) for e in spec.get("employees") or []]
    found = {}
    if employees:
        found = {
            user.employee_number: user
            for user in User.objects.filter(employee_number__in=employees, is_active=True)
            .select_related("notice_preference")
            .order_by()
        }
    missing = [e for e in employees if e not in found]
    if missing:
        unknown["employees"] = [
            str(_("Unknown employee numbers: %(codes)s")) % {"codes": ", ".join(missing)}
        ]
    entries += found.values()
    unit_specs = spec.get("units") or []
    units = {}
    if unit_specs:
        units = {
            u.code: u
            for u in Organization.objects.filter(
                code__in=[_entry(u, "code")[0] for u in unit_specs]
            )
        }
    missing = []
    for value in unit_specs:
        code, extra = _entry(value, "code")
        if code not in units:
            missing.append(code)
            continue
        entries.append(
            UnitMembers(units[code], include_subunits=bool(extra.get("include_subunits")))
        )
    if missing:
        unknown["units"] = [str(_("Unknown unit codes: %(codes)s")) % {"codes": ", ".join(missing)}]
    missing = []
    role_specs = spec.get("roles") or []
    known_roles = set()
    if role_specs:
        known_roles = set(
            Role.objects.filter(application__isnull=True).values_list("code", flat=True)
        )
    for value in role_specs:
        code, extra = _entry(value, "code")
        unit = None
        if extra.get("unit"):
            unit = Organization.objects.filter(code=str(extra["unit"])).first()
            if unit is None:
                missing.append(f"{code}@{extra['unit']}")
                continue
        if code not in known_roles:
            missing.append(code)
            continue
        entries.append(RoleHolders(code, unit))
    if missing:
        unknown["roles"] = [str(_("Unknown role codes: %(codes)s")) % {"codes": ", ".join(missing)}]
    if unknown:
        raise ValidationError(unknown)
    if not entries:
        raise ValidationError({"recipients": [_("Name at least one employee, unit or role.")]})
    return entries


def _people(entries: list) -> list[User]:
    """The people behind ``entries`` as ``resolve`` gives them (active, once each, by id);
    users fetched just now need no second query."""
    if all(isinstance(entry, User) for entry in entries):
        return sorted({user.pk: user for user in entries}.values(), key=lambda user: user.pk)
    return resolve(entries)


def _existing(client: ApiClient, message_id: str) -> ApiMessage | None:
    return ApiMessage.objects.filter(client=client, message_id=message_id).first()


def api_message_create(*, client: ApiClient, data: dict) -> tuple[ApiMessage, bool]:
    """The message ``data`` (validated by the serializer) of ``client``, once per
    (client, ``message_id``): a repeat returns the first message and ``False``, never a
    second notice, even when two requests race (the unique constraint decides: a new message
    is inserted straight away, a repeat fails on the constraint and is looked up)."""
    try:
        if data["kind"] == NoticeKind.ALERT and not client.allow_alerts:
            raise ValidationError({"kind": [_("This sender may not send alerts.")]})
        people = _people(api_recipients(data.get("recipients") or {}))
    except ValidationError:
        existing = _existing(client, data["message_id"])
        if existing is not None:  # a repeat of a message accepted before
            return existing, False
        raise
    try:
        with transaction.atomic():
            message = ApiMessage.objects.create(
                client=client,
                message_id=data["message_id"],
                kind=data["kind"],
                payload={**data, "due": str(data.get("due") or "")},
                recipient_count=len(people),
            )
            notify_resolved(
                people=people,
                kind=data["kind"],
                title=data["title"],
                body=data.get("body") or "",
                link=data.get("link") or "",
                due=data.get("due"),
                source=client.source,
                api_message=message,
            )
    except IntegrityError:
        existing = _existing(client, data["message_id"])
        if existing is None:
            raise
        return existing, False
    return message, True
