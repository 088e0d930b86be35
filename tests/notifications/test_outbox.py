"""The outbox: rows written with the change, relayed after commit, claimed once, retried with
backoff, swept when due, Message-ID fixed per row, bounces, sensitive texts."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.choices import AttemptOutcome, DeliveryState
from notifications.models import Delivery
from notifications.selectors import deliveries_for
from notifications.services import (
    deliveries_relay,
    delivery_bounced,
    delivery_send,
    outbox_email,
)
from notifications.services import outbox as outbox_module
from notifications.services.outbox import backoff_seconds

pytestmark = pytest.mark.django_db


def _mail(**extra) -> Delivery:
    fields = {"to": "citizen@example.com", "subject": "Hello", "text": "Body text"}
    return outbox_email(**{**fields, **extra})


def test_the_row_and_the_change_commit_together_and_the_mail_goes_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            delivery = _mail()
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.PENDING
    callbacks[0]()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id


def test_a_rollback_leaves_neither_row_nor_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            _mail()
            raise RuntimeError("the change failed")
    assert callbacks == []
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_mail_has_text_and_html_parts_message_id_and_list_id(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = _mail(
            html="<p>Body <b>html</b></p>",
            kind="petitions.confirmation",
            reply_to="reply@example.gov.tw",
            headers={"In-Reply-To": "<a@b>"},
        )
    sent = mail.outbox[0]
    assert sent.body == "Body text"
    assert sent.alternatives[0][0] == "<p>Body <b>html</b></p>"
    assert sent.alternatives[0][1] == "text/html"
    headers = sent.message()
    assert headers["Message-ID"] == delivery.message_id
    assert headers["List-Id"] == "<petitions.notices.mol.gov.tw>"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["In-Reply-To"] == "<a@b>"
    assert sent.reply_to == ["reply@example.gov.tw"]


def test_a_bad_address_is_refused():
    with pytest.raises(ValidationError) as error:
        _mail(to="not an address")
    assert "to" in error.value.message_dict


def test_a_row_is_sent_once_however_often_it_is_relayed(django_capture_on_commit_callbacks):
    delivery = _mail(enqueue=False)
    assert delivery_send(delivery_id=delivery.pk) is True
    assert delivery_send(delivery_id=delivery.pk) is False
    assert deliveries_relay()["sent"] == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert [a.outcome for a in delivery.attempt_log.all()] == [AttemptOutcome.SENT]


def test_a_second_worker_cannot_claim_a_row_already_claimed():
    delivery = _mail(enqueue=False)
    first, _token = outbox_module._claim(delivery.pk)
    second, _token2 = outbox_module._claim(delivery.pk)
    assert first is not None and first.state == DeliveryState.SENDING
    assert second is None
    assert delivery_send(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_temporary_errors_back_off_exponentially_then_fail(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    delivery = _mail(enqueue=False)
    boom = ConnectionRefusedError("SMTP server down")
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=boom
    ):
        before = timezone.now()
        assert delivery_send(delivery_id=delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
        assert delivery.attempts == 1
        assert 60 <= (delivery.due_at - before).total_seconds() <= 67
        assert "SMTP server down" in delivery.last_error
        # Not due yet: neither the task nor the sweep sends it.
        assert delivery_send(delivery_id=delivery.pk) is False
        Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
        assert deliveries_relay()["due"] == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert 120 <= (delivery.due_at - timezone.now()).total_seconds() <= 133
        Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
        deliveries_relay()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 3
    assert [a.outcome for a in delivery.attempt_log.all()] == ["retry", "retry", "failed"]
    assert mail.outbox == []


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 600
    assert 60 <= backoff_seconds(1) < 67
    assert 240 <= backoff_seconds(3) < 265
    assert 600 <= backoff_seconds(20) <= 660


def test_a_claim_whose_worker_died_is_swept_and_sent_once_with_the_same_message_id(settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 30
    delivery = _mail(enqueue=False)
    claimed, _token = outbox_module._claim(delivery.pk)  # the worker dies here
    assert claimed is not None
    assert deliveries_relay()["sent"] == 0  # lease still running: nobody else sends
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    result = deliveries_relay()
    assert result == {"released": 1, "due": 1, "sent": 1}
    assert deliveries_relay()["sent"] == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_broker_outage_at_commit_loses_nothing(django_capture_on_commit_callbacks):
    with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            delivery = _mail()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert mail.outbox == []
    assert deliveries_relay()["sent"] == 1
    assert len(mail.outbox) == 1


def test_held_mail_waits_for_its_time():
    delivery = _mail(enqueue=False, due_at=timezone.now() + timedelta(hours=2))
    assert deliveries_relay()["due"] == 0
    assert delivery_send(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_sensitive_text_is_erased_once_sent():
    delivery = _mail(enqueue=False, sensitive=True, text="Your code: 123456", html="<p>123456</p>")
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert "123456" in mail.outbox[0].body
    assert delivery.state == DeliveryState.SENT
    assert delivery.text == "" and delivery.html == ""


def test_a_bounce_is_recorded_by_message_id():
    delivery = _mail(enqueue=False)
    delivery_send(delivery_id=delivery.pk)
    assert delivery_bounced(message_id="<unknown@x>", reason="no") is None
    bounced = delivery_bounced(message_id=delivery.message_id, reason="550 mailbox unknown")
    assert bounced.state == DeliveryState.BOUNCED
    assert bounced.bounce_reason == "550 mailbox unknown"
    assert bounced.bounced_at is not None


def test_a_permanent_smtp_refusal_fails_at_once():
    delivery = _mail(enqueue=False)
    refused = smtplib.SMTPRecipientsRefused({"citizen@example.com": (550, b"no such user")})
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=refused
    ):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED
    assert delivery.attempts == 1


def test_the_source_object_is_kept(owner):
    delivery = _mail(enqueue=False, source=owner)
    assert list(deliveries_for(owner)) == [delivery]
