"""Notices sent by external systems through ``POST /api/v1/notifications/``."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.models import Organization

from ..choices import NoticeKind
from ..models import ApiClient, ApiMessage
from ..recipients import Person, RoleHolders, UnitMembers
from .notices import notify


def _entry(value, key: str) -> tuple[str, dict]:
    if isinstance(value, dict):
        return str(value.get(key) or value.get("code") or ""), value
    return str(value), {}


def api_recipients(spec: dict) -> list:
    """``{"employees": [...], "units": [...], "roles": [...]}`` as recipients. A unit is a
    code or ``{"code": …, "include_subunits": true}``; a role a code or ``{"code": …,
    "unit": <unit code>}``. Unknown codes raise ``ValidationError`` listing them all."""
    entries, unknown = [], {}
    employees = [str(e) for e in spec.get("employees") or []]
    found = dict(
        User.objects.filter(employee_number__in=employees, is_active=True).values_list(
            "employee_number", "pk"
        )
    )
    missing = [e for e in employees if e not in found]
    if missing:
        unknown["employees"] = [
            str(_("Unknown employee numbers: %(codes)s")) % {"codes": ", ".join(missing)}
        ]
    entries += [Person(pk) for pk in found.values()]
    units = {
        u.code: u
        for u in Organization.objects.filter(
            code__in=[_entry(u, "code")[0] for u in spec.get("units") or []]
        )
    }
    missing = []
    for value in spec.get("units") or []:
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
    known_roles = set(Role.objects.filter(application__isnull=True).values_list("code", flat=True))
    for value in spec.get("roles") or []:
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


def api_message_create(*, client: ApiClient, data: dict) -> tuple[ApiMessage, bool]:
    """The message ``data`` (validated by the serializer) of ``client``, once per
    (client, ``message_id``): a repeat returns the first message and ``False``, never a
    second notice, even when two requests race (the unique constraint decides)."""
    existing = ApiMessage.objects.filter(client=client, message_id=data["message_id"]).first()
    if existing is not None:
        return existing, False
    if data["kind"] == NoticeKind.ALERT and not client.allow_alerts:
        raise ValidationError({"kind": [_("This sender may not send alerts.")]})
    recipients = api_recipients(data.get("recipients") or {})
    try:
        with transaction.atomic():
            message = ApiMessage.objects.create(
                client=client,
                message_id=data["message_id"],
                kind=data["kind"],
                payload={**data, "due": str(data.get("due") or "")},
            )
            notices = notify(
                recipients=recipients,
                kind=data["kind"],
                title=data["title"],
                body=data.get("body") or "",
                link=data.get("link") or "",
                due=data.get("due"),
                source=client.source,
                api_message=message,
            )
            ApiMessage.objects.filter(pk=message.pk).update(recipient_count=len(notices))
            message.recipient_count = len(notices)
    except IntegrityError:
        return ApiMessage.objects.get(client=client, message_id=data["message_id"]), False
    return message, True
