"""Attachments in the outbox: stored through Django's storage, sent through Django's
``EmailMessage`` (also when the direct SMTP writer would be used), kept for a retry, deleted
with the delivery by retention and by erasure."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from notifications.choices import DeliveryState
from notifications.models import Delivery, DeliveryAttachment
from notifications.services import deliveries_erase, delivery_send, outbox_email
from notifications.services import outbox as outbox_module
from notifications.services.notices import notices_purge

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a tiny file\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _mail(**extra) -> Delivery:
    fields = {
        "to": "person@example.gov.tw",
        "subject": "薪資單",
        "text": "附件為您的薪資單。",
        "attachments": [("payslip-2026-03.pdf", PDF, "application/pdf")],
        "enqueue": False,
    }
    return outbox_email(**{**fields, **extra})


def test_an_attachment_is_stored_through_the_storage_and_flagged():
    delivery = _mail()
    attachment = delivery.attachments.get()
    assert delivery.has_attachments is True
    assert attachment.filename == "payslip-2026-03.pdf"
    assert attachment.size == len(PDF)
    assert "payslip" not in attachment.file.name  # a random storage name
    assert default_storage.open(attachment.file.name).read() == PDF


def test_a_mail_without_attachments_is_not_flagged():
    delivery = outbox_email(to="a@example.gov.tw", subject="x", text="y", enqueue=False)
    assert delivery.has_attachments is False


def test_the_attachment_goes_out_with_the_mail():
    delivery = _mail()
    assert delivery_send(delivery_id=delivery.pk) is True
    [message] = mail.outbox
    [(name, content, content_type)] = message.attachments
    assert (name, content, content_type) == ("payslip-2026-03.pdf", PDF, "application/pdf")
    assert message.alternatives  # the HTML part is still there


def test_over_smtp_a_mail_with_an_attachment_takes_the_email_message_path(smtp_settings):
    sink = smtp_settings
    plain = outbox_email(to="b@example.gov.tw", subject="plain", text="t", enqueue=False)
    delivery = _mail()
    with mock.patch.object(
        outbox_module, "email_bytes", wraps=outbox_module.email_bytes
    ) as direct_writer:
        assert delivery_send(delivery_id=plain.pk) is True
        assert delivery_send(delivery_id=delivery.pk) is True
    assert [call.args[0].pk for call in direct_writer.call_args_list] == [plain.pk]
    sink.wait_for(2)
    received = next(m for m in sink.messages if m["Message-ID"] == delivery.message_id)
    [part] = list(received.iter_attachments())
    assert part.get_filename() == "payslip-2026-03.pdf"
    assert part.get_content() == PDF


def test_a_retry_keeps_the_attachment(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    delivery = _mail()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("down"),
    ):
        assert delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) is True
    [message] = mail.outbox
    assert message.attachments[0][1] == PDF


def test_retention_deletes_the_attachment_and_its_file(settings):
    settings.NOTIFICATIONS_DELIVERY_RETENTION_DAYS = 30
    delivery = _mail()
    name = delivery.attachments.get().file.name
    delivery_send(delivery_id=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(days=31))
    notices_purge()
    assert not Delivery.objects.filter(pk=delivery.pk).exists()
    assert not DeliveryAttachment.objects.exists()
    assert not default_storage.exists(name)


def test_erasing_a_source_deletes_its_attachments(owner):
    delivery = _mail(source=owner)
    name = delivery.attachments.get().file.name
    deliveries_erase(source=owner)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.CANCELLED
    assert delivery.has_attachments is False
    assert not DeliveryAttachment.objects.exists()
    assert not default_storage.exists(name)
