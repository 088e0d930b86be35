"""Who is making the current request: set by ``core.middleware.RequestContextMiddleware`` and
read by the audit trail, so services and tasks need not pass the request around."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class RequestContext:
    user: object | None = None
    ip_address: str | None = None
    user_agent: str = ""


current_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "mol_current_request", default=None
)
