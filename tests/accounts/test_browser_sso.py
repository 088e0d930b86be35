"""In a real Chromium: signing in to an application served on another origin (a small relying
party on its own port), through the login form, the consent of an external application and
the logout confirmation. Chromium applies the CSP ``form-action`` to every redirect that
follows a form POST, so each of these must land on the application's page."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.accounts.oidc_support import pkce_pair
from tests.browser_support import CHROMIUM_ARGS, DESKTOP, watch_problems

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("fast_password_hashing"),
]


class _RelyingParty(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        self.server.visits.append(self.path)
        body = b"<!DOCTYPE html><html lang='en'><title>RP</title><h1>Application</h1></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def relying_party():
    """An application on 127.0.0.1 (the portal's live server is on localhost: another
    origin), recording the paths the browser lands on."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RelyingParty)
    server.visits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(needs_chromium):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - after needs_chromium

    problems = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=needs_chromium, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport=DESKTOP, locale="en-US")
        page = context.new_page()
        watch_problems(page, problems)
        yield page
        context.close()
        chromium.close()
    assert problems == [], "CSP violations or script errors:\n" + "\n".join(problems)


@pytest.fixture
def portal(live_server):
    return live_server.url.replace("127.0.0.1", "localhost")


def authorization_url(portal, application, relying_party) -> str:
    _verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": f"{relying_party.url}/callback",
        "scope": "openid profile",
        "state": "browser-state",
        "nonce": "browser-nonce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{portal}/o/authorize/?{urlencode(query)}"


def log_in(page, username, password):
    assert "/accounts/login/" in page.url, page.url
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.auth-form button[type=submit]").click()


def landed_with(page, relying_party, path: str) -> dict:
    page.wait_for_url(f"{relying_party.url}{path}*", timeout=10000)
    assert urlparse(page.url).path == path
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_login_form_then_the_application_callback_with_a_code(
    page, portal, relying_party, make_app, make_user, password, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    user = make_user(username="browser.person")
    application, _secret = make_app(redirect_uris=f"{relying_party.url}/callback")

    page.goto(authorization_url(portal, application, relying_party))
    assert "/accounts/login/" in page.url
    log_in(page, user.username, password)

    answer = landed_with(page, relying_party, "/callback")
    assert answer["code"] and answer["state"] == "browser-state"
    assert answer["iss"] == f"{portal}/o"


def test_consent_of_an_external_application_then_logout_confirmation(
    page, portal, relying_party, make_app, make_user, password, settings
):
    settings.MFA_REQUIRED_FOR_STAFF = False
    user = make_user(username="browser.consent")
    application, _secret = make_app(
        is_internal=False,
        redirect_uris=f"{relying_party.url}/callback",
        post_logout_redirect_uris=f"{relying_party.url}/signed-out",
    )

    page.goto(authorization_url(portal, application, relying_party))
    log_in(page, user.username, password)
    page.wait_for_url(f"{portal}/o/authorize/*")
    page.locator("button[name=allow]").click()
    answer = landed_with(page, relying_party, "/callback")
    assert answer["code"]

    # Logout without an id_token_hint: the portal asks, then sends the browser back.
    query = urlencode(
        {
            "client_id": application.client_id,
            "post_logout_redirect_uri": f"{relying_party.url}/signed-out",
            "state": "bye",
        }
    )
    page.goto(f"{portal}/o/logout/?{query}")
    page.locator("form.auth-form button[name=allow]").click()
    assert landed_with(page, relying_party, "/signed-out") == {"state": "bye"}
    page.goto(f"{portal}/intranet/")
    assert "/accounts/login/" in page.url
