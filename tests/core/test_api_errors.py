"""Django ValidationError in the API error shape: one converter, used by the handler."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils import translation
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.api.exceptions import MESSAGES, api_validation_error

pytestmark = pytest.mark.django_db


class RaisesDjangoValidationError(APIView):
    """A view whose service raises a Django ValidationError and does not catch it."""

    permission_classes = [AllowAny]
    authentication_classes = []
    error = ValidationError("")

    def post(self, request):
        raise self.error


urlpatterns = [
    path("api/v1/test/fields/", RaisesDjangoValidationError.as_view(
        error=ValidationError({"subject": ["Too long."], "__all__": ["Not today."]}))),
    path("api/v1/test/plain/", RaisesDjangoValidationError.as_view(
        error=ValidationError("The unit has used every number."))),
]  # fmt: skip


def test_field_errors_keep_their_field_and_all_becomes_non_field_errors():
    detail = api_validation_error(
        ValidationError({"subject": ["Too long."], "__all__": ["Not today."]})
    ).detail
    assert {key: [str(m) for m in value] for key, value in detail.items()} == {
        "subject": ["Too long."],
        "non_field_errors": ["Not today."],
    }


def test_a_message_or_a_list_goes_under_non_field_errors():
    single = api_validation_error(ValidationError("Nope.")).detail
    several = api_validation_error(ValidationError(["One.", "Two."])).detail
    assert [str(m) for m in single["non_field_errors"]] == ["Nope."]
    assert [str(m) for m in several["non_field_errors"]] == ["One.", "Two."]


@pytest.mark.urls(__name__)
def test_a_django_validation_error_from_a_view_is_a_400_in_the_error_shape():
    response = APIClient().post("/api/v1/test/fields/")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "status": 400,
            "code": "invalid",
            "message": "Not today.",
            "fields": {"subject": ["Too long."], "non_field_errors": ["Not today."]},
        }
    }


@pytest.mark.urls(__name__)
def test_a_plain_django_validation_error_names_its_message():
    response = APIClient().post("/api/v1/test/plain/")
    error = response.json()["error"]
    assert response.status_code == 400
    assert error["message"] == "The unit has used every number."
    assert error["fields"] == {"non_field_errors": ["The unit has used every number."]}


# --- every /api/ error is JSON in the one shape ------------------------------------------------


def assert_error_shape(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    error = response.json()["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/no-such-resource/",
        "/api/v1/documents/not-a-number/",  # a bad id matches no route
        "/api/v2/",
        "/api/",
    ],
)
def test_unknown_api_paths_and_bad_ids_are_404_json(client, owner, url):
    client.force_login(owner)
    assert_error_shape(client.get(url), 404, "not_found")


def test_unknown_api_path_is_404_json_for_anonymous_callers_too(client):
    assert_error_shape(client.get("/api/v1/no-such-resource/"), 404, "not_found")


def test_a_page_404_stays_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/v1/organizations/", "/api/v1/documents/"])
def test_anonymous_api_calls_get_401_with_the_bearer_scheme(client, url):
    response = client.get(url)
    assert_error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic Zm9vOmJhcg==", "Token abc"])
def test_credentials_a_session_endpoint_cannot_check_are_refused_not_ignored(client, owner, header):
    """Even with a valid session, a bad token is an error (a client must not believe its
    token works because the call succeeded through a browser session)."""
    client.force_login(owner)
    response = client.get("/api/v1/organizations/", HTTP_AUTHORIZATION=header)
    assert_error_shape(response, 401, "invalid_token")
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_a_valid_session_without_a_header_still_works(client, owner):
    client.force_login(owner)
    assert client.get("/api/v1/organizations/").status_code == 200


def test_the_error_messages_are_the_portals_marked_strings(client):
    """The standard errors speak with the portal's own (translated) messages, in the language
    the API negotiated."""
    with translation.override("zh-hant"):
        expected = str(MESSAGES["not_authenticated"])
    response = client.get("/api/v1/organizations/", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert response.json()["error"]["message"] == expected
    assert response["Content-Language"] == "zh-hant"
    # DRF's own zh-Hant catalogue already has this one: the 404 is in Chinese.
    english = client.get("/api/v1/no-such/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "Not found."
    chinese = client.get("/api/v1/no-such/", HTTP_ACCEPT_LANGUAGE="zh-Hant")
    assert chinese.json()["error"]["message"] == "找不到資源。"
