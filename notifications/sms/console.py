"""Development backend: prints each SMS to standard output."""

import sys
import uuid

from .base import SmsGateway, SmsResult, normalise_mobile


class ConsoleGateway(SmsGateway):
    name = "console"

    def send(self, *, to: str, text: str, client_id: str) -> SmsResult:
        number = normalise_mobile(to)
        sys.stdout.write(f"SMS to {number} [{client_id}]: {text}\n")
        sys.stdout.flush()
        return SmsResult(provider_id=f"console-{uuid.uuid4().hex[:12]}", status="printed")
