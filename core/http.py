"""Reading the request: the one rule for the client's address."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's IP address, or None when unknown.

    Behind the reverse proxy (settings.SECURE_PROXY_SSL_HEADER is set, DJANGO_HTTPS) the
    address is the right-most X-Forwarded-For hop, the one our proxy appended; earlier hops are
    written by the client and never trusted. Without a proxy it is REMOTE_ADDR.
    """
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None
