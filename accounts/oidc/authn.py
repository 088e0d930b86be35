"""What the OpenID Connect provider knows about the browser session behind an authorization:
its ``sid``, when and how the person authenticated (``auth_time``, ``amr``, ``acr``), which
applications were signed in from it, and the markers of a re-authentication the provider
asked for (``prompt=login``, ``max_age``) or a step-up (``acr_values``).

Everything lives in the portal session (key ``mol_oidc``), so nothing here needs a table:

* ``sid``: random, made the first time an application signs in from the session, kept for the
  session's life (a re-authentication of the same person keeps it; a different person's login
  starts a new session and so a new ``sid``);
* ``apps``: client ids that received an authorization code from the session (whom to tell
  through back-channel logout when this session ends).

The authentication context of an authorization (``auth_context``) is copied into the grant
(``accounts.oidc.validators``) so the ID token issued at the token endpoint, away from the
browser, says the same.
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlparse

from django.contrib.auth import BACKEND_SESSION_KEY
from django.core import signing

from ..choices import LoginMethod, method_for_backend
from ..mfa.constants import SESSION_LOGIN_AT

SESSION_OIDC = "mol_oidc"

# Authentication Context Class References (acr) the portal issues and accepts in acr_values.
ACR_PASSWORD = "urn:mol:acr:password"  # noqa: S105 - an acr value, not a secret
ACR_TWO_FACTOR = "urn:mol:acr:2fa"
ACR_VALUES_SUPPORTED = [ACR_PASSWORD, ACR_TWO_FACTOR]
ACR_LEVELS = {ACR_PASSWORD: 1, ACR_TWO_FACTOR: 2}

# Query parameter added to the authorization URL the login page returns to after a
# re-authentication the provider asked for: a signed Unix time (when it asked).
REAUTH_PARAM = "mol_reauth"
REAUTH_SALT = "accounts.oidc.reauth"
REAUTH_MAX_AGE = 15 * 60

# The Grant's ``claims`` JSON carries the authentication context under this key.
GRANT_CONTEXT_KEY = "_mol_auth"


def _state(session) -> dict:
    return dict(session.get(SESSION_OIDC) or {})


def session_sid(session) -> str:
    """The session's ``sid`` (made on first use)."""
    state = _state(session)
    if not state.get("sid"):
        state["sid"] = secrets.token_urlsafe(24)
        session[SESSION_OIDC] = state
    return state["sid"]


def session_app_add(session, client_id: str) -> None:
    """Remember that ``client_id`` signed in from this session."""
    state = _state(session)
    apps = list(state.get("apps") or [])
    if client_id not in apps:
        apps.append(client_id)
    state["apps"] = apps
    session[SESSION_OIDC] = state


def session_oidc_state(data: dict | None) -> tuple[str, list[str]]:
    """(sid, client ids) recorded in a session's data ('' and [] when none)."""
    state = (data or {}).get(SESSION_OIDC) or {}
    return state.get("sid") or "", list(state.get("apps") or [])


def login_time(request) -> int:
    """Unix time of the session's (last) authentication."""
    at = request.session.get(SESSION_LOGIN_AT)
    if at:
        return int(at)
    last = getattr(request.user, "last_login", None)
    return int(last.timestamp()) if last else int(time.time())


def authentication_methods(request) -> list[str]:
    """RFC 8176 ``amr`` values of the session: ``pwd`` (password, local or directory) or
    ``hwk`` (a client certificate on a card), plus ``otp`` after a second factor, and ``mfa``
    when there were two."""
    method = method_for_backend(request.session.get(BACKEND_SESSION_KEY, ""))
    amr = ["hwk"] if method == LoginMethod.CERTIFICATE else ["pwd"]
    is_verified = getattr(request.user, "is_verified", None)
    if callable(is_verified) and is_verified():
        amr.append("otp")
    if len(amr) > 1:
        amr.append("mfa")
    return amr


def authentication_class(amr: list[str]) -> str:
    """The ``acr``: two-factor when a second factor was verified, else password level."""
    return ACR_TWO_FACTOR if "mfa" in amr else ACR_PASSWORD


def auth_context(request, *, redirect_uri_sent: bool) -> dict:
    """What the grant remembers of this authorization for the ID token."""
    amr = authentication_methods(request)
    return {
        "auth_time": login_time(request),
        "amr": amr,
        "acr": authentication_class(amr),
        "sid": session_sid(request.session),
        "redirect_uri_sent": redirect_uri_sent,
    }


def acr_requested(value: str) -> str | None:
    """The strongest acr of ``acr_values`` the portal knows (None: nothing known asked)."""
    known = [v for v in (value or "").split() if v in ACR_LEVELS]
    if not known:
        return None
    return max(known, key=ACR_LEVELS.__getitem__)


# --- Re-authentication markers --------------------------------------------------------------


def reauth_marker() -> str:
    return signing.dumps(int(time.time()), salt=REAUTH_SALT)


def reauth_asked_at(value: str) -> int | None:
    """The time a valid marker says the provider asked for a re-authentication."""
    if not value:
        return None
    try:
        return int(signing.loads(value, salt=REAUTH_SALT, max_age=REAUTH_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def reauthentication_requested(next_url: str) -> bool:
    """Whether ``next_url`` (the login page's ``next``) is an authorization request waiting
    for a re-authentication: then the login page asks even a signed-in person."""
    if not next_url:
        return False
    query = dict(parse_qsl(urlparse(next_url).query))
    return reauth_asked_at(query.get(REAUTH_PARAM, "")) is not None


def url_with(path_and_query: str, *, add: dict | None = None, drop_prompt: str = "") -> str:
    """``path_and_query`` with ``add`` set and the prompt value ``drop_prompt`` removed."""
    parsed = urlparse(path_and_query)
    pairs = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True)]
    result = []
    for key, value in pairs:
        if key in (add or {}):
            continue
        if key == "prompt" and drop_prompt:
            value = " ".join(p for p in value.split() if p != drop_prompt)
            if not value:
                continue
        result.append((key, value))
    result.extend((add or {}).items())
    return parsed._replace(query=urlencode(result)).geturl()
