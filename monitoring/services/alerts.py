"""Escalation: the steps of an incident's contact rule, each step's alert sent once.

An open incident carries ``round``, ``next_step`` (an index into its rule's ordered steps) and
``next_step_at``. ``escalations_due(now=)`` runs every incident whose step is due:
``step_send`` locks the incident row, checks it is still open at that round and step, and
writes one ``AlertSent`` (unique per incident, kind, round and step) in the same transaction
as the outbox rows of its e-mails and SMS, so a worker that retries, or a second worker
running the same step, finds the row (or waits on the lock, then finds it) and sends
nothing. Then the incident moves to the next step, the next round (``ContactRule.repeat``),
or stops. Acknowledgement and resolution clear ``next_step_at``.

Alerts go through the notifications outbox (``outbox_email``/``outbox_sms`` to each person
the step names, in their language), never held by quiet hours; webhooks are a
``WebhookDelivery`` row, posted by ``webhooks_send`` (the escalation task runs it after the
steps, and again on every run until each row is sent or has used its attempts).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import is_working_day
from core.http import absolute_url
from notifications.recipients import RoleHolders, UnitOfficers, resolve
from notifications.services import outbox_email, outbox_sms, preference_for

from ..choices import EventKind, Hours, IncidentState
from ..constants import ACK_SALT
from ..models import (
    AlertSent,
    AlertTemplate,
    ContactRule,
    EscalationStep,
    Incident,
    IncidentEvent,
    OnCallShift,
    WebhookDelivery,
)

logger = logging.getLogger(__name__)

#: Built-in texts, used when the admin has no ``AlertTemplate`` row for a code.
DEFAULT_TEXTS = {
    "down": {
        "subject_zh": "【服務中斷】{{ check.name }}",
        "subject_en": "[DOWN] {{ check.name }}",
        "body_zh": "監控項目「{{ check.name }}」（{{ check.group.name_zh }}）於 {{ opened }} "
        "起無法正常服務。\n原因：{{ incident.cause }}\n\n事件：{{ link }}\n"
        "確認已收到並停止後續通知：{{ ack_url }}\n",
        "body_en": 'The check "{{ check.name }}" ({{ check.group.name_en }}) has been down '
        "since {{ opened }}.\nCause: {{ incident.cause }}\n\nIncident: {{ link }}\n"
        "Acknowledge and stop the escalation: {{ ack_url }}\n",
        "sms_zh": "【服務中斷】{{ check.name }}：{{ incident.cause }} 確認：{{ ack_url }}",
        "sms_en": "[DOWN] {{ check.name }}: {{ incident.cause }} Ack: {{ ack_url }}",
    },
    "resolved": {
        "subject_zh": "【已恢復】{{ check.name }}",
        "subject_en": "[RESOLVED] {{ check.name }}",
        "body_zh": "監控項目「{{ check.name }}」已恢復正常，中斷 {{ minutes }} 分鐘。\n"
        "事件：{{ link }}\n",
        "body_en": 'The check "{{ check.name }}" is up again after {{ minutes }} minutes.\n'
        "Incident: {{ link }}\n",
        "sms_zh": "【已恢復】{{ check.name }}，中斷 {{ minutes }} 分鐘",
        "sms_en": "[RESOLVED] {{ check.name }} after {{ minutes }} min",
    },
}


def is_office_hours(when: datetime) -> bool:
    local = timezone.localtime(when)
    return (
        is_working_day(local.date())
        and settings.MONITORING_OFFICE_START_HOUR
        <= local.hour
        < settings.MONITORING_OFFICE_END_HOUR
    )


def rule_for(incident: Incident) -> ContactRule | None:
    """The check's rules, else its group's, the first whose hours cover the opening."""
    check = incident.check_ref
    rules = list(check.contact_rules.all()) or list(check.group.contact_rules.all())
    office = is_office_hours(incident.opened_at)
    for rule in rules:
        if rule.hours == Hours.ALWAYS or (rule.hours == Hours.OFFICE) == office:
            return rule
    return None


def steps_of(rule: ContactRule | None) -> list[EscalationStep]:
    return list(rule.steps.order_by("order")) if rule else []


def schedule_first(incident: Incident) -> None:
    """Set the first step of a new (unsuppressed) incident; the caller saves."""
    incident.contact_rule = rule_for(incident)
    steps = steps_of(incident.contact_rule)
    incident.round = 0
    incident.next_step = 0
    incident.next_step_at = (
        incident.opened_at + timedelta(minutes=steps[0].wait_minutes) if steps else None
    )


def ack_token(incident: Incident, user_id: int) -> str:
    return signing.dumps({"i": incident.pk, "u": user_id}, salt=ACK_SALT, compress=True)


def ack_url(incident: Incident, user_id: int) -> str:
    return absolute_url(reverse("monitoring:ack-link", args=[ack_token(incident, user_id)]))


def ack_token_read(token: str) -> tuple[int, int]:
    """(incident id, user id) of a valid link; ``signing.BadSignature`` otherwise."""
    data = signing.loads(
        token, salt=ACK_SALT, max_age=timedelta(days=settings.MONITORING_ACK_LINK_DAYS)
    )
    return int(data["i"]), int(data["u"])


def _texts(code: str) -> dict:
    row = AlertTemplate.objects.filter(code=code).first()
    if row is None:
        return DEFAULT_TEXTS[code]
    return {k: getattr(row, k) for k in DEFAULT_TEXTS[code]}


def _render(source: str, context: dict) -> str:
    return Template(source).render(Context(context, autoescape=False)).strip()


def people_of(step: EscalationStep, now: datetime) -> list:
    entries: list = list(step.users.all())
    entries += [UnitOfficers(unit) for unit in step.units.all()]
    if step.role:
        entries.append(RoleHolders(step.role))
    if step.rota:
        entries += [
            shift.user
            for shift in OnCallShift.objects.filter(
                rota=step.rota, starts_at__lte=now, ends_at__gt=now
            ).select_related("user")
        ]
    return resolve(entries)


def _messages(
    *, incident: Incident, step: EscalationStep, code: str, now: datetime, context: dict
) -> int:
    """Queue the e-mails and SMS of ``step`` about ``incident``; the number queued."""
    texts = _texts(code)
    sent = 0
    for person in people_of(step, now):
        language = preference_for(person).language or settings.LANGUAGE_CODE
        suffix = "en" if language.startswith("en") else "zh"
        with translation.override(language):
            values = {
                **context,
                "ack_url": ack_url(incident, person.pk),
                "opened": timezone.localtime(incident.opened_at).strftime("%Y-%m-%d %H:%M"),
            }
            subject = _render(texts[f"subject_{suffix}"], values)
            body = _render(texts[f"body_{suffix}"], values)
            sms_text = _render(texts[f"sms_{suffix}"], values)
        if step.email and person.email:
            outbox_email(
                to=person.email,
                subject=subject,
                text=body,
                source=incident,
                kind="monitoring.alert",
            )
            sent += 1
        if step.sms and person.mobile:
            try:
                outbox_sms(
                    to=person.mobile,
                    text=sms_text,
                    source=incident,
                    kind="monitoring.alert",
                    fallback_email=person.email,
                )
                sent += 1
            except Exception:  # noqa: BLE001 - a bad number must not stop the others
                logger.warning("monitoring: bad mobile number of user %s", person.pk)
    return sent


def _context(incident: Incident) -> dict:
    minutes = int((incident.duration or timedelta()).total_seconds() // 60)
    return {
        "check": incident.check_ref,
        "incident": incident,
        "link": absolute_url(incident.get_absolute_url()),
        "minutes": minutes,
    }


def _webhook(alert: AlertSent, step: EscalationStep, incident: Incident, code: str) -> None:
    if not step.webhook_url:
        return
    WebhookDelivery.objects.create(
        alert=alert,
        url=step.webhook_url,
        payload={
            "event": code,
            "incident": incident.pk,
            "check": incident.check_ref.name,
            "check_id": incident.check_ref_id,
            "state": incident.state,
            "cause": incident.cause,
            "opened_at": incident.opened_at.isoformat(),
            "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        },
    )


def step_send(*, incident_id: int, now: datetime | None = None) -> AlertSent | None:
    """Run the due step of one incident once; None when nothing was (or is) to be sent."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("check_ref__group", "contact_rule")
            .filter(pk=incident_id)
            .first()
        )
        if (
            incident is None
            or incident.state != IncidentState.OPEN
            or incident.next_step_at is None
            or incident.next_step_at > now
        ):
            return None
        steps = steps_of(incident.contact_rule)
        if incident.next_step >= len(steps):
            incident.next_step_at = None
            incident.save(update_fields=["next_step_at"])
            return None
        step = steps[incident.next_step]
        try:
            with transaction.atomic():
                alert = AlertSent.objects.create(
                    incident=incident,
                    kind="down",
                    round=incident.round,
                    step=step,
                    step_order=step.order,
                    at=now,
                )
        except IntegrityError:
            alert = None  # sent before: only move on
        if alert is not None:
            alert.recipients = _messages(
                incident=incident, step=step, code="down", now=now, context=_context(incident)
            )
            alert.save(update_fields=["recipients"])
            _webhook(alert, step, incident, "down")
            IncidentEvent.objects.create(
                incident=incident,
                at=now,
                kind=EventKind.ALERTED,
                text=_("Step %(step)s (round %(round)s): %(count)s messages")
                % {"step": step.order, "round": incident.round + 1, "count": alert.recipients},
            )
        _advance(incident, steps, now)
        return alert


