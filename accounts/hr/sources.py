"""Where the HR feed comes from: a URL (HTTP GET with a bearer token) or a file path."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from .constants import MAX_FEED_BYTES
from .feed import FeedError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSource:
    """A place to read the feed from: exactly one of ``url`` and ``path``."""

    url: str = ""
    path: str = ""
    token: str = ""

    def __str__(self) -> str:
        return _redacted(self.url) if self.url else self.path

    @property
    def name(self) -> str:
        return urlsplit(self.url).path if self.url else self.path


@dataclass(frozen=True)
class FeedData:
    content: bytes
    content_type: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def configured_source() -> FeedSource | None:
    """The scheduled source: ``HR_FEED_URL`` (with ``HR_FEED_TOKEN``) else ``HR_FEED_PATH``."""
    if settings.HR_FEED_URL:
        return FeedSource(url=settings.HR_FEED_URL, token=settings.HR_FEED_TOKEN)
    if settings.HR_FEED_PATH:
        return FeedSource(path=settings.HR_FEED_PATH)
    return None


def feed_read(source: FeedSource) -> FeedData:
    """Read the feed's bytes. Raises :class:`FeedError` with a reason an operator can act on."""
    if source.url:
        return _read_url(source.url, token=source.token)
    return _read_path(source.path)


def _read_path(path: str) -> FeedData:
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FEED_BYTES:
            raise FeedError(
                _("The feed is larger than %(limit)s bytes.") % {"limit": MAX_FEED_BYTES}
            )
        return FeedData(content=file.read_bytes())
    except OSError as exc:
        raise FeedError(
            _("The feed file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": exc.strerror or exc}
        ) from exc


def _read_url(url: str, *, token: str) -> FeedData:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FeedError(_("The feed URL must start with https:// or http://."))
    if parts.scheme == "http" and token and parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        logger.warning("HR feed token sent over plain HTTP to %s; use https://", parts.hostname)
    headers = {
        "Accept": "text/csv, application/x-ndjson, application/jsonl, application/json;q=0.5",
        "User-Agent": "mol-portal-hr-sync/1",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    timeout = (min(10, settings.HR_FEED_TIMEOUT), settings.HR_FEED_TIMEOUT)
    try:
        with requests.get(url, headers=headers, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise FeedError(
                    _("The HR system answered HTTP %(status)s for %(url)s.")
                    % {"status": response.status_code, "url": _redacted(url)}
                )
            chunks, total = [], 0
            for chunk in response.iter_content(chunk_size=64 * 1024):
                total += len(chunk)
                if total > MAX_FEED_BYTES:
                    raise FeedError(
                        _("The feed is larger than %(limit)s bytes.") % {"limit": MAX_FEED_BYTES}
                    )
                chunks.append(chunk)
            return FeedData(
                content=b"".join(chunks),
                content_type=response.headers.get("Content-Type", ""),
            )
    except requests.Timeout as exc:
        raise FeedError(
            _("The HR system did not answer within %(seconds)s seconds.")
            % {"seconds": settings.HR_FEED_TIMEOUT}
        ) from exc
    except requests.RequestException as exc:
        raise FeedError(
            _("The HR feed cannot be fetched from %(url)s: %(error)s")
            % {"url": _redacted(url), "error": exc.__class__.__name__}
        ) from exc


def _redacted(url: str) -> str:
    """The URL without its query string (which may carry a key)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
