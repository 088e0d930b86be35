"""The payslip by e-mail: an AES-256 encrypted PDF that opens with the password typed for that
mail and not without; the password is kept nowhere."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditLogEntry
from notifications.models import Delivery
from notifications.services import deliveries_relay

pytestmark = pytest.mark.django_db

PASSWORD = "月薪-Secret-2026"


def _post(client, slip, password=PASSWORD, confirm=None):
    return client.post(
        reverse("portal:payslip_email", args=[slip.pk]),
        {"password": password, "confirm": password if confirm is None else confirm},
    )


def test_the_mail_carries_a_pdf_that_opens_with_the_password_only(client, imported, owner):
    slip = imported["owner"]
    client.force_login(owner)
    answer = _post(client, slip)
    assert answer.status_code == 302
    deliveries_relay()
    [message] = mail.outbox
    assert message.to == [owner.email]
    [(name, content, content_type)] = message.attachments
    assert (name, content_type) == ("payslip-2026-02.pdf", "application/pdf")
    reader = PdfReader(io.BytesIO(content))
    assert reader.is_encrypted
    assert reader.decrypt("wrong password") == 0
    reader = PdfReader(io.BytesIO(content))
    assert reader.decrypt(PASSWORD) != 0
    encrypt = reader.trailer["/Encrypt"].get_object()
    assert (encrypt["/V"], encrypt["/R"]) == (5, 6)  # AES-256
    assert "43200" in reader.pages[0].extract_text().replace(",", "")


def test_the_password_is_stored_nowhere(client, imported, owner):
    client.force_login(owner)
    _post(client, imported["owner"])
    delivery = Delivery.objects.get()
    assert PASSWORD not in f"{delivery.text}{delivery.html}{delivery.subject}{delivery.headers}"
    assert not AuditLogEntry.objects.filter(message__contains=PASSWORD).exists()
    assert not AuditLogEntry.objects.filter(changes__icontains=PASSWORD).exists()


def test_two_different_passwords_send_nothing(client, imported, owner):
    client.force_login(owner)
    answer = _post(client, imported["owner"], confirm="something-else")
    assert answer.status_code == 400
    assert "confirm" in answer.context["form"].errors
    assert PASSWORD not in answer.content.decode()
    assert not Delivery.objects.exists()


def test_a_short_password_is_refused(client, imported, owner):
    client.force_login(owner)
    answer = _post(client, imported["owner"], password="short")
    assert answer.status_code == 400
    assert "password" in answer.context["form"].errors
    assert not Delivery.objects.exists()
