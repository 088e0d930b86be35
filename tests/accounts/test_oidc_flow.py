"""End to end against the live test server, driven by an independent OpenID Connect client
library (Authlib's OAuth2Session; ID tokens verified with joserfc, the JOSE library Authlib
now delegates to, ``authlib.jose`` being deprecated): code + PKCE, ID token checked against the
JWKS, refresh with rotation, userinfo, introspection, revocation, RP-initiated logout; client
credentials likewise."""

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from oauth2_provider.models import AccessToken

from accounts.models import Application, Role, RoleAssignment
from core.models import AuditLogEntry
from tests.accounts.oidc_support import (
    REDIRECT_URI,
    authorize,
    basic,
    browser_for,
    login_through_form,
    query_of,
    track,
    verify_jwt,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fast_password_hashing", "close_http_sessions"),
]


@pytest.fixture
def person(units, make_user):
    return make_user(
        username="chen.yiming",
        employee_number="M1001",
        name_zh="陳怡明",
        name_en="Chen Yi-ming",
        email="chen.yiming@mol.gov.tw",
        job_title="科員",
        organization=units["IM-S1"],
    )


@pytest.fixture
def discovery(live_server):
    response = requests.get(f"{live_server.url}/o/.well-known/openid-configuration", timeout=10)
    assert response.status_code == 200
    return response.json()


def id_token_claims(discovery, token, client_id, nonce):
    """The ID token verified against the published JWKS (signature, iss, aud, exp, nonce)."""
    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    _header, claims = verify_jwt(token, jwks, iss=discovery["issuer"], aud=client_id, nonce=nonce)
    return claims


def code_flow(discovery, browser, application, secret, scope="openid profile email roles"):
    """Authlib runs the authorization-code flow with PKCE (S256); the browser session is the
    user's. Returns (oauth session, token, nonce)."""
    session = OAuth2Session(
        application.client_id,
        secret,
        scope=scope,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    track(session)
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    response = authorize(browser, url)
    assert response.status_code == 302, response.text[:500]
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    assert query_of(location)["state"] == state
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    return session, token, nonce


def test_discovery_advertises_the_endpoints_and_back_channel_logout(discovery, live_server):
    assert discovery["issuer"] == f"{live_server.url}/o"
    for key in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "introspection_endpoint",
        "revocation_endpoint",
        "end_session_endpoint",
    ):
        assert discovery[key].startswith(live_server.url + "/o/"), key
    assert discovery["backchannel_logout_supported"] is True
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]
    assert {"employee_number", "unit", "roles"} <= set(discovery["claims_supported"])


def test_code_flow_with_pkce_gives_an_id_token_that_verifies_with_the_jwks(
    live_server, discovery, make_app, person
):
    application, secret = make_app()
    other, _ = make_app()
    RoleAssignment.objects.create(
        user=person,
        role=Role.objects.create(application=application, code="clerk", name_zh="承辦人"),
    )
    RoleAssignment.objects.create(
        user=person, role=Role.objects.create(application=other, code="auditor", name_zh="稽核")
    )
    browser = browser_for(live_server.url, person)

    _session, token, nonce = code_flow(discovery, browser, application, secret)

    claims = id_token_claims(discovery, token["id_token"], application.client_id, nonce)
    assert claims["sub"] != str(person.pk) and len(claims["sub"]) == 36
    assert claims["employee_number"] == "M1001"
    assert claims["name_zh"] == "陳怡明" and claims["name_en"] == "Chen Yi-ming"
    assert claims["unit"] == {"code": "IM-S1", "name_zh": "資訊處第一科", "name_en": "IM Section 1"}
    assert claims["email"] == "chen.yiming@mol.gov.tw"
    # Roles in the requesting application only, never another application's.
    assert claims["roles"] == ["clerk"]


def test_the_sub_stays_the_same_across_sign_ins(live_server, discovery, make_app, person):
    application, secret = make_app()
    browser = browser_for(live_server.url, person)
    first = code_flow(discovery, browser, application, secret)
    second = code_flow(discovery, browser, application, secret)
    sub1 = id_token_claims(discovery, first[1]["id_token"], application.client_id, first[2])["sub"]
    sub2 = id_token_claims(discovery, second[1]["id_token"], application.client_id, second[2])[
        "sub"
    ]
    assert sub1 == sub2


