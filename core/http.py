"""Reading the request: the one rule for the client's address and for forwarded headers, and
the one rule for the site's own absolute URL where there is no request (mail, SMS, feeds).

Forwarded headers (``X-Forwarded-For``, ``-Proto``, ``-Host``) are believed only when the
direct peer (``REMOTE_ADDR``) is one of ``settings.TRUSTED_PROXIES`` (addresses or networks,
e.g. the reverse proxy of docker-compose.yml). From any other peer they are written by the
client itself: ``TrustedProxyMiddleware`` removes them before anything reads them, and
``client_ip`` ignores them, so no client can choose its apparent address or scheme.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings

logger = logging.getLogger(__name__)

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("TRUSTED_PROXIES: %r is not an address or network", entry)
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [::1]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 1.2.3.4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(value: str | None) -> bool:
    """Whether the address is one of ``settings.TRUSTED_PROXIES``."""
    address = _address(value or "")
    if address is None:
        return False
    return any(address in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's IP address, or None when unknown.

    ``REMOTE_ADDR`` unless it is a trusted proxy; then the ``X-Forwarded-For`` hops are read
    from the right (the one our proxy appended) leftwards, skipping trusted proxies, and the
    first other address is the client. Hops a client wrote itself (to the left of the first
    untrusted one) are never believed; a hop that is not an address ends the walk at the last
    trusted one. Works the same for a request whose headers the middleware already cleaned.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    if not is_trusted_proxy(str(remote)):
        return str(remote)
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    current = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not is_trusted_proxy(str(address)):
            break
    return str(current)


def strip_untrusted_forwarded_headers(request) -> bool:
    """Remove the forwarded headers from a request whose direct peer is not a trusted proxy;
    True when something was removed."""
    if is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return False
    removed = False
    for name in FORWARDED_HEADERS:
        if request.META.pop(name, None) is not None:
            removed = True
    return removed


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``: forwarded headers from peers outside ``TRUSTED_PROXIES`` are
    dropped, so ``request.is_secure()`` (``SECURE_PROXY_SSL_HEADER``), ``get_host()``
    (``USE_X_FORWARDED_HOST``) and every reader of the client address see only what the
    reverse proxy said."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        strip_untrusted_forwarded_headers(request)
        return self.get_response(request)


def site_url(preferred: str = "") -> str:
    """The site root without a trailing slash, for links that leave without a request (mail,
    SMS): ``preferred`` (a request's ``build_absolute_uri("/")`` or an app's own setting),
    else ``SITE_URL``, else the first named host of ``ALLOWED_HOSTS`` (https when the site
    forces HTTPS)."""
    base = (preferred or settings.SITE_URL or "").strip().rstrip("/")
    if base:
        return base
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    scheme = "https" if settings.SECURE_SSL_REDIRECT or settings.SESSION_COOKIE_SECURE else "http"
    return f"{scheme}://{hosts[0] if hosts else 'localhost'}"


def absolute_url(link: str, preferred: str = "") -> str:
    """``link`` (a path) on ``site_url(preferred)``; a full URL or an empty link unchanged."""
    if not link or "://" in link:
        return link
    return site_url(preferred) + "/" + link.lstrip("/")
