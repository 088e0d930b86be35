"""The points a strict OpenID Connect client checks, through the HTTP surface of ``/o/``:
``iss`` on every authorization answer (RFC 9207), re-authentication (``prompt=login``,
``max_age``), ``amr``/``acr`` and step-up (``acr_values``), ``sid``, bearer tokens in the
header only, userinfo for people only, RP-initiated logout (POST; nobody signed out by a hint
alone) and the smaller RFC 6749 / 8252 / discovery rules."""

import os
import subprocess
import sys
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model

from accounts.models import Application
from accounts.oidc import authn
from tests.accounts.mfa_support import code_for, enrol
from tests.accounts.oidc_support import REDIRECT_URI, basic, pkce_pair, query_of, verify_jwt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]

ISSUER = "http://testserver/o"


@pytest.fixture(autouse=True)
def _no_second_factor_for_staff(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def person(make_user):
    return make_user(username="lee.ming", email="lee.ming@mol.gov.tw")


def authorize(client, application, redirect_uri=REDIRECT_URI, **extra):
    """GET /o/authorize/ for ``application``; returns (response, verifier)."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": application.client_id,
        "scope": "openid profile",
        "state": "st",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    params.update(extra)
    params = {k: v for k, v in params.items() if v is not None}
    return client.get("/o/authorize/", params), verifier


def exchange(client, application, secret, code, verifier, redirect_uri=REDIRECT_URI):
    data = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier}
    if redirect_uri is not None:
        data["redirect_uri"] = redirect_uri
    return client.post("/o/token/", data, headers=basic(application.client_id, secret))


def sign_in(client, application, secret, **extra):
    """The code flow; returns (token response, verified ID token claims)."""
    response, verifier = authorize(client, application, **extra)
    assert response.status_code == 302, response.content[:400]
    answer = query_of(response["Location"])
    assert answer["iss"] == ISSUER
    token = exchange(client, application, secret, answer["code"], verifier)
    assert token.status_code == 200, token.content
    body = token.json()
    jwks = client.get("/o/.well-known/jwks.json").json()
    _header, claims = verify_jwt(body["id_token"], jwks, iss=ISSUER, aud=application.client_id)
    return body, claims


def client_credentials_token(client, application, secret, **data):
    response = client.post(
        "/o/token/",
        {"grant_type": "client_credentials", **data},
        headers=basic(application.client_id, secret),
    )
    return response


# --- 3. iss on every authorization answer -----------------------------------------------------


def test_error_redirects_carry_iss(client, make_app, person):
    external, _ = make_app(is_internal=False)
    internal, _ = make_app()
    # login_required: nobody signed in, prompt=none.
    response, _v = authorize(client, internal, prompt="none")
    assert query_of(response["Location"]) == {
        "error": "login_required",
        "state": "st",
        "iss": ISSUER,
    }
    client.force_login(person)
    # consent_required: an external application without consent, prompt=none.
    response, _v = authorize(client, external, prompt="none")
    assert query_of(response["Location"])["error"] == "consent_required"
    assert query_of(response["Location"])["iss"] == ISSUER
    # PKCE missing: invalid_request.
    response, _v = authorize(client, internal, code_challenge=None, code_challenge_method=None)
    answer = query_of(response["Location"])
    assert answer["error"] == "invalid_request" and answer["iss"] == ISSUER
    # access_denied: the person refuses consent.
    response, _v = authorize(client, external)
    assert response.status_code == 200
    form = response.context["form"].initial
    denied = client.post(
        "/o/authorize/", {k: v for k, v in form.items() if v is not None and k != "allow"}
    )
    answer = query_of(denied["Location"])
    assert answer["error"] == "access_denied" and answer["iss"] == ISSUER


# --- 4, 5. userinfo ---------------------------------------------------------------------------


def test_userinfo_refuses_a_client_credentials_token_and_such_tokens_get_no_openid(
    client, make_app
):
    application, secret = make_app(authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    token = client_credentials_token(client, application, secret)
    assert token.status_code == 200, token.content
    assert "openid" not in token.json()["scope"].split()
    response = client.get(
        "/o/userinfo/", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    refused = client_credentials_token(client, application, secret, scope="openid")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_bearer_tokens_only_in_the_authorization_header(client, make_app, person):
    application, secret = make_app()
    client.force_login(person)
    body, _claims = sign_in(client, application, secret)
    client.logout()
    for response in (
        client.get("/o/userinfo/", {"access_token": body["access_token"]}),
        client.post("/o/userinfo/", {"access_token": body["access_token"]}),
    ):
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "Bearer" in response["WWW-Authenticate"]
    ok = client.get("/o/userinfo/", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ok.status_code == 200 and ok.json()["sub"]


# --- 6, 7. RP-initiated logout ----------------------------------------------------------------


def test_rp_initiated_logout_by_post_without_csrf_token(make_app, person):
    browser = Client(enforce_csrf_checks=True)
    application, secret = make_app()
    browser.force_login(person)
    body, _claims = sign_in(browser, application, secret)
    response = browser.post(
        "/o/logout/",
        {
            "id_token_hint": body["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:9/signed-out",
            "state": "bye",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:9/signed-out?state=bye"
    assert "_auth_user_id" not in browser.session
    # The portal's own confirmation form still needs its CSRF token.
    browser.force_login(person)
    forged = browser.post("/o/logout/", {"mol_confirm": "1", "allow": "yes"})
    assert forged.status_code == 403
    assert "_auth_user_id" in browser.session


def test_an_anonymous_logout_with_a_hint_signs_nobody_out(client, make_app, person):
    application, secret = make_app()
    victim = Client()
    victim.force_login(person)
    body, _claims = sign_in(victim, application, secret)
    response = client.get("/o/logout/", {"id_token_hint": body["id_token"]})
    assert response.status_code == 302
    assert get_access_token_model().objects.filter(user=person).count() == 1
    assert "_auth_user_id" in victim.session
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert victim.get("/o/userinfo/", headers=bearer).status_code == 200


def test_another_signed_in_person_confirming_ends_only_their_own_session(
    client, make_app, make_user, person
):
    application, secret = make_app()
    victim = Client()
    victim.force_login(person)
    body, _claims = sign_in(victim, application, secret)
    other = make_user(username="someone.else")
    client.force_login(other)
    own, _ = sign_in(client, application, secret)
    page = client.get("/o/logout/", {"id_token_hint": body["id_token"]})
    assert page.status_code == 200  # asked, not signed out
    assert "_auth_user_id" in client.session
    confirmed = client.post(
        "/o/logout/",
        {"mol_confirm": "1", "allow": "yes", "id_token_hint": body["id_token"]},
    )
    assert confirmed.status_code == 302
    assert "_auth_user_id" not in client.session
    tokens = get_access_token_model().objects
    assert tokens.filter(user=person).count() == 1
    assert tokens.filter(user=other).count() == 0
    assert own["access_token"]


# --- 2. prompt=login and max_age --------------------------------------------------------------


def test_prompt_login_asks_the_signed_in_person_again_and_auth_time_is_the_new_login(
    client, make_app, person, password
):
    application, secret = make_app()
    client.force_login(person)
    session = client.session
    session["mol_login_at"] = int(time.time()) - 3600
    session.save()
    response, verifier = authorize(client, application, prompt="login")
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("accounts:login"))
    page = client.get(login_url)
    assert page.status_code == 200, "the login page is shown to the signed-in person"
    next_url = page.context["next"]
    assert "prompt" not in query_of(next_url) and authn.REAUTH_PARAM in query_of(next_url)
    before = int(time.time())
    logged_in = client.post(
        reverse("accounts:login"),
        {"username": person.username, "password": password, "next": next_url},
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == next_url
    back = client.get(next_url)
    assert back.status_code == 302, back.content[:300]
    answer = query_of(back["Location"])
    token = exchange(client, application, secret, answer["code"], verifier)
    jwks = client.get("/o/.well-known/jwks.json").json()
    _h, claims = verify_jwt(token.json()["id_token"], jwks, iss=ISSUER)
    assert claims["auth_time"] >= before
    assert claims["auth_time"] <= claims["iat"]


def test_max_age_zero_reauthenticates_and_prompt_none_with_an_old_session_is_login_required(
    client, make_app, person, password
):
    application, secret = make_app()
    client.force_login(person)
    session = client.session
    session["mol_login_at"] = int(time.time()) - 120
    session.save()
    silent, _v = authorize(client, application, prompt="none", max_age="60")
    assert query_of(silent["Location"])["error"] == "login_required"
    response, verifier = authorize(client, application, max_age="0")
    assert response["Location"].startswith(reverse("accounts:login"))
    next_url = client.get(response["Location"]).context["next"]
    client.post(
        reverse("accounts:login"),
        {"username": person.username, "password": password, "next": next_url},
    )
    back = client.get(next_url)
    assert back.status_code == 302 and "code" in query_of(back["Location"])
    token = exchange(client, application, secret, query_of(back["Location"])["code"], verifier)
    _h, claims = verify_jwt(token.json()["id_token"], client.get("/o/.well-known/jwks.json").json())
    assert claims["auth_time"] >= claims["iat"] - 5
    # Within max_age: no new login.
    again, _v = authorize(client, application, max_age="600")
    assert "code" in query_of(again["Location"])


# --- 8. amr, acr, acr_values ------------------------------------------------------------------


def test_amr_and_acr_for_password_then_step_up_to_the_second_factor(client, make_app, person):
    application, secret = make_app()
    client.force_login(person)  # no second factor set up: a password-only session
    _body, claims = sign_in(client, application, secret)
    assert claims["amr"] == ["pwd"]
    assert claims["acr"] == authn.ACR_PASSWORD
    silent, _v = authorize(client, application, acr_values=authn.ACR_TWO_FACTOR, prompt="none")
    assert query_of(silent["Location"])["error"] == "interaction_required"
    response, verifier = authorize(client, application, acr_values=authn.ACR_TWO_FACTOR)
    assert response["Location"] == reverse("accounts:login_enrol"), "no code before the step-up"
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=person, confirmed=False)
    enrolled = client.post(reverse("accounts:login_enrol"), {"code": code_for(device)})
    assert enrolled.status_code == 302
    next_url = client.session["mol_new_backup_codes"]["next"]
    back = client.get(next_url)
    assert back.status_code == 302, back.content[:300]
    code = query_of(back["Location"])["code"]
    token = exchange(client, application, secret, code, verifier)
    _h, claims = verify_jwt(token.json()["id_token"], client.get("/o/.well-known/jwks.json").json())
    assert claims["amr"] == ["pwd", "otp", "mfa"]
    assert claims["acr"] == authn.ACR_TWO_FACTOR


def test_a_totp_login_gives_otp_and_two_factor_acr(client, make_app, person, password):
    device, _codes = enrol(person)
    application, secret = make_app()
    client.post(reverse("accounts:login"), {"username": person.username, "password": password})
    client.post(reverse("accounts:login_verify"), {"code": code_for(device)})
    _body, claims = sign_in(client, application, secret, acr_values=authn.ACR_TWO_FACTOR)
    assert claims["amr"] == ["pwd", "otp", "mfa"] and claims["acr"] == authn.ACR_TWO_FACTOR


def test_discovery_lists_acr_values_rs256_only_none_and_session_logout(client):
    data = client.get("/o/.well-known/openid-configuration").json()
    assert data["acr_values_supported"] == [authn.ACR_PASSWORD, authn.ACR_TWO_FACTOR]
    assert data["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "none" in data["token_endpoint_auth_methods_supported"]
    assert data["backchannel_logout_session_supported"] is True
    assert {"acr", "amr", "sid"} <= set(data["claims_supported"])


# --- 9. sid -----------------------------------------------------------------------------------


def test_sid_is_one_per_browser_session(client, make_app, person, make_user):
    first, secret1 = make_app()
    second, secret2 = make_app()
    client.force_login(person)
    _b, claims1 = sign_in(client, first, secret1)
    _b, claims2 = sign_in(client, second, secret2)
    assert claims1["sid"] and claims1["sid"] == claims2["sid"]
    other_browser = Client()
    other_browser.force_login(person)
    _b, claims3 = sign_in(other_browser, first, secret1)
    assert claims3["sid"] != claims1["sid"]


def test_refresh_gives_no_new_id_token(client, make_app, person):
    application, secret = make_app()
    client.force_login(person)
    body, _claims = sign_in(client, application, secret)
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        headers=basic(application.client_id, secret),
    )
    assert refreshed.status_code == 200
    assert "id_token" not in refreshed.json()


# --- 10. smaller points -----------------------------------------------------------------------


def test_a_reused_code_is_refused_and_revokes_the_tokens_it_gave(client, make_app, person):
    application, secret = make_app()
    client.force_login(person)
    response, verifier = authorize(client, application)
    code = query_of(response["Location"])["code"]
    first = exchange(client, application, secret, code, verifier)
    assert first.status_code == 200
    again = exchange(client, application, secret, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    userinfo = client.get(
        "/o/userinfo/", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
    )
    assert userinfo.status_code == 401
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
        headers=basic(application.client_id, secret),
    )
    assert refreshed.status_code == 400


def test_the_token_request_must_repeat_the_redirect_uri_sent_at_authorization(
    client, make_app, person
):
    application, secret = make_app()
    client.force_login(person)
    response, verifier = authorize(client, application)
    code = query_of(response["Location"])["code"]
    token = exchange(client, application, secret, code, verifier, redirect_uri=None)
    assert token.status_code == 400 and token.json()["error"] in {
        "invalid_request",
        "invalid_grant",
    }


def test_unsupported_response_type_and_request_objects(client, make_app, person):
    application, _secret = make_app()
    client.force_login(person)
    response, _v = authorize(client, application, response_type="token")
    answer = query_of(response["Location"])
    assert answer["error"] == "unsupported_response_type" and answer["iss"] == ISSUER
    assert answer["state"] == "st"
    response, _v = authorize(client, application, request="eyJhbGciOiJub25lIn0.e30.")
    assert query_of(response["Location"])["error"] == "request_not_supported"
    # Never to an unregistered URI.
    response, _v = authorize(
        client, application, response_type="token", redirect_uri="https://evil.example/cb"
    )
    assert response.status_code == 400


def test_basic_and_body_client_authentication_together_are_refused(client, make_app):
    application, secret = make_app(authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    response = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": application.client_id,
            "client_secret": secret,
        },
        headers=basic(application.client_id, secret),
    )
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_loopback_any_port_only_for_public_clients(client, make_app, person):
    confidential, _ = make_app(redirect_uris="http://127.0.0.1/callback")
    public, _ = make_app(
        client_type=Application.CLIENT_PUBLIC, redirect_uris="http://127.0.0.1/callback"
    )
    client.force_login(person)
    refused, _v = authorize(client, confidential, redirect_uri="http://127.0.0.1:51234/callback")
    assert refused.status_code == 400
    allowed, _v = authorize(client, public, redirect_uri="http://127.0.0.1:51234/callback")
    assert allowed.status_code == 302
    assert "code" in query_of(allowed["Location"])


def test_scim_schemas_and_resource_types(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.HR_SCIM_TOKEN = "scim-token-for-the-discovery-test"
    hr = Client(HTTP_AUTHORIZATION="Bearer scim-token-for-the-discovery-test")
    listed = hr.get("/scim/v2/Schemas")
    assert listed.status_code == 200
    assert listed["Content-Type"].startswith("application/scim+json")
    ids = [s["id"] for s in listed.json()["Resources"]]
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in ids
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in ids
    user = hr.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    assert {a["name"] for a in user["attributes"]} >= {"userName", "active", "emails"}
    types = hr.get("/scim/v2/ResourceTypes").json()
    assert types["totalResults"] == 1 and types["Resources"][0]["endpoint"] == "/Users"
    assert hr.get("/scim/v2/ResourceTypes/User").json()["schema"].endswith("core:2.0:User")
    assert hr.get("/scim/v2/ResourceTypes/Group").status_code == 404
    assert Client().get("/scim/v2/Schemas").status_code == 401


def _issuer_in_production(**env) -> tuple[int, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DJANGO_", "ALLOWED"))
    }
    environment.update(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        REDIS_URL="redis://127.0.0.1:1/0",
        SECRET_KEY="issuer-test-secret-key-long-enough-0123456789abcdef",
        DJANGO_SETTINGS_MODULE="mol_portal.settings",
        **env,
    )
    code = "from django.conf import settings;print(settings.OAUTH2_PROVIDER['OIDC_ISS_ENDPOINT'])"
    done = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def test_the_production_issuer_does_not_follow_the_host_header():
    status, out = _issuer_in_production(ALLOWED_HOSTS="portal.mol.gov.tw,localhost")
    assert status == 0 and out.splitlines()[-1] == "https://portal.mol.gov.tw/o"
    status, out = _issuer_in_production(
        ALLOWED_HOSTS="portal.mol.gov.tw", OIDC_ISSUER="https://sso.mol.gov.tw/o/"
    )
    assert out.splitlines()[-1] == "https://sso.mol.gov.tw/o"
    status, out = _issuer_in_production(ALLOWED_HOSTS="*")
    assert status != 0 and "Set OIDC_ISSUER" in out


def test_the_issuer_is_fixed_whatever_host_the_request_names(client, settings):
    settings.ALLOWED_HOSTS = ["portal.mol.gov.tw", "evil.example"]
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_ISS_ENDPOINT": "https://portal.mol.gov.tw/o",
    }
    data = client.get("/o/.well-known/openid-configuration", HTTP_HOST="evil.example").json()
    assert data["issuer"] == "https://portal.mol.gov.tw/o"
