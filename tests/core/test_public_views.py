"""URLs fail closed: every route of the project needs a login unless its view is marked public.

The test walks every URL pattern of ``ROOT_URLCONF`` (includes, namespaces and converters
too), builds a concrete path for each and sends an anonymous GET:

- a route whose view is not marked public is redirected to the login page with ``?next=``
  (``/api/…``: 401 in the API error shape), never 200;
- a Django REST framework view (which authenticates the request itself) answers 401 or 403
  in the API error shape, unless it is listed below;
- the routes listed in ``PUBLIC_ROUTES`` are exactly the ones marked public. Making a route
  public, in any app, means adding it here: a visible decision in review.
"""

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, include, path, resolve
from django.urls import converters as url_converters
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.views import APIView

from core.middleware import is_public_view

pytestmark = pytest.mark.django_db

# Routes (pattern strings, joined from the root) reachable without a login.
PUBLIC_ROUTES = {
    # Public portal pages and the machine endpoints.
    "",
    "public/accessibility/",
    "public/privacy/",
    "healthz",
    "i18n/setlang/",
    # Signing in and out.
    "accounts/login/",
    "accounts/login/verify/",
    "accounts/login/enrol/",
    "accounts/login/certificate/",
    "accounts/logout/",
    "admin/login/",  # sends the visitor to accounts/login/ itself
    # OpenID Connect provider: clients authenticate themselves, authorize sends users to login.
    "o/authorize/",
    "o/token/",
    "o/revoke_token/",
    "o/introspect/",
    "o/userinfo/",
    "o/logout/",
    "o/^\\.well-known/openid-configuration/?$",
    "o/.well-known/jwks.json",
    "o/.well-known/oauth-authorization-server",
    # SCIM push from the HR system: bearer token of its own (401 without it).
    "scim/v2/Users",
    "scim/v2/Users/<str:user_id>",
    "scim/v2/ServiceProviderConfig",
    "scim/v2/ResourceTypes",
    "scim/v2/ResourceTypes/<str:type_id>",
    "scim/v2/Schemas",
    "scim/v2/Schemas/<str:schema_id>",
    # Citizen mailbox, public side (never /petitions/staff/).
    "petitions/",
    "petitions/submitted/",
    "petitions/confirm/<str:token>/",
    "petitions/progress/",
    "petitions/case/<str:case_number>/",
    "petitions/case/<str:case_number>/survey/",
    "petitions/survey/<str:token>/",
    "petitions/statistics/",
    "petitions/statistics.csv",
    # A meeting attendee's calendar feed: calendar programs cannot sign in, the unguessable
    # per-person token in the address is the credential (revocable, read-only).
    "meetings/calendar/<str:token>.ics",
    "petitions/submitted/resend/",
    "petitions/progress/new-code/",
    # E-papers, public side: subscribing, confirming, preferences and leaving by signed link,
    # "mail me my link", the archive and its feeds, images of published issues.
    "epaper/",
    "epaper/subscribed/",
    "epaper/subscribed/resend/",
    "epaper/confirm/<str:token>/",
    "epaper/my-link/",
    "epaper/preferences/<str:token>/",
    "epaper/unsubscribe/<str:token>/",
    "epaper/archive/",
    "epaper/archive/<slug:code>/",
    "epaper/archive/<slug:code>/<int:number>/",
    "epaper/archive/<slug:code>/atom/",
    "epaper/archive/<slug:code>/rss/",
    "epaper/assets/<int:pk>/",
    # E-paper API for citizens: the newsletters, their published issues, starting an opt-in.
    "api/v1/epaper/newsletters/",
    "api/v1/epaper/newsletters/<slug:code>/issues/",
    "api/v1/epaper/subscriptions/",
    # Notifications: the desktop-agent feed (own bearer tokens, 401 without) and the SMS
    # gateway's delivery report (secret token in the path, 404 otherwise).
    "notifications/feed/",
    "notifications/sms/mitake/<str:token>/",
    # Service monitor: heartbeat pings (the uuid is the secret), the signed acknowledgement
    # link of an alert (404 without a valid signature), public status pages (404 for a group
    # that is not public), Prometheus metrics (own bearer token, 401 without).
    "ping/<uuid:key>",
    "ping/<uuid:key>/start",
    "ping/<uuid:key>/fail",
    "monitoring/ack/<str:token>/",
    "monitoring/status/<slug:code>/",
    "monitoring/metrics",
    # API root (links only) and description: DRF views answering anonymous callers.
    "api/v1/",
    "api/schema/",
    "api/docs/",
}

