"""Notices: ``notify`` (the one producer service), ``notice_resolve`` (to-dos close themselves),
marking read/done, expiry, retention and the daily digest."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from accounts.models import User
from core.http import absolute_url

from .. import sms
from ..choices import Channel, DeliveryState, NoticeKind, NoticeState, Priority
from ..models import ApiMessage, Delivery, Notice, Preference
from ..recipients import resolve
from .outbox import (
    deliveries_cancel_held,
    deliveries_enqueue_on_commit,
    new_message_id,
    new_sms_id,
    outbox_email,
)
from .preferences import channels_for, hold_until, preferences_for
from .rendering import Rendered, template_render, text_to_html
from .retention import attachments_delete

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def absolute(link: str) -> str:
    """``link`` made absolute (mail has no request): on ``NOTIFICATIONS_SITE_URL``, else the
    project's rule (``core.http.site_url``: ``SITE_URL``, else the first named host)."""
    return absolute_url(link, settings.NOTIFICATIONS_SITE_URL)


def _pick(value, language: str) -> str:
    """A plain string, or the entry of ``{"zh-hant": …, "en": …}`` for ``language`` (the
    other language when that one is missing)."""
    if isinstance(value, dict):
        lowered = {str(k).lower(): v for k, v in value.items()}
        for key in (language, language.split("-")[0], *LANGUAGE_CODES):
            if lowered.get(key):
                return str(lowered[key])
        return ""
    return "" if value is None else str(value)


def _target_fields(obj) -> dict:
    if obj is None:
        return {}
    return {
        "target_type": ContentType.objects.get_for_model(obj, for_concrete_model=False),
        "target_id": str(obj.pk),
    }


def _email_parts(rendered: Rendered, link: str, language: str) -> tuple[str, str]:
    url = absolute(link)
    with override(language):
        context = {
            "title": rendered.title,
            "body": rendered.body,
            "url": url,
            "html_body": rendered.html or text_to_html(rendered.body),
        }
        text = render_to_string("notifications/email/notice.txt", context).strip() + "\n"
        html = render_to_string("notifications/email/notice.html", context)
    return text, html


def _sms_text(rendered: Rendered, link: str) -> str:
    text = rendered.title
    url = absolute(link)
    if url and len(text) + len(url) + 1 <= 200:
        text = f"{text} {url}"
    return text[:200]


def _check(kind: str, template: str | None, title) -> None:
    if kind not in NoticeKind.values:
        raise ValidationError({"kind": _("Unknown kind of notice.")})
    if template is None and not title:
        raise ValidationError({"title": _("A notice needs a template or a title.")})


@transaction.atomic
def notify(
    *,
    recipients,
    kind: str,
    template: str | None = None,
    obj=None,
    context: dict | None = None,
    title=None,
    body=None,
    link: str | None = None,
    due: datetime | None = None,
    priority: str = Priority.NORMAL,
    expires_at: datetime | None = None,
    source: str | None = None,
    api_message: ApiMessage | None = None,
) -> list[Notice]:
    """Put a notice in the inbox of every person behind ``recipients`` (see
    ``notifications.recipients``) and queue its e-mail/SMS per their preferences, in the
    caller's transaction (nothing is sent before it commits).

    Text: ``template`` (a code, rendered once per recipient language with ``context`` plus
    ``obj``), or ``title``/``body`` given directly (strings or ``{"zh-hant": …, "en": …}``).
    ``obj`` is the item the notice is about: its link (``obj.get_absolute_url()`` unless
    ``link`` is given) and the key ``notice_resolve(obj=…)`` closes to-dos by. ``source``
    defaults to ``obj``'s app (or the template code's first part). Returns the notices.
    """
    _check(kind, template, title)
    return notify_resolved(
        people=resolve(recipients),
        kind=kind,
        template=template,
        obj=obj,
        context=context,
        title=title,
        body=body,
        link=link,
        due=due,
        priority=priority,
        expires_at=expires_at,
        source=source,
        api_message=api_message,
    )


def _preferences(people) -> dict:
    """``preferences_for(people)``, without its query when every person was fetched with
    ``select_related("notice_preference")``."""
    if people and all(User.notice_preference.is_cached(person) for person in people):
        return {
            person.pk: getattr(person, "notice_preference", None)
            or Preference(user_id=person.pk, language=settings.LANGUAGE_CODE)
            for person in people
        }
    return preferences_for(people)


