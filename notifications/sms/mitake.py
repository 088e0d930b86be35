"""三竹資訊 (Mitake) HTTP API: ``SmSend``.

Request: form POST to ``<NOTIFICATIONS_MITAKE_URL>`` (default
``https://smsapi.mitake.com.tw/api/mtk/SmSend?CharsetURL=UTF-8``) with ``username``,
``password``, ``dstaddr`` (09xxxxxxxx), ``smbody``, ``clientid`` (the outbox row's id: Mitake
drops a repeat within 12 hours and answers ``Duplicate=Y`` with the first ``msgid``) and
``response`` (the delivery-report URL, when configured).

Reply: INI-style text::

    [1]
    msgid=1234567890
    statuscode=1
    AccountPoint=98

``statuscode`` 0, 1, 2 and 4 mean accepted; a letter is an error of the request or the account
(``v`` bad number, ``u`` empty text, ``e`` wrong password, ``a``/``b``/``r``/``*`` service
paused or failing). Delivery reports arrive later at ``response`` (see
``services.outbox.sms_report``): ``statuscode`` 4 delivered; 5-9 failed.
"""

from __future__ import annotations

import requests
from django.conf import settings

from .base import SmsGateway, SmsRejected, SmsResult, SmsUnavailable, normalise_mobile

ACCEPTED = {"0", "1", "2", "4"}
#: Errors that will not go away by trying again (the message or the number is wrong).
PERMANENT = {
    "v": "invalid number",
    "u": "empty text",
    "t": "expired",
    "y": "bad parameters",
    "x": "too large",
}
#: Delivery-report status codes.
REPORT_DELIVERED = {"4"}
REPORT_FAILED = {"5", "6", "7", "8", "9"}


def parse_reply(text: str) -> dict[str, str]:
    """The ``key=value`` lines of a Mitake reply (sections ignored, first value wins)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("[") or "=" not in line:
            continue
        key, _eq, value = line.partition("=")
        values.setdefault(key.strip(), value.strip())
    return values


class MitakeGateway(SmsGateway):
    name = "mitake"

    def send(self, *, to: str, text: str, client_id: str) -> SmsResult:
        number = normalise_mobile(to)
        data = {
            "username": settings.NOTIFICATIONS_MITAKE_USERNAME,
            "password": settings.NOTIFICATIONS_MITAKE_PASSWORD,
            "dstaddr": number,
            "smbody": text,
            "clientid": client_id[:36],
        }
        if settings.NOTIFICATIONS_SMS_REPORT_URL:
            data["response"] = settings.NOTIFICATIONS_SMS_REPORT_URL
        try:
            reply = requests.post(
                settings.NOTIFICATIONS_MITAKE_URL,
                data=data,
                timeout=settings.NOTIFICATIONS_SMS_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SmsUnavailable(f"Mitake unreachable: {exc}") from exc
        if reply.status_code >= 500:
            raise SmsUnavailable(f"Mitake answered HTTP {reply.status_code}")
        if reply.status_code != 200:
            raise SmsRejected(f"Mitake answered HTTP {reply.status_code}")
        reply.encoding = reply.encoding or "utf-8"
        values = parse_reply(reply.text)
        code = values.get("statuscode", "")
        if code in ACCEPTED and values.get("msgid"):
            return SmsResult(
                provider_id=values["msgid"],
                status=code,
                duplicate=values.get("Duplicate", "").upper() == "Y",
            )
        error = values.get("Error") or PERMANENT.get(code) or "unknown reply"
        if code in PERMANENT:
            raise SmsRejected(f"Mitake statuscode {code}: {error}")
        raise SmsUnavailable(f"Mitake statuscode {code or '?'}: {error}")
