"""The public form: submission, confirmation, abuse rules, attachments."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.dates import add_working_days
from core.models import Organization, Sequence
from documents.choices import DocumentCategory
from documents.models import Document
from petitions.choices import PetitionStatus
from petitions.models import Attachment, BlockRule, Petition, RoutingRule

from .factories import CategoryFactory, PetitionFactory, county

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 64

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return CategoryFactory(code="wages", name_zh="工資", name_en="Wages")


@pytest.fixture
def form_data(category):
    def make(**overrides):
        data = {
            "name": "林小姐",
            "email": "lin@example.com",
            "phone": "",
            "subject": "加班費未給付",
            "category": category.pk,
            "county": county().pk,
            "body": "我在某公司工作，雇主三個月未給付加班費，請協助。",
            "consent": "on",
            "website": "",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def run(data, url=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url or reverse("petitions:submit"), data, **extra)

    return run


def confirmation_link(message) -> str:
    return re.search(r"http://testserver(/petitions/confirm/[^/\s]+/)", message.body).group(1)


def test_submission_waits_for_confirmation_and_mails_a_link(post, form_data):
    response = post(form_data())
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.status == PetitionStatus.PENDING_CONFIRMATION
    assert petition.case_number is None
    assert len(mail.outbox) == 1
    link = confirmation_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in petition.confirmation_token_hash  # stored hashed
    assert len(petition.confirmation_token_hash) == 64


def test_confirmation_numbers_the_case_and_mails_the_query_code(client, post, form_data):
    post(form_data())
    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # GET only shows the button
    assert Petition.objects.get().status == PetitionStatus.PENDING_CONFIRMATION
    response = post({}, url=link)
    petition = Petition.objects.get()
    assert petition.status == PetitionStatus.RECEIVED
    assert re.fullmatch(r"\d{3}-\d{6}", petition.case_number)
    assert petition.case_number in response.content.decode()
    code = re.search(r"(?:Query code|查詢碼)(?:: |：)(\w+)", mail.outbox[1].body).group(1)
    assert code not in petition.query_code_hash
    assert petition.events.filter(status=PetitionStatus.RECEIVED).count() == 1


def test_double_submit_of_the_confirmation_numbers_once(post, form_data):
    post(form_data())
    link = confirmation_link(mail.outbox[0])
    post({}, url=link)
    second = post({}, url=link)
    assert second.status_code == 200
    petition = Petition.objects.get()
    assert Sequence.objects.get(scope="petitions:case").last_value == 1
    assert petition.case_number in second.content.decode()
    assert len(mail.outbox) == 2  # no second case-number mail


def test_expired_confirmation_link_is_refused(post, form_data):
    post(form_data())
    Petition.objects.update(confirmation_expires_at=timezone.now() - timedelta(minutes=1))
    response = post({}, url=confirmation_link(mail.outbox[0]))
    assert response.status_code == 400
    assert Petition.objects.get().case_number is None
    assert "24" in response.content.decode()


def test_unknown_confirmation_link_is_refused(post):
    response = post({}, url="/petitions/confirm/not-a-token/")
    assert response.status_code == 400


def test_honeypot_refuses_and_saves_nothing(post, form_data):
    response = post(form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert Petition.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "value", "overrides"),
    [
        ("domain", "spam.example", {"email": "x@mail.spam.example"}),
        ("email", "bad@example.com", {"email": "Bad@example.com"}),
        ("ip", "10.9.0.0/16", {}),
    ],
)
def test_block_rules_refuse(post, form_data, kind, value, overrides):
    BlockRule.objects.create(kind=kind, value=value)
    response = post(form_data(**overrides), REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 400
    assert "not accepted" in response.content.decode() or "不受理" in response.content.decode()
    assert Petition.objects.count() == 0


def test_inactive_block_rule_does_not_refuse(post, form_data):
    BlockRule.objects.create(kind="domain", value="example.com", active=False)
    assert post(form_data()).status_code == 302


def test_rate_limit_per_email(post, form_data, settings):
    settings.PETITIONS_RATE_PER_EMAIL = 2
    for n in range(2):
        assert (
            post(form_data(subject=f"題目{n}", body=f"完全不同的內容{n}" * (n + 3))).status_code
            == 302
        )
    response = post(form_data(subject="第三", body="另一個完全不同的主題，關於職災"))
    assert response.status_code == 400
    assert Petition.objects.count() == 2


def test_rate_limit_per_ip(post, form_data, settings):
    settings.PETITIONS_RATE_PER_IP = 1
    assert post(form_data(email="a@example.com")).status_code == 302
    response = post(form_data(email="b@example.com", body="不同的人不同的內容，關於育嬰假"))
    assert response.status_code == 400
    assert Petition.objects.count() == 1


def test_rate_limit_can_be_switched_off(post, form_data, settings):
    settings.PETITIONS_RATE_PER_IP = 1
    settings.PETITIONS_RATE_LIMIT_ENABLED = False
    assert post(form_data(email="a@example.com")).status_code == 302
    assert post(form_data(email="b@example.com", body="另一位民眾的其他問題")).status_code == 302


def test_near_duplicate_from_the_same_sender_is_refused(post, form_data):
    assert post(form_data()).status_code == 302
    response = post(form_data(body="我在某公司工作，雇主三個月未給付加班費，請協助!!"))
    assert response.status_code == 400
    assert Petition.objects.count() == 1


def test_same_text_from_another_sender_is_accepted(post, form_data):
    assert post(form_data()).status_code == 302
    assert post(form_data(email="other@example.com")).status_code == 302


def test_duplicate_message_names_the_confirmed_case(post, form_data, category):
    existing = PetitionFactory(
        citizen_email="lin@example.com",
        subject="加班費未給付",
        body="我在某公司工作，雇主三個月未給付加班費，請協助。",
        category=category,
    )
    response = post(form_data())
    assert existing.case_number in response.content.decode()


def test_missing_consent_names_the_field(post, form_data):
    data = form_data()
    del data["consent"]
    response = post(data)
    assert response.status_code == 400
    assert 'id="id_consent_error"' in response.content.decode()
    assert Petition.objects.count() == 0


def test_image_and_pdf_attachments_are_kept(post, form_data):
    files = [
        SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        SimpleUploadedFile("pay.pdf", PDF, content_type="application/pdf"),
    ]
    assert post(form_data(attachments=files)).status_code == 302
    kinds = sorted(Attachment.objects.values_list("content_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.pdf", EXE), ("photo.png", PDF), ("note.txt", b"hello"), ("x.pdf", b"")],
)
def test_upload_with_a_lying_extension_is_refused(post, form_data, name, content):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = post(form_data(attachments=[upload]))
    assert response.status_code == 400
    assert 'id="id_attachments_error"' in response.content.decode()
    assert Petition.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_office_documents_are_not_accepted_from_the_public(post, form_data):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    upload = SimpleUploadedFile("letter.docx", buffer.getvalue())
    assert post(form_data(attachments=[upload])).status_code == 400


def test_more_than_three_attachments_are_refused(post, form_data):
    files = [SimpleUploadedFile(f"p{n}.png", PNG) for n in range(4)]
    assert post(form_data(attachments=files)).status_code == 400
    assert Petition.objects.count() == 0


def test_too_large_attachment_is_refused(post, form_data, settings):
    settings.PETITIONS_MAX_ATTACHMENT_BYTES = 1024
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048)
    assert post(form_data(attachments=[upload])).status_code == 400


def test_form_page_links_the_privacy_notice(client):
    html = client.get(reverse("petitions:submit")).content.decode()
    assert 'href="/public/privacy/"' in html
    assert 'aria-hidden="true"' in html  # the honeypot is hidden from assistive technology


def test_confirmation_hands_the_case_to_registration_in_documents(post, form_data, category):
    """After the citizen confirms, the case is registered as an incoming document of the unit
    its category routes to, with the deadline in working days from the confirmation date."""
    bureau = Organization.objects.get(code="BLI")
    RoutingRule.objects.create(category=category, unit=bureau, working_days=10)
    post(form_data())
    link = confirmation_link(mail.outbox[0])
    post({}, url=link)
    petition = Petition.objects.select_related("document").get()
    document = petition.document
    assert document is not None and document.source == petition
    assert (document.external_system, document.external_id) == ("petitions", str(petition.pk))
    assert document.category == DocumentCategory.INCOMING
    assert document.unit == bureau and petition.handling_unit == bureau
    assert petition.case_number in document.subject and petition.subject in document.subject
    expected = add_working_days(timezone.localdate(petition.confirmed_at), 10)
    assert petition.deadline == expected and document.deadline == expected

    post({}, url=link)  # the link used again registers nothing more
    assert Document.objects.filter(external_system="petitions").count() == 1
    assert Petition.objects.get().document_id == document.pk


def test_an_unconfirmed_submission_is_not_registered(post, form_data):
    post(form_data())
    petition = Petition.objects.get()
    assert petition.document_id is None and petition.handling_unit_id is None
    assert not Document.objects.filter(external_system="petitions").exists()