# What anonymous callers of some public routes must get: they authenticate on their own terms.
ANONYMOUS_ANSWER = {
    "scim/v2/Users": 401,
    "scim/v2/Users/<str:user_id>": 401,
    "o/userinfo/": 401,
    "notifications/feed/": 401,
    "notifications/sms/mitake/<str:token>/": 404,
    "admin/login/": 302,
    "ping/<uuid:key>": 404,
    "monitoring/ack/<str:token>/": 404,
    "monitoring/metrics": 401,
}

SAMPLES = {
    url_converters.IntConverter: "1",
    url_converters.SlugConverter: "x",
    url_converters.UUIDConverter: str(uuid.UUID(int=1)),
    url_converters.StringConverter: "x",
    url_converters.PathConverter: "x",
}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
NAMED_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()\\]|\\.|\([^()]*\))*)\)")


def _route_sample(pattern: RoutePattern) -> str:
    def value(match):
        converter = pattern.converters[match.group("name")]
        sample = SAMPLES.get(type(converter))
        assert sample is not None, (
            f"no sample value for the converter {type(converter).__name__} in {pattern}: "
            "add one to SAMPLES"
        )
        return sample

    return ROUTE_PARAMETER.sub(value, str(pattern))


def _regex_sample(pattern: RegexPattern) -> str:
    def value(match):
        body = match.group("body")
        if re.fullmatch(r"\w+(\|\w+)*", body):
            return body.split("|")[0]
        for sample in ("1", "x"):
            if re.fullmatch(body, sample):
                return sample
        raise AssertionError(f"no sample value for ({body}) in {pattern}: extend _regex_sample")

    text = NAMED_GROUP.sub(value, pattern._regex)
    text = text.removeprefix("^").removesuffix("$").replace("/?", "/")
    return re.sub(r"\\(.)", r"\1", text)


def _sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_sample(pattern)
    raise AssertionError(f"unknown pattern type {type(pattern).__name__}: {pattern}")