def notify_resolved(
    *,
    people: list,
    kind: str,
    template: str | None = None,
    obj=None,
    context: dict | None = None,
    title=None,
    body=None,
    link: str | None = None,
    due: datetime | None = None,
    priority: str = Priority.NORMAL,
    expires_at: datetime | None = None,
    source: str | None = None,
    api_message: ApiMessage | None = None,
) -> list[Notice]:
    """``notify`` for ``people`` already resolved (``recipients.resolve``: active users,
    each once, by id), e.g. counted by the caller first. Must run inside the caller's
    ``transaction.atomic`` (no savepoint of its own)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_resolved() must run inside transaction.atomic")
    _check(kind, template, title)
    if not people:
        return []
    if link is None:
        link = (
            obj.get_absolute_url() if obj is not None and hasattr(obj, "get_absolute_url") else ""
        )
    if source is None:
        source = obj._meta.app_label if obj is not None else (template or "portal").split(".")[0]
    context = {**(context or {}), "object": obj}
    prefs = _preferences(people)
    rendered: dict[str, Rendered] = {}
    mail_parts: dict[str, tuple[str, str]] = {}
    now = timezone.now()
    target = _target_fields(obj)
    notices: list[Notice] = []
    for person in people:
        language = prefs[person.pk].language or settings.LANGUAGE_CODE
        if language not in rendered:
            if template:
                rendered[language] = template_render(
                    code=template, language=language, context=context
                )
            else:
                rendered[language] = Rendered(
                    " ".join(_pick(title, language).split())[:300], _pick(body, language).strip()
                )
        text = rendered[language]
        digest = (
            kind == NoticeKind.INFORMATION
            and prefs[person.pk].daily_digest
            and Channel.EMAIL in channels_for(prefs[person.pk], kind)
        )
        notices.append(
            Notice(
                recipient=person,
                source=source[:100],
                kind=kind,
                template=template or "",
                title=text.title,
                body=text.body,
                link=link[:1000],
                due=due,
                priority=priority,
                expires_at=expires_at,
                api_message=api_message,
                digest_pending=digest,
                **target,
            )
        )
    Notice.objects.bulk_create(notices, batch_size=500)
    deliveries: list[Delivery] = []
    delivery_kind = (template or f"{source}.{kind}")[:60]
    for notice, person in zip(notices, people, strict=True):
        pref = prefs[person.pk]
        language = pref.language or settings.LANGUAGE_CODE
        held = hold_until(pref, kind, now)
        due_at = held or now
        wanted = channels_for(pref, kind)
        if Channel.EMAIL in wanted and person.email and not notice.digest_pending:
            if language not in mail_parts:
                mail_parts[language] = _email_parts(rendered[language], link, language)
            text, html = mail_parts[language]
            deliveries.append(
                Delivery(
                    channel=Channel.EMAIL,
                    notice=notice,
                    kind=delivery_kind,
                    to=person.email,
                    subject=notice.title,
                    text=text,
                    html=html,
                    message_id=new_message_id(),
                    due_at=due_at,
                )
            )
        if Channel.SMS in wanted and person.mobile:
            try:
                number = sms.normalise_mobile(person.mobile)
            except ValidationError:
                number = ""
            if number:
                deliveries.append(
                    Delivery(
                        channel=Channel.SMS,
                        notice=notice,
                        kind=delivery_kind,
                        to=number,
                        text=_sms_text(rendered[language], link),
                        message_id=new_sms_id(),
                        due_at=due_at,
                        fallback_email=person.email,
                    )
                )
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=500)
        deliveries_enqueue_on_commit([d.pk for d in deliveries if d.due_at <= now])
    return notices


def notice_resolve(*, obj, recipient=None, kinds=(NoticeKind.TODO,)) -> int:
    """Close the open to-dos about ``obj`` (of ``recipient`` only, when given): they become
    ``done``, and their e-mails/SMS still held by quiet hours are cancelled. Call it where
    the work gets done (e.g. the sign-off step was acted on). Returns how many closed."""
    target = _target_fields(obj)
    with transaction.atomic():
        rows = Notice.objects.filter(
            **target, kind__in=list(kinds), state__in=[NoticeState.UNREAD, NoticeState.READ]
        )
        if recipient is not None:
            rows = rows.filter(recipient=recipient)
        ids = list(rows.values_list("pk", flat=True))
        if not ids:
            return 0
        Notice.objects.filter(pk__in=ids).update(
            state=NoticeState.DONE, done_at=timezone.now(), digest_pending=False
        )
        deliveries_cancel_held(notice_ids=ids)
    return len(ids)


MARKS = {
    NoticeState.READ: {NoticeState.UNREAD},
    NoticeState.UNREAD: {NoticeState.READ},
    NoticeState.DONE: {NoticeState.UNREAD, NoticeState.READ},
}


def notices_mark(*, actor, ids, state: str) -> int:
    """Mark ``actor``'s notices ``ids`` read, unread or done (others' ids are ignored).
    Returns how many changed."""
    if state not in MARKS:
        raise ValidationError({"state": _("Notices can be marked read, unread or done.")})
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    now = timezone.now()
    changes = {"state": state}
    if state == NoticeState.READ:
        changes["read_at"] = now
    elif state == NoticeState.DONE:
        changes["done_at"] = now
    with transaction.atomic():
        rows = Notice.objects.filter(recipient=actor, pk__in=list(ids), state__in=MARKS[state])
        changed_ids = list(rows.values_list("pk", flat=True))
        count = Notice.objects.filter(pk__in=changed_ids).update(**changes)
        if state == NoticeState.DONE and changed_ids:
            deliveries_cancel_held(notice_ids=changed_ids)
    return count


def notice_open(*, actor, notice: Notice) -> Notice:
    """The person opens their notice: unread becomes read."""
    if actor is None or notice.recipient_id != actor.pk:
        raise PermissionDenied
    if notice.state == NoticeState.UNREAD:
        notices_mark(actor=actor, ids=[notice.pk], state=NoticeState.READ)
        notice.refresh_from_db()
    return notice


def notices_expire(*, now: datetime | None = None) -> int:
    """Open notices past their ``expires_at`` become ``expired``; held mail is cancelled."""
    now = now or timezone.now()
    ids = list(
        Notice.objects.filter(
            expires_at__lt=now, state__in=[NoticeState.UNREAD, NoticeState.READ]
        ).values_list("pk", flat=True)
    )
    if ids:
        Notice.objects.filter(pk__in=ids).update(state=NoticeState.EXPIRED, digest_pending=False)
        deliveries_cancel_held(notice_ids=ids)
    return len(ids)


def notices_purge(*, now: datetime | None = None) -> dict:
    """Retention: notices older than ``NOTIFICATIONS_RETENTION_DAYS`` (with their
    deliveries), and finished deliveries without a notice older than
    ``NOTIFICATIONS_DELIVERY_RETENTION_DAYS``; sensitive texts of sent rows are gone already."""
    now = now or timezone.now()
    notice_cut = now - timedelta(days=settings.NOTIFICATIONS_RETENTION_DAYS)
    delivery_cut = now - timedelta(days=settings.NOTIFICATIONS_DELIVERY_RETENTION_DAYS)
    old_notices = Notice.objects.filter(created_at__lt=notice_cut)
    finished = Delivery.objects.filter(
        notice__isnull=True,
        created_at__lt=delivery_cut,
        state__in=[
            DeliveryState.SENT,
            DeliveryState.DELIVERED,
            DeliveryState.FAILED,
            DeliveryState.BOUNCED,
            DeliveryState.CANCELLED,
        ],
    )
    attachments_delete(deliveries=Delivery.objects.filter(notice__in=old_notices))
    attachments_delete(deliveries=finished)
    notices, _detail = old_notices.delete()
    deliveries, _detail = finished.delete()
    messages, _detail = ApiMessage.objects.filter(created_at__lt=notice_cut).delete()
    return {"notices": notices, "deliveries": deliveries, "api_messages": messages}


def digests_send(*, now: datetime | None = None) -> int:
    """One e-mail per person with their information notices waiting for the digest (the
    ones still open), then none is waiting. Returns the number of e-mails queued."""
    now = now or timezone.now()
    waiting = defaultdict(list)
    rows = (
        Notice.objects.filter(digest_pending=True)
        .select_related("recipient", "recipient__notice_preference")
        .order_by("recipient_id", "created_at")
    )
    for notice in rows:
        waiting[notice.recipient].append(notice)
    sent = 0
    for person, notices in waiting.items():
        with transaction.atomic():
            open_ones = [n for n in notices if n.is_open]
            pref = getattr(person, "notice_preference", None)
            language = (pref.language if pref else None) or settings.LANGUAGE_CODE
            if open_ones and person.email:
                with override(language):
                    context = {
                        "items": [(n.title, absolute(n.link)) for n in open_ones],
                        "site_url": absolute("/notifications/"),
                        "count": len(open_ones),
                    }
                    subject = str(_("Your notices of the day (%(count)s)")) % {
                        "count": len(open_ones)
                    }
                    text = render_to_string("notifications/email/digest.txt", context)
                    html = render_to_string("notifications/email/digest.html", context)
                outbox_email(
                    to=person.email,
                    subject=subject,
                    text=text,
                    html=html,
                    kind="notifications.digest",
                    source=person,
                )
                sent += 1
            Notice.objects.filter(pk__in=[n.pk for n in notices]).update(digest_pending=False)
            if pref is not None:
                type(pref).objects.filter(pk=pref.pk).update(last_digest_at=now)
    return sent
