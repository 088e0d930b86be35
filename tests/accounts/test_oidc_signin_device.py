"""'My sessions' shows, for each application holding tokens, the browser the person signed in
from: the IP address and device seen at the authorization step, not the application's server
that exchanged the code."""

import pytest
from django.urls import reverse

from accounts.models import ApplicationSignIn
from tests.accounts.oidc_support import REDIRECT_URI, basic, pkce_pair, query_of
from tests.language_support import english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_for_staff(settings):
    settings.MFA_REQUIRED_FOR_STAFF = False


def _sign_in(client, application, secret):
    verifier, challenge = pkce_pair()
    response = client.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": application.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid profile",
            "state": "st",
            "nonce": "n-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Edge/140",
    )
    assert response.status_code == 302, response.content[:300]
    token = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": query_of(response["Location"])["code"],
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers=basic(application.client_id, secret),
        REMOTE_ADDR="10.20.30.40",
        HTTP_USER_AGENT="attendance-server/2.1",
    )
    assert token.status_code == 200, token.content
    return token.json()


def test_sign_in_records_the_browser_not_the_application_server(client, make_app, make_user):
    user = make_user(username="signer")
    application, secret = make_app()
    client.force_login(user)
    _sign_in(client, application, secret)
    sign_in = ApplicationSignIn.objects.get(user=user, application=application)
    assert sign_in.ip_address == "203.0.113.7"
    assert sign_in.user_agent.startswith("Mozilla/5.0")


def test_my_sessions_lists_token_holders_with_ip_and_device(client, make_app, make_user):
    user = make_user(username="signer")
    application, secret = make_app()
    client.force_login(user)
    _sign_in(client, application, secret)
    page = english(client).get(reverse("accounts:sessions"))
    assert page.status_code == 200
    text = page.content.decode()
    assert application.name in text
    assert "203.0.113.7" in text
    assert "Edge/140" in text
    assert "10.20.30.40" not in text


def test_refresh_keeps_the_browser_of_the_sign_in(client, make_app, make_user):
    user = make_user(username="signer")
    application, secret = make_app()
    client.force_login(user)
    token = _sign_in(client, application, secret)
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        headers=basic(application.client_id, secret),
        REMOTE_ADDR="10.20.30.40",
    )
    assert refreshed.status_code == 200, refreshed.content
    sign_in = ApplicationSignIn.objects.get(user=user, application=application)
    assert sign_in.ip_address == "203.0.113.7"
