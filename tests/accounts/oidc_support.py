"""Fixtures and helpers shared by the tests of the OpenID Connect part (test_oidc_*.py).

The fixtures reach the tests through tests/accounts/conftest.py; the OIDC test modules ask
for ``fast_password_hashing`` with ``pytestmark``.
"""

import base64
import hashlib
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.conf import settings
from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet

from accounts.models import Application
from core.models import Organization

__all__ = [
    "fast_password_hashing",
    "issuer_from_request",
    "close_http_sessions",
    "track",
    "units",
    "make_app",
    "browser_for",
    "logout_receiver",
    "basic",
    "authorize",
    "query_of",
    "login_through_form",
    "code_flow_client",
    "pkce_pair",
    "verify_jwt",
    "REDIRECT_URI",
]

REDIRECT_URI = "http://127.0.0.1:9/callback"


@pytest.fixture
def fast_password_hashing(settings):
    """People's passwords hashed cheaply in these tests (Argon2 costs ~0.3 s per account);
    client secrets keep the production client hasher."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.oidc.hashers.ClientSecretHasher",
    ]


@pytest.fixture(autouse=True)
def issuer_from_request(settings):
    """The issuer from the request, as in the embedded default: the live test server's port
    is random, while production mode (test runs with DATABASE_URL) fixes the issuer to
    OIDC_ISSUER or the first ALLOWED_HOSTS name."""
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": ""}


@pytest.fixture
def units(db):
    """Units of the organisation tree the tests use, made when missing (transactional tests
    empty the reference data)."""

    def unit(code, name_zh, name_en, kind, parent=None):
        found, _ = Organization.objects.get_or_create(
            code=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "kind": kind, "parent": parent},
        )
        return found

    mol = unit("MOL-TEST", "勞動部", "Ministry of Labor", "ministry")
    im = Organization.objects.filter(code="IM").first() or unit(
        "IM", "資訊處", "Department of Information Management", "support_office", mol
    )
    im_section = unit("IM-S1", "資訊處第一科", "IM Section 1", "section", im)
    bli = Organization.objects.filter(code="BLI").first() or unit(
        "BLI", "勞工保險局", "Bureau of Labor Insurance", "bureau", mol
    )
    return {"MOL": mol, "IM": im, "IM-S1": im_section, "BLI": bli}


@pytest.fixture
def make_app(db, settings):
    """``make_app(**fields) -> (application, client_secret)``: a registered client with a
    known secret (stored hashed, as in production). The tests' redirect URIs are plain http on
    loopback, which production mode refuses, so http is allowed here."""
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    }

    counter = {"n": 0}

    def make(**kwargs):
        counter["n"] += 1
        secret = secrets.token_urlsafe(48)
        kwargs.setdefault("name", f"應用系統{counter['n']}")
        kwargs.setdefault("name_en", f"Application {counter['n']}")
        kwargs.setdefault("client_type", Application.CLIENT_CONFIDENTIAL)
        kwargs.setdefault("authorization_grant_type", Application.GRANT_AUTHORIZATION_CODE)
        kwargs.setdefault("redirect_uris", REDIRECT_URI)
        kwargs.setdefault("post_logout_redirect_uris", "http://127.0.0.1:9/signed-out")
        kwargs.setdefault("algorithm", Application.RS256_ALGORITHM)
        internal = kwargs.setdefault("is_internal", True)
        kwargs.setdefault("skip_authorization", internal)
        application = Application(client_secret=secret, **kwargs)
        application.full_clean()
        application.save()
        return application, secret

    return make


def browser_for(base_url: str, user) -> requests.Session:
    """A browser (requests.Session) signed in as ``user`` through a real session cookie."""
    client = Client()
    client.force_login(user)
    session = track(requests.Session())
    # No domain: http.cookiejar never sends a cookie whose domain is a dotless "localhost".
    session.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, path="/"
    )
    return session


_open_sessions: list = []


def track(session):
    """Remember an HTTP session so ``close_http_sessions`` closes its kept-alive sockets when
    the test ends (a socket left open would end its server thread after the test database has
    been reset)."""
    _open_sessions.append(session)
    return session


@pytest.fixture
def close_http_sessions():
    yield
    while _open_sessions:
        _open_sessions.pop().close()


def basic(client_id: str, secret: str) -> dict:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def authorize(browser: requests.Session, url: str) -> requests.Response:
    """GET the authorization URL without following the redirect back to the application."""
    return browser.get(url, allow_redirects=False, timeout=10)


def login_through_form(
    browser: requests.Session, base_url: str, username: str, password: str, next_url: str
):
    """Sign in through the real login page, ending at ``next_url``'s response (not followed
    further than the portal)."""
    page = browser.get(f"{base_url}/accounts/login/", params={"next": next_url}, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return browser.post(
        f"{base_url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": next_url,
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.received.append(
            {"path": self.path, "headers": dict(self.headers), "form": parse_qs(body)}
        )
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def logout_receiver():
    """A real HTTP server on 127.0.0.1 standing in for an application's back-channel logout
    endpoint. ``.url``, ``.received`` (list of requests), ``.statuses`` (answers to give,
    then 200)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received = []
    server.statuses = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/backchannel-logout"
    yield server
    server.shutdown()
    server.server_close()


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def code_flow_client(
    client, application, secret, *, scope="openid profile email roles", nonce="n-0"
):
    """The authorization-code flow with PKCE through Django's test client (already signed in
    as the user). Returns the token response as a dict."""
    verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "st",
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302, response.content[:300]
    code = query_of(response["Location"])["code"]
    token = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers=basic(application.client_id, secret),
    )
    assert token.status_code == 200, token.content
    return token.json()


def verify_jwt(token: str, jwks: dict, **expected):
    """Verify ``token`` against the JWKS document with joserfc (Authlib's JOSE library) and
    check the expected claims; returns (header, claims)."""
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        exp={"essential": True},
        **{name: {"essential": True, "value": value} for name, value in expected.items()},
    )
    registry.validate(decoded.claims)
    return decoded.header, decoded.claims
