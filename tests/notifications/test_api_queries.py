"""POST /api/v1/notifications/ with a bounded number of queries, whatever the number of
recipients; the checked token is remembered, but a revoked token or a sender switched off is
refused at once; idempotency without a look-up first."""

import json

import pytest
from oauth2_provider.models import get_access_token_model
from rest_framework.renderers import JSONRenderer

from notifications.api.serializers import NotificationSerializer
from notifications.models import ApiClient, ApiMessage, Delivery, Notice
from tests.accounts.factories import RoleAssignmentFactory, RoleFactory
from tests.notifications.test_api import _application, _body, _post, _token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


def test_a_notice_costs_a_fixed_number_of_queries(make_user, django_assert_max_num_queries):
    people = [make_user() for _ in range(30)]  # (SQLite inserts more in two statements)
    token = _token(_application("HR system"))
    one = {"employees": [people[0].employee_number]}
    # The token and the sender are looked up once, then the person (with their preferences),
    # then the message, its notices and their deliveries are written.
    with django_assert_max_num_queries(8):
        assert _post(_body(message_id="a", recipients=one), token).status_code == 201
    with django_assert_max_num_queries(6):
        assert _post(_body(message_id="b", recipients=one), token).status_code == 201
    everyone = {"employees": [p.employee_number for p in people]}
    with django_assert_max_num_queries(6):
        response = _post(_body(message_id="c", recipients=everyone), token)
    assert response.status_code == 201
    assert response.json()["recipients"] == 30
    message = ApiMessage.objects.get(message_id="c")
    expected = JSONRenderer().render(NotificationSerializer(message).data)
    assert response.json() == json.loads(expected)
    assert Notice.objects.filter(api_message__message_id="c").count() == 30
    assert Delivery.objects.filter(notice__api_message__message_id="c").count() == 30


def test_a_revoked_token_is_refused_at_once(owner):
    token = _token(_application("HR system"))
    body = _body(recipients={"employees": [owner.employee_number]})
    assert _post(body, token).status_code == 201
    get_access_token_model().objects.all().delete()
    assert _post(_body(message_id="again", recipients=body["recipients"]), token).status_code == 401


def test_a_sender_switched_off_is_refused_at_once(owner):
    app = _application("HR system")
    token = _token(app)
    body = _body(recipients={"employees": [owner.employee_number]})
    assert _post(body, token).status_code == 201
    sender = ApiClient.objects.get(application=app)
    sender.active = False
    sender.save()
    assert _post(_body(message_id="again", recipients=body["recipients"]), token).status_code == 403


def test_a_repeat_answers_the_first_result_even_when_its_recipients_are_gone(owner):
    token = _token(_application("HR system"))
    body = _body(recipients={"employees": [owner.employee_number]})
    first = _post(body, token)
    assert first.status_code == 201
    owner.is_active = False
    owner.save()
    again = _post(body, token)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ApiMessage.objects.count() == 1 and Notice.objects.count() == 1
    # A new message to them is refused.
    assert _post(_body(message_id="new", recipients=body["recipients"]), token).status_code == 400


def test_a_role_and_a_person_named_twice_get_one_notice_each(make_user):
    role = RoleFactory(code="tests.hr")
    holder, other = make_user(), make_user()
    RoleAssignmentFactory(user=holder, role=role)
    token = _token(_application("HR system"))
    body = _body(
        recipients={
            "employees": [holder.employee_number, other.employee_number, other.employee_number],
            "roles": ["tests.hr"],
        }
    )
    response = _post(body, token)
    assert response.status_code == 201, response.content
    assert response.json()["recipients"] == 2
    assert sorted(Notice.objects.values_list("recipient_id", flat=True)) == sorted(
        [holder.pk, other.pk]
    )
