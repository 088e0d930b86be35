"""The language of test requests, chosen as a person chooses it: with the language cookie.

Pages ignore the browser's ``Accept-Language`` (zh-Hant unless switched, see
``core.middleware.LanguageMiddleware``), so a test that reads English text sets the
``mol_language`` cookie, exactly what the header's language switch stores. Only ``/api/``
responses follow ``Accept-Language``.
"""

from __future__ import annotations

from django.conf import settings


def english(client, language: str = "en"):
    """Make the Django test ``client`` ask for pages in ``language`` (English by default),
    through the language cookie; returns the client."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def english_context(context, language: str = "en", hosts=LOCAL_HOSTS):
    """Give a Playwright browser ``context`` the language cookie for the test servers' hosts
    (``live_server`` listens on 127.0.0.1; some tests reach it as localhost); returns it."""
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}
            for host in hosts
        ]
    )
    return context