def test_authorization_without_pkce_is_refused(live_server, discovery, make_app, person):
    application, _secret = make_app()
    browser = browser_for(live_server.url, person)
    response = authorize(
        browser,
        f"{discovery['authorization_endpoint']}?response_type=code&client_id={application.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope=openid&state=s1",
    )
    location = response.headers.get("Location", "")
    assert response.status_code == 302 and location.startswith(REDIRECT_URI)
    assert query_of(location)["error"] == "invalid_request"
    assert "code" not in query_of(location)


def test_a_public_client_signs_in_with_pkce_and_no_secret_but_not_without_pkce(
    live_server, discovery, make_app, person
):
    application, _secret = make_app(client_type=Application.CLIENT_PUBLIC)
    browser = browser_for(live_server.url, person)
    session = track(
        OAuth2Session(
            application.client_id,
            scope="openid",
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",
        )
    )
    verifier, nonce = generate_token(48), generate_token(20)
    url, _state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    location = authorize(browser, url).headers["Location"]
    token = session.fetch_token(
        discovery["token_endpoint"], authorization_response=location, code_verifier=verifier
    )
    assert id_token_claims(discovery, token["id_token"], application.client_id, nonce)["sub"]

    response = authorize(
        browser,
        f"{discovery['authorization_endpoint']}?response_type=code&client_id={application.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope=openid&state=s1",
    )
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_plain_pkce_is_refused(live_server, discovery, make_app, person):
    application, _secret = make_app()
    browser = browser_for(live_server.url, person)
    response = authorize(
        browser,
        f"{discovery['authorization_endpoint']}?response_type=code&client_id={application.client_id}"
        f"&redirect_uri={REDIRECT_URI}&scope=openid&state=s1"
        "&code_challenge=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG&code_challenge_method=plain",
    )
    assert "code=" not in response.headers.get("Location", "")


def test_anonymous_authorization_goes_to_the_login_page_and_back(
    live_server, discovery, make_app, person, password
):
    application, secret = make_app()
    session = OAuth2Session(
        application.client_id,
        secret,
        scope="openid",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    track(session)
    verifier = generate_token(48)
    url, _state = session.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-1"
    )
    browser = track(requests.Session())
    response = authorize(browser, url)
    assert response.status_code == 302
    assert "/accounts/login/" in response.headers["Location"]
    next_url = query_of(response.headers["Location"])["next"]

    # The real login form, then back to the authorization endpoint, then to the application.
    response = login_through_form(browser, live_server.url, person.username, password, next_url)
    assert response.status_code == 302, response.text[:300]
    back = response.headers["Location"]
    response = authorize(browser, back if back.startswith("http") else live_server.url + back)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI)
    token = session.fetch_token(
        discovery["token_endpoint"],
        authorization_response=response.headers["Location"],
        code_verifier=verifier,
    )
    assert token["access_token"]


def test_userinfo_answers_with_the_same_claims(live_server, discovery, make_app, person):
    application, secret = make_app()
    browser = browser_for(live_server.url, person)
    session, token, nonce = code_flow(discovery, browser, application, secret)
    info = session.get(discovery["userinfo_endpoint"]).json()
    claims = id_token_claims(discovery, token["id_token"], application.client_id, nonce)
    assert info["sub"] == claims["sub"]
    assert info["employee_number"] == "M1001"
    assert info["unit"]["code"] == "IM-S1"
    assert info["roles"] == []


def test_userinfo_without_the_profile_scope_says_only_who(live_server, discovery, make_app, person):
    application, secret = make_app()
    browser = browser_for(live_server.url, person)
    session, _token, _nonce = code_flow(discovery, browser, application, secret, scope="openid")
    info = session.get(discovery["userinfo_endpoint"]).json()
    assert set(info) == {"sub"}


def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    live_server, discovery, make_app, person
):
    application, secret = make_app()
    browser = browser_for(live_server.url, person)
    session, token, _nonce = code_flow(discovery, browser, application, secret)

    new = session.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert new["refresh_token"] != token["refresh_token"]
    assert new["access_token"] != token["access_token"]

    replay = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        headers=basic(application.client_id, secret),
        timeout=10,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    # Reuse of a rotated-out token revokes the family: the newest one is dead too.
    after = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": new["refresh_token"]},
        headers=basic(application.client_id, secret),
        timeout=10,
    )
    assert after.status_code == 400
    assert AuditLogEntry.objects.filter(message__startswith="oidc.token_refreshed").count() == 1