def walk(resolver=None, route="", sample="/"):
    """Every URL pattern below ``resolver``: (route, concrete path, view)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        here = route + str(pattern.pattern)
        concrete = sample + _sample(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, here, concrete)
        elif isinstance(pattern, URLPattern):
            yield here, concrete, pattern.callback


ROUTES = list(walk())


def is_drf(view) -> bool:
    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def login_redirect_target(response, view=None) -> str | None:
    """The ``next`` of a redirect to the login page (``LOGIN_URL``, or the view's own
    ``login_url``: the admin's, which sends on to ``LOGIN_URL``), or None when it is not one."""
    if response.status_code != 302:
        return None
    location = urlparse(response["Location"])
    if location.path != resolve_url(getattr(view, "login_url", None) or settings.LOGIN_URL):
        return None
    return parse_qs(location.query).get("next", [None])[0]


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False


def test_the_walk_covers_the_project():
    routes = {route for route, _path, _view in ROUTES}
    assert len(ROUTES) > 100
    assert "petitions/staff/<int:pk>/" in routes
    assert "documents/<int:pk>/" in routes
    assert "api/v1/documents/" in routes
    assert "admin/" in routes


def test_every_sample_path_resolves_to_its_own_route():
    wrong = []
    for route, sample, view in ROUTES:
        match = resolve(sample)
        if match.func is not view:
            wrong.append(f"{route} -> {sample} -> {match.route}")
    assert not wrong, "sample paths resolve elsewhere:\n" + "\n".join(wrong)


def test_the_routes_marked_public_are_exactly_the_listed_ones():
    marked = {route for route, _path, view in ROUTES if is_public_view(view) and not is_drf(view)}
    drf_listed = {route for route, _path, view in ROUTES if is_drf(view)} & PUBLIC_ROUTES
    assert marked | drf_listed == PUBLIC_ROUTES, (
        f"marked public but not listed: {sorted(marked - PUBLIC_ROUTES)}; "
        f"listed but not public: {sorted(PUBLIC_ROUTES - marked - drf_listed)}"
    )


def test_anonymous_requests_to_unmarked_routes_go_to_the_login_page(client):
    failures = []
    unmarked = [(r, sample, view) for r, sample, view in ROUTES if not is_public_view(view)]
    assert len(unmarked) > 50
    for route, sample, view in unmarked:
        response = client.get(sample)
        if sample.startswith("/api/"):
            ok = response.status_code == 401 and "error" in response.json()
        else:
            ok = login_redirect_target(response, view) == sample
        if not ok:
            failures.append(f"{route} ({sample}): {response.status_code}")
    assert not failures, "reachable without a login:\n" + "\n".join(failures)


def test_anonymous_api_calls_are_refused_in_the_error_shape(client):
    failures = []
    api = [
        (route, sample)
        for route, sample, view in ROUTES
        if is_drf(view) and route not in PUBLIC_ROUTES
    ]
    assert len(api) >= 10
    for route, sample in api:
        response = client.get(sample)
        ok = response.status_code in (401, 403) and set(response.json()) == {"error"}
        if not ok:
            failures.append(f"{route} ({sample}): {response.status_code}")
    assert not failures, "API routes answering anonymous callers:\n" + "\n".join(failures)


def test_public_routes_answer_anonymous_visitors_themselves(client):
    failures = []
    for route, sample, _view in ROUTES:
        if route not in PUBLIC_ROUTES:
            continue
        response = client.get(sample)
        expected = ANONYMOUS_ANSWER.get(route)
        if response.status_code >= 500 or (
            expected is not None and response.status_code != expected
        ):
            failures.append(f"{route} ({sample}): {response.status_code}")
        elif login_redirect_target(response) == sample and route != "o/authorize/":
            failures.append(f"{route} ({sample}): sent to the login page")
    assert not failures, "\n".join(failures)


def test_the_admin_sends_anonymous_visitors_on_to_the_portal_login(client):
    response = client.get("/admin/documents/")
    assert login_redirect_target(response, resolve("/admin/documents/").func) == "/admin/documents/"
    onward = client.get(response["Location"])
    assert login_redirect_target(onward) == "/admin/documents/"


# --- The middleware itself, on a URL configuration of its own -------------------------------


def unmarked_view(request, **kwargs):
    return HttpResponse("citizen data")


@login_not_required
def marked_view(request):
    return HttpResponse("public")


staff_urls = [
    path("", unmarked_view),
    path("<int:pk>/", unmarked_view),
]
urlpatterns = [
    path("petitions/", marked_view),
    path("petitions/staff/", include(staff_urls)),
    path("api/v1/plain/", unmarked_view),
]


@override_settings(ROOT_URLCONF=__name__, LOGIN_URL="/accounts/login/")
@pytest.mark.parametrize("url", ["/petitions/staff/", "/petitions/staff/7/"])
def test_a_staff_page_without_its_own_decorator_still_needs_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert login_redirect_target(response) == url
    assert client.get("/petitions/").content == b"public"


@override_settings(ROOT_URLCONF=__name__, LOGIN_URL="/accounts/login/")
def test_a_signed_in_user_reaches_the_unmarked_page(client, owner):
    client.force_login(owner)
    assert client.get("/petitions/staff/").content == b"citizen data"


@override_settings(ROOT_URLCONF=__name__, LOGIN_URL="/accounts/login/")
def test_an_unmarked_plain_view_under_api_answers_401_in_the_error_shape(client):
    response = client.get("/api/v1/plain/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert (error["status"], error["code"], error["fields"]) == (401, "not_authenticated", {})
    assert error["message"]
