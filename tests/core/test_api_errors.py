"""Django ValidationError in the API error shape: one converter, used by the handler."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.api.exceptions import api_validation_error

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
