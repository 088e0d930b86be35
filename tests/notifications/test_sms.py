"""SMS: Taiwan mobile numbers; the Mitake and every8d adapters against local fake gateways
(success, duplicate, bad number, gateway down → e-mail fallback); delivery reports; the
console and file backends."""

import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from notifications.choices import Channel, DeliveryState
from notifications.models import Delivery
from notifications.services import deliveries_relay, delivery_send, notify, outbox_sms
from notifications.sms import normalise_mobile, to_e164
from tests.notifications.fake_gateways import start_fake_gateway

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFICATIONS_QUIET_START = settings.NOTIFICATIONS_QUIET_END = "00:00"


@pytest.fixture
def gateway():
    fake, server = start_fake_gateway()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def mitake(settings, gateway):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.mitake.MitakeGateway"
    settings.NOTIFICATIONS_MITAKE_URL = gateway.url + "/api/mtk/SmSend?CharsetURL=UTF-8"
    settings.NOTIFICATIONS_MITAKE_USERNAME = "mol"
    settings.NOTIFICATIONS_MITAKE_PASSWORD = "pw"
    settings.NOTIFICATIONS_SMS_REPORT_URL = "https://portal.example/notifications/sms/mitake/t0k/"
    return gateway


@pytest.fixture
def every8d(settings, gateway):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.every8d.Every8dGateway"
    settings.NOTIFICATIONS_EVERY8D_URL = gateway.url + "/API21/HTTP/sendSMS.ashx"
    settings.NOTIFICATIONS_EVERY8D_USERNAME = "mol"
    settings.NOTIFICATIONS_EVERY8D_PASSWORD = "pw"
    return gateway


@pytest.mark.parametrize(
    "raw",
    ["0912345678", "0912-345-678", "0912 345 678", "+886912345678", "+886 912 345 678",
     "886912345678", "00886912345678", "+886-0912-345-678", "０９１２３４５６７８", "(0912)345678"],
)  # fmt: skip
def test_taiwan_mobile_numbers(raw):
    assert normalise_mobile(raw) == "0912345678"
    assert to_e164(raw) == "+886912345678"


@pytest.mark.parametrize(
    "raw", ["", "0212345678", "091234567", "09123456789", "=1+1<b>", "+1 415 555 0100"]
)
def test_what_is_not_a_taiwan_mobile_number(raw):
    with pytest.raises(ValidationError) as error:
        normalise_mobile(raw)
    assert error.value.code == "invalid_mobile"
    assert "09xxxxxxxx" in error.value.messages[0]


def test_outbox_sms_refuses_a_bad_number():
    with pytest.raises(ValidationError) as error:
        outbox_sms(to="12345", text="x")
    assert "to" in error.value.message_dict


def test_mitake_success(mitake):
    delivery = outbox_sms(to="+886 912 345 678", text="您有一件待核稿公文", enqueue=False)
    assert delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert delivery.provider_id == "1000000000"
    [request] = mitake.requests
    assert request["dstaddr"] == "0912345678"
    assert request["smbody"] == "您有一件待核稿公文"
    assert request["clientid"] == delivery.message_id
    assert request["response"] == "https://portal.example/notifications/sms/mitake/t0k/"


def test_mitake_duplicate_after_a_crash_is_one_message(mitake):
    """The worker died after Mitake accepted it: the resend carries the same clientid and
    Mitake answers Duplicate=Y with the first msgid; the phone gets one message."""
    delivery = outbox_sms(to="0912345678", text="code 1234", enqueue=False)
    delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING
    )  # as after a lost mark
    assert delivery_send(delivery_id=delivery.pk) is True
    delivery.refresh_from_db()
    assert len(mitake.requests) == 2
    assert len(mitake.delivered) == 1
    assert delivery.provider_id == "1000000000"
    assert [a.outcome for a in delivery.attempt_log.all()] == ["sent", "duplicate"]