def test_introspection_and_revocation(live_server, discovery, make_app, person):
    application, secret = make_app()
    other, other_secret = make_app()
    browser = browser_for(live_server.url, person)
    session, token, nonce = code_flow(discovery, browser, application, secret)
    sub = id_token_claims(discovery, token["id_token"], application.client_id, nonce)["sub"]
    introspect = discovery["introspection_endpoint"]

    answer = requests.post(
        introspect,
        data={"token": token["access_token"]},
        headers=basic(application.client_id, secret),
        timeout=10,
    ).json()
    assert answer["active"] is True
    assert answer["sub"] == sub and answer["client_id"] == application.client_id
    assert answer["scope"] == "openid profile email roles"

    # Another client learns nothing about this client's token.
    foreign = requests.post(
        introspect,
        data={"token": token["access_token"]},
        headers=basic(other.client_id, other_secret),
        timeout=10,
    ).json()
    assert foreign == {"active": False}

    # A wrong secret is no client at all.
    wrong = requests.post(
        introspect,
        data={"token": token["access_token"]},
        headers=basic(application.client_id, "not-the-secret"),
        timeout=10,
    )
    assert wrong.status_code == 401

    # RFC 7009 revocation through Authlib; then the token is dead everywhere.
    revoked = session.revoke_token(
        discovery["revocation_endpoint"],
        token=token["access_token"],
        token_type_hint="access_token",
    )
    assert revoked.status_code == 200
    after = requests.post(
        introspect,
        data={"token": token["access_token"]},
        headers=basic(application.client_id, secret),
        timeout=10,
    ).json()
    assert after == {"active": False}
    assert session.get(discovery["userinfo_endpoint"]).status_code == 401
    assert AuditLogEntry.objects.filter(message__startswith="oidc.token_revoked").exists()


def test_rp_initiated_logout_ends_the_portal_session_and_the_tokens(
    live_server, discovery, make_app, person
):
    application, secret = make_app()
    browser = browser_for(live_server.url, person)
    session, token, _nonce = code_flow(discovery, browser, application, secret)

    response = browser.get(
        discovery["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:9/signed-out",
            "state": "bye",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1:9/signed-out?state=bye"
    assert not AccessToken.objects.filter(user=person).exists()
    assert session.get(discovery["userinfo_endpoint"]).status_code == 401
    # The portal session is over: authorizing again needs a login.
    again = authorize(browser, discovery["authorization_endpoint"] + "?client_id=x")
    assert "/accounts/login/" in again.headers["Location"]


def test_client_credentials_flow(live_server, discovery, make_app):
    application, secret = make_app(
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, redirect_uris=""
    )
    session = OAuth2Session(
        application.client_id, secret, token_endpoint_auth_method="client_secret_basic"
    )
    track(session)
    token = session.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert "refresh_token" not in token and "id_token" not in token

    answer = requests.post(
        discovery["introspection_endpoint"],
        data={"token": token["access_token"]},
        headers=basic(application.client_id, secret),
        timeout=10,
    ).json()
    assert answer["active"] is True and "sub" not in answer
    # The token itself is also a credential for introspecting its client's tokens.
    self_answer = requests.post(
        discovery["introspection_endpoint"],
        data={"token": token["access_token"]},
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    ).json()
    assert self_answer["active"] is True
    entry = AuditLogEntry.objects.get(message__startswith="oidc.token_issued")
    assert "grant=client_credentials" in entry.message
    assert entry.actor_repr == f"client:{application.client_id}"


def test_client_credentials_with_a_wrong_secret_is_refused(live_server, discovery, make_app):
    application, _secret = make_app(
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS, redirect_uris=""
    )
    response = requests.post(
        discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        headers=basic(application.client_id, "wrong-secret"),
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_client_secrets_are_stored_with_the_fast_client_hasher(make_app):
    application, _secret = make_app()
    assert application.client_secret.startswith("pbkdf2_sha256_client$")
