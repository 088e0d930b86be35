"""EVERY8D HTTP API 2.1: ``sendSMS.ashx``.

Request: form POST to ``<NOTIFICATIONS_EVERY8D_URL>`` (default
``https://api.e8d.tw/API21/HTTP/sendSMS.ashx``) with ``UID``, ``PWD``, ``SB`` (subject, not
sent), ``MSG``, ``DEST`` (09xxxxxxxx or +8869xxxxxxxx) and ``ST`` (empty: now).

Reply: ``CREDIT,SENDED,COST,UNSEND,BATCH_ID`` on success, e.g. ``79.0,1,1.0,0,3f2b…``; a
negative ``CREDIT`` is an error, followed by its message (``-99,…``). Every8d does not drop
repeats itself: the outbox's claim is what keeps a row from being sent twice.
"""

from __future__ import annotations

import requests
from django.conf import settings

from .base import SmsGateway, SmsRejected, SmsResult, SmsUnavailable, normalise_mobile

#: Negative codes that will not go away by trying again.
PERMANENT = {"-4", "-5", "-6", "-7", "-8", "-9", "-10", "-306", "-307"}


class Every8dGateway(SmsGateway):
    name = "every8d"

    def send(self, *, to: str, text: str, client_id: str) -> SmsResult:
        number = normalise_mobile(to)
        data = {
            "UID": settings.NOTIFICATIONS_EVERY8D_USERNAME,
            "PWD": settings.NOTIFICATIONS_EVERY8D_PASSWORD,
            "SB": client_id,
            "MSG": text,
            "DEST": number,
            "ST": "",
        }
        try:
            reply = requests.post(
                settings.NOTIFICATIONS_EVERY8D_URL,
                data=data,
                timeout=settings.NOTIFICATIONS_SMS_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SmsUnavailable(f"every8d unreachable: {exc}") from exc
        if reply.status_code >= 500:
            raise SmsUnavailable(f"every8d answered HTTP {reply.status_code}")
        if reply.status_code != 200:
            raise SmsRejected(f"every8d answered HTTP {reply.status_code}")
        reply.encoding = reply.encoding or "utf-8"
        parts = [part.strip() for part in reply.text.strip().split(",")]
        if not parts or not parts[0]:
            raise SmsUnavailable("every8d gave an empty reply")
        if parts[0].startswith("-"):
            message = ",".join(parts[1:]) or "error"
            if parts[0] in PERMANENT:
                raise SmsRejected(f"every8d {parts[0]}: {message}")
            raise SmsUnavailable(f"every8d {parts[0]}: {message}")
        if len(parts) < 5:
            raise SmsUnavailable(f"every8d reply not understood: {reply.text[:100]}")
        sended, unsend = parts[1], parts[3]
        if sended in ("", "0") and unsend not in ("", "0"):
            raise SmsRejected(f"every8d sent nothing (UNSEND={unsend}: no credit)")
        return SmsResult(provider_id=parts[4], status=f"credit={parts[0]}")
