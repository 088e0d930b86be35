"""Test and development backend: appends one JSON line per SMS to ``NOTIFICATIONS_SMS_FILE``."""

import json
import uuid
from pathlib import Path

from django.conf import settings

from .base import SmsGateway, SmsResult, normalise_mobile


class FileGateway(SmsGateway):
    name = "file"

    def send(self, *, to: str, text: str, client_id: str) -> SmsResult:
        number = normalise_mobile(to)
        path = Path(settings.NOTIFICATIONS_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        provider_id = f"file-{uuid.uuid4().hex[:12]}"
        line = {"to": number, "text": text, "client_id": client_id, "id": provider_id}
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return SmsResult(provider_id=provider_id, status="written")
