"""Back-channel logout: signed logout tokens POSTed to a real local HTTP server, retried with
backoff, recorded per delivery."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import ApplicationSignIn, BackchannelLogoutDelivery
from accounts.oidc import tasks
from accounts.oidc.backchannel import delivery_attempt, notify_user_logout, retry_delay
from accounts.oidc.choices import DeliveryStatus, LogoutReason
from accounts.oidc.constants import BACKCHANNEL_LOGOUT_EVENT
from accounts.oidc.tasks import backchannel_retry_due
from accounts.services import user_sign_out_everywhere
from core.models import AuditLogEntry
from tests.accounts.oidc_support import code_flow_client, verify_jwt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def person(make_user, units):
    return make_user(username="lin.meihua", organization=units["IM"])


@pytest.fixture
def signed_in(client, person, make_app, logout_receiver):
    """``person`` signed in to an application with a back-channel logout URL and to one
    without. Returns (application with URL, its ID token claims)."""
    with_url, secret = make_app(backchannel_logout_uri=logout_receiver.url)
    without, other_secret = make_app()
    client.force_login(person)
    token = code_flow_client(client, with_url, secret)
    code_flow_client(client, without, other_secret)
    jwks = client.get("/o/.well-known/jwks.json").json()
    _header, claims = verify_jwt(token["id_token"], jwks, aud=with_url.client_id)
    return with_url, claims


def received_token(client, receiver, application, id_claims):
    """The one logout token the receiver got, verified against the JWKS."""
    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert request["path"] == "/backchannel-logout"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    token = request["form"]["logout_token"][0]
    jwks = client.get("/o/.well-known/jwks.json").json()
    header, claims = verify_jwt(token, jwks, iss=id_claims["iss"], aud=application.client_id)
    return header, claims


def test_sign_out_everywhere_sends_a_signed_logout_token(
    committed, client, person, signed_in, logout_receiver
):
    application, id_claims = signed_in
    with committed():
        user_sign_out_everywhere(user=person, by=person)

    header, claims = received_token(client, logout_receiver, application, id_claims)
    assert header["typ"] == "logout+jwt" and header["alg"] == "RS256"
    assert claims["sub"] == id_claims["sub"]
    assert claims["events"] == {BACKCHANNEL_LOGOUT_EVENT: {}}
    assert "nonce" not in claims
    assert claims["jti"] and claims["iat"] <= claims["exp"]
    delivery = BackchannelLogoutDelivery.objects.get()
    assert str(delivery.jti) == claims["jti"]
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.reason == LogoutReason.EVERYWHERE


def test_logging_out_of_the_portal_tells_the_applications(
    committed, client, person, signed_in, logout_receiver
):
    application, id_claims = signed_in
    with committed():
        client.post("/accounts/logout/")
    received_token(client, logout_receiver, application, id_claims)
    assert BackchannelLogoutDelivery.objects.get().reason == LogoutReason.LOGOUT
    assert not ApplicationSignIn.objects.filter(user=person, signed_out_at__isnull=True).exists()


def test_rp_initiated_logout_tells_the_applications(
    committed, client, person, make_app, logout_receiver
):
    application, secret = make_app(backchannel_logout_uri=logout_receiver.url)
    client.force_login(person)
    token = code_flow_client(client, application, secret)
    with committed():
        response = client.get("/o/logout/", {"id_token_hint": token["id_token"]})
    assert response.status_code == 302
    assert len(logout_receiver.received) == 1
    assert BackchannelLogoutDelivery.objects.get().reason == LogoutReason.RP_LOGOUT


def test_nobody_is_told_twice(committed, client, person, signed_in, logout_receiver):
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    with committed():
        assert notify_user_logout(user_id=person.pk) == []
    assert len(logout_receiver.received) == 1


def test_an_application_signed_in_to_again_is_told_again(
    committed, client, person, signed_in, logout_receiver, password
):
    application, _claims = signed_in
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    ApplicationSignIn.objects.filter(application=application).update(signed_out_at=None)
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    assert len(logout_receiver.received) == 2


def test_a_failed_delivery_is_retried_with_backoff_then_given_up(
    committed, client, person, signed_in, logout_receiver, settings
):
    settings.OIDC_BACKCHANNEL_ATTEMPTS = 3
    logout_receiver.statuses = [503, 500, 502]
    with committed():
        user_sign_out_everywhere(user=person, by=person)

    delivery = BackchannelLogoutDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1 and delivery.last_status_code == 503
    assert (
        timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    )

    assert delivery_attempt(delivery.pk) == DeliveryStatus.PENDING
    assert delivery_attempt(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.last_status_code == 502
    assert delivery.next_attempt_at is None
    assert AuditLogEntry.objects.filter(message__startswith="oidc.backchannel_failed").exists()
    # Given up: nothing more is sent.
    assert delivery_attempt(delivery.pk) is None
    assert len(logout_receiver.received) == 3


def test_a_delivery_that_fails_once_succeeds_on_the_retry_and_keeps_its_jti(
    committed, client, person, signed_in, logout_receiver
):
    application, id_claims = signed_in
    logout_receiver.statuses = [500]
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    delivery = BackchannelLogoutDelivery.objects.get()
    assert delivery_attempt(delivery.pk) == DeliveryStatus.DELIVERED
    jtis = {
        verify_jwt(r["form"]["logout_token"][0], client.get("/o/.well-known/jwks.json").json())[1][
            "jti"
        ]
        for r in logout_receiver.received
    }
    assert jtis == {str(delivery.jti)}


def test_an_unreachable_application_is_recorded_as_such(
    committed, client, person, make_app, settings
):
    application, secret = make_app(backchannel_logout_uri="http://127.0.0.1:9/nobody-listens")
    client.force_login(person)
    code_flow_client(client, application, secret)
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    delivery = BackchannelLogoutDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "ConnectionError" in delivery.last_error and delivery.last_status_code is None


def test_the_beat_job_resends_overdue_deliveries(
    committed, client, person, signed_in, logout_receiver
):
    logout_receiver.statuses = [500]
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    assert backchannel_retry_due() == 0  # its retry is not overdue yet
    with freeze_time(timezone.now() + timedelta(minutes=15)):
        assert backchannel_retry_due() == 1
    assert BackchannelLogoutDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_backoff_doubles_and_is_capped():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(30) == 6 * 3600


def test_with_a_real_worker_a_failed_attempt_schedules_a_retry_with_backoff(
    committed, client, person, signed_in, logout_receiver, monkeypatch
):
    logout_receiver.statuses = [503, 503]
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    delivery = BackchannelLogoutDelivery.objects.get()
    scheduled = []

    class Retry(Exception):
        pass

    def retry(countdown):
        scheduled.append(countdown)
        return Retry()

    monkeypatch.setattr(tasks.deliver_backchannel_logout, "retry", retry)
    # Called as a worker would (not eagerly): the second failure asks Celery to retry in 60 s.
    with pytest.raises(Retry):
        tasks.deliver_backchannel_logout.run(delivery.pk)
    assert scheduled == [60]
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING


def test_a_session_logout_token_names_the_session_by_its_sid(
    committed, client, person, signed_in, logout_receiver
):
    application, id_claims = signed_in
    assert id_claims["sid"]
    with committed():
        client.post("/accounts/logout/")
    _header, claims = received_token(client, logout_receiver, application, id_claims)
    assert claims["sid"] == id_claims["sid"] and claims["sub"] == id_claims["sub"]


def test_everywhere_names_the_person_without_a_sid(
    committed, client, person, signed_in, logout_receiver
):
    application, id_claims = signed_in
    with committed():
        user_sign_out_everywhere(user=person, by=person)
    _header, claims = received_token(client, logout_receiver, application, id_claims)
    assert "sid" not in claims


def test_signing_out_other_sessions_tells_the_applications_of_those_sessions(
    committed, client, person, make_app, logout_receiver
):
    application, secret = make_app(backchannel_logout_uri=logout_receiver.url)
    other_browser = Client()
    other_browser.force_login(person)
    other_token = code_flow_client(other_browser, application, secret)
    client.force_login(person)
    code_flow_client(client, application, secret)
    jwks = client.get("/o/.well-known/jwks.json").json()
    _h, other_claims = verify_jwt(other_token["id_token"], jwks, aud=application.client_id)
    with committed():
        response = client.post("/accounts/sessions/end-all/", {"scope": "others"})
    assert response.status_code == 302
    _header, claims = received_token(client, logout_receiver, application, other_claims)
    assert claims["sid"] == other_claims["sid"]
    # This browser is still signed in to the application.
    assert ApplicationSignIn.objects.filter(user=person, signed_out_at__isnull=True).exists()
