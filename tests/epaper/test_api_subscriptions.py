# ruff: noqa: F811 - the fixtures imported from subscriber_support are arguments of the tests
"""``POST /api/v1/epaper/subscriptions/`` and ``GET /api/v1/epaper/newsletters/``: public, the
project's error shape naming the field, unknown codes refused, the same neutral 202 for any
address, the rate limits as 429 with Retry-After, the OpenAPI schema."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from epaper.constants import PRIVACY_VERSION
from epaper.models import BlockRule, Newsletter, OptIn, Subscriber

from .subscriber_support import commit, confirm_link, states, subscribed  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/epaper/subscriptions/"
NEWSLETTERS = "/api/v1/epaper/newsletters/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def post(api, commit):
    def run(data, **extra):
        return commit(api.post, URL, data, format="json", **extra)

    return run


def assert_error_shape(response, status: int, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == status
    if field:
        assert field in body["error"]["fields"], body
    return body["error"]


def test_the_newsletters_are_listed_publicly_in_order(api):
    response = api.get(NEWSLETTERS)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["code"] for r in results] == [
        "weekly",
        "bulletin",
        "education",
        "quarterly",
        "statistics",
        "bli",
        "wda",
    ]
    assert results[0]["name_zh"] == "勞工電子週報" and results[0]["name_en"] == "Labor e-Weekly"
    assert set(results[0]) == {
        "code",
        "name_zh",
        "name_en",
        "description_zh",
        "description_en",
        "publisher_zh",
        "publisher_en",
        "frequency_zh",
        "frequency_en",
    }


def test_a_closed_newsletter_is_not_listed(api):
    Newsletter.objects.filter(code="wda").update(active=False)
    codes = [r["code"] for r in api.get(NEWSLETTERS).json()["results"]]
    assert "wda" not in codes and len(codes) == 6


def test_a_subscription_starts_a_double_opt_in(post):
    response = post(
        {"email": "Chen@Example.com", "newsletters": ["weekly", "bli"]},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 202
    assert response.json()["status"] == "accepted"
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "chen@example.com"
    assert states(subscriber) == {"weekly": "pending", "bli": "pending"}
    opt_in = OptIn.objects.get()
    assert (opt_in.source, opt_in.ip, opt_in.privacy_version) == (
        "api",
        "198.51.100.20",
        PRIVACY_VERSION,
    )
    [message] = mail.outbox
    assert message.to == ["chen@example.com"]
    link, _token = confirm_link(message)
    assert link.startswith("http://testserver/epaper/confirm/")


def test_the_confirmation_of_an_api_opt_in_confirms_its_lists(post, client):
    post({"email": "chen@example.com", "newsletters": ["statistics"]})
    _link, token = confirm_link(mail.outbox[0])
    client.post(f"/epaper/confirm/{token}/")
    subscriber = Subscriber.objects.get()
    assert states(subscriber) == {"statistics": "confirmed"}
    assert subscriber.consent_source == "api"


def test_the_answer_is_the_same_for_a_subscribed_address(post):
    subscribed("known@example.com", "weekly")
    new = post({"email": "new@example.com", "newsletters": ["weekly"]})
    known = post({"email": "known@example.com", "newsletters": ["weekly"]})
    assert new.status_code == known.status_code == 202
    assert new.json() == known.json()


def test_english_mail_on_request(post):
    post({"email": "lin@example.com", "newsletters": ["weekly"], "language": "en"})
    assert "Labor e-Weekly" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"newsletters": ["weekly"]}, "email"),
        ({"email": "not-an-address", "newsletters": ["weekly"]}, "email"),
        ({"email": "<script>@x.com", "newsletters": ["weekly"]}, "email"),
        ({"email": "a" * 300 + "@example.com", "newsletters": ["weekly"]}, "email"),
        ({"email": "chen@example.com"}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": []}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": "weekly"}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": ["weekly", "nope"]}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": ["<b>"]}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": ["x"] * 21}, "newsletters"),
        ({"email": "chen@example.com", "newsletters": ["weekly"], "language": "fr"}, "language"),
    ],
)
def test_invalid_input_is_refused_in_the_error_shape_naming_the_field(post, data, field):
    error = assert_error_shape(post(data), 400, field)
    assert error["code"] == "invalid"
    assert not Subscriber.objects.exists() and mail.outbox == []


def test_an_unknown_code_is_named_in_the_message(post):
    error = assert_error_shape(
        post({"email": "chen@example.com", "newsletters": ["weekly", "nope"]}), 400, "newsletters"
    )
    assert "nope" in error["fields"]["newsletters"][0]


def test_a_closed_newsletter_is_refused(post):
    Newsletter.objects.filter(code="wda").update(active=False)
    assert_error_shape(post({"email": "c@example.com", "newsletters": ["wda"]}), 400, "newsletters")


def test_a_blocked_domain_is_refused_on_the_email_field(post):
    BlockRule.objects.create(kind="domain", value="throwaway.example")
    assert_error_shape(
        post({"email": "c@throwaway.example", "newsletters": ["weekly"]}), 400, "email"
    )


def test_a_body_that_is_not_json_is_refused_in_the_error_shape(api):
    response = api.post(URL, data="{not json", content_type="application/json")
    assert_error_shape(response, 400)


def test_the_rate_limit_answers_429_with_retry_after(post, settings):
    settings.EPAPER_RATE_PER_IP = 2
    for n in range(2):
        assert post({"email": f"p{n}@example.com", "newsletters": ["weekly"]}).status_code == 202
    response = post({"email": "p9@example.com", "newsletters": ["weekly"]})
    error = assert_error_shape(response, 429)
    assert error["code"] == "throttled"
    assert int(response["Retry-After"]) == settings.EPAPER_RATE_WINDOW_SECONDS
    assert not Subscriber.objects.filter(email="p9@example.com").exists()


def test_a_bearer_token_is_not_silently_ignored(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    response = api.post(URL, {"email": "c@example.com", "newsletters": ["weekly"]}, format="json")
    assert_error_shape(response, 401)


def test_get_on_the_subscription_endpoint_is_not_allowed(api):
    assert_error_shape(api.get(URL), 405)


def test_the_schema_describes_both_endpoints():
    from drf_spectacular.generators import SchemaGenerator  # noqa: PLC0415

    schema = SchemaGenerator().get_schema(request=None, public=True)
    post_op = schema["paths"]["/api/v1/epaper/subscriptions/"]["post"]
    assert set(post_op["responses"]) >= {"202", "400", "429"}
    assert "/api/v1/epaper/newsletters/" in schema["paths"]
    request = post_op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][request.rsplit("/", 1)[1]]
    assert set(component["required"]) == {"email", "newsletters"}