def _advance(incident: Incident, steps: list[EscalationStep], now: datetime) -> None:
    following = incident.next_step + 1
    if following < len(steps):
        incident.next_step = following
        incident.next_step_at = now + timedelta(minutes=steps[following].wait_minutes)
    elif incident.contact_rule and incident.round < incident.contact_rule.repeat:
        incident.round += 1
        incident.next_step = 0
        incident.next_step_at = now + timedelta(minutes=max(steps[0].wait_minutes, 1))
    else:
        incident.next_step_at = None
    incident.save(update_fields=["round", "next_step", "next_step_at"])


def escalations_due(*, now: datetime | None = None) -> int:
    """Run every due step; the number of alerts sent."""
    now = now or timezone.now()
    ids = list(
        Incident.objects.filter(state=IncidentState.OPEN, next_step_at__lte=now)
        .order_by("next_step_at")
        .values_list("pk", flat=True)[:1000]
    )
    return sum(1 for pk in ids if step_send(incident_id=pk, now=now))


def resolved_send(*, incident: Incident, now: datetime) -> int:
    """Tell the steps already alerted that the incident is over (once: its own AlertSent)."""
    alerted = list(
        EscalationStep.objects.filter(
            pk__in=incident.alerts.filter(kind="down").values("step_id")
        ).order_by("order")
    )
    if not alerted:
        return 0
    try:
        with transaction.atomic():
            alert = AlertSent.objects.create(
                incident=incident, kind="resolved", round=0, step_order=0, at=now
            )
    except IntegrityError:
        return 0
    context = _context(incident)
    alert.recipients = sum(
        _messages(incident=incident, step=step, code="resolved", now=now, context=context)
        for step in alerted
    )
    alert.save(update_fields=["recipients"])
    for step in alerted:
        _webhook(alert, step, incident, "resolved")
    return alert.recipients


WEBHOOK_ATTEMPTS = 5


def webhooks_send(*, limit: int = 100) -> int:
    """POST every unsent webhook (JSON), claimed by a conditional update; the number sent."""
    sent = 0
    pending = WebhookDelivery.objects.filter(sent_at__isnull=True, attempts__lt=WEBHOOK_ATTEMPTS)
    for row in list(pending.order_by("pk")[:limit]):
        claimed = WebhookDelivery.objects.filter(pk=row.pk, attempts=row.attempts).update(
            attempts=row.attempts + 1
        )
        if not claimed:
            continue
        try:
            response = httpx.post(row.url, json=row.payload, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            WebhookDelivery.objects.filter(pk=row.pk).update(last_error=str(exc)[:300])
            continue
        WebhookDelivery.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
        sent += 1
    return sent