def test_mitake_bad_number_falls_back_to_email(mitake, owner, django_capture_on_commit_callbacks):
    delivery = outbox_sms(
        to="0900000000", text="您的案件已受理", fallback_email=owner.email, enqueue=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1
    assert "statuscode v" in delivery.last_error
    fallback = delivery.fallbacks.get()
    assert fallback.channel == Channel.EMAIL and fallback.state == DeliveryState.SENT
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "您的案件已受理" in mail.outbox[0].body


def test_gateway_down_retries_with_backoff_then_mails(
    settings, mitake, owner, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    mitake.down = True
    owner.mobile = "0912345678"
    owner.save()
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify(recipients=[owner], kind="alert", title="資料庫主機無回應")
    sms = Delivery.objects.get(notice=notice, channel=Channel.SMS)
    assert sms.state == DeliveryState.PENDING and sms.attempts == 1
    assert "503" in sms.last_error
    Delivery.objects.filter(pk=sms.pk).update(due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        deliveries_relay()
    sms.refresh_from_db()
    assert sms.state == DeliveryState.FAILED and sms.attempts == 2
    fallback = sms.fallbacks.get()
    assert fallback.channel == Channel.EMAIL
    # One e-mail for the alert itself and one standing in for the SMS.
    assert [m.subject for m in mail.outbox] == ["資料庫主機無回應", "資料庫主機無回應"]
    assert fallback.headers["X-MOL-Fallback-Of"] == sms.message_id


def test_every8d_success_and_bad_number(every8d, django_capture_on_commit_callbacks):
    ok = outbox_sms(to="0912345678", text="會議通知", enqueue=False)
    assert delivery_send(delivery_id=ok.pk) is True
    ok.refresh_from_db()
    assert ok.state == DeliveryState.SENT and len(ok.provider_id) == 32
    assert every8d.requests[0]["DEST"] == "0912345678" and every8d.requests[0]["MSG"] == "會議通知"
    bad = outbox_sms(to="0900000000", text="x", fallback_email="someone@example.com", enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_send(delivery_id=bad.pk)
    bad.refresh_from_db()
    assert bad.state == DeliveryState.FAILED and "-306" in bad.last_error
    assert mail.outbox[0].to == ["someone@example.com"]


def test_every8d_never_gets_a_row_twice(every8d):
    delivery = outbox_sms(to="0912345678", text="x", enqueue=False)
    assert delivery_send(delivery_id=delivery.pk) is True
    assert delivery_send(delivery_id=delivery.pk) is False
    assert deliveries_relay()["sent"] == 0
    assert len(every8d.requests) == 1


def test_every8d_down_is_temporary(every8d):
    every8d.down = True
    delivery = outbox_sms(to="0912345678", text="x", enqueue=False)
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.due_at > timezone.now()


def test_the_mitake_delivery_report(
    client, settings, mitake, owner, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SMS_REPORT_TOKEN = "t0k"
    ok = outbox_sms(to="0912345678", text="a", enqueue=False)
    lost = outbox_sms(to="0922333444", text="b", fallback_email=owner.email, enqueue=False)
    delivery_send(delivery_id=ok.pk)
    delivery_send(delivery_id=lost.pk)
    ok.refresh_from_db()
    lost.refresh_from_db()
    assert (
        client.get(
            f"/notifications/sms/mitake/wrong/?msgid={ok.provider_id}&statuscode=4"
        ).status_code
        == 404
    )
    response = client.get(
        f"/notifications/sms/mitake/t0k/?msgid={ok.provider_id}&statuscode=4&statusstr=DELIVRD"
    )
    assert response.status_code == 200
    assert response.content.decode() == f"magicid=sms_gateway_rpack\nmsgid={ok.provider_id}\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(
            f"/notifications/sms/mitake/t0k/?msgid={lost.provider_id}&statuscode=8&statusstr=EXPIRED"
        )
    ok.refresh_from_db()
    lost.refresh_from_db()
    assert ok.state == DeliveryState.DELIVERED and ok.delivered_at is not None
    assert lost.state == DeliveryState.FAILED and lost.fallbacks.count() == 1
    assert mail.outbox[0].to == [owner.email]


def test_console_and_file_backends(settings, tmp_path, capsys):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.console.ConsoleGateway"
    delivery = outbox_sms(to="0912345678", text="console text", enqueue=False)
    delivery_send(delivery_id=delivery.pk)
    assert "SMS to 0912345678" in capsys.readouterr().out
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.file.FileGateway"
    settings.NOTIFICATIONS_SMS_FILE = str(tmp_path / "sms.jsonl")
    delivery = outbox_sms(to="+886922333444", text="file text", enqueue=False)
    delivery_send(delivery_id=delivery.pk)
    [line] = (tmp_path / "sms.jsonl").read_text().splitlines()
    assert json.loads(line)["to"] == "0922333444"
    assert json.loads(line)["client_id"] == delivery.message_id
