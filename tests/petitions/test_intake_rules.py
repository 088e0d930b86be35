"""Parsing, forwarding formats, reply matching, bounces, the unmatched queue, .eml folder."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from freezegun import freeze_time

from notifications.choices import DeliveryState
from notifications.selectors import deliveries_for
from notifications.services import deliveries_relay
from petitions import roles
from petitions.choices import PetitionSource
from petitions.models import InboundMessage, InboundState, Petition
from petitions.services import intake, mail

from . import mail_samples as mails
from .factories import grant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages stored on cases are written in the active language; these tests read English."""
    with translation.override("en"):
        yield


def test_html_is_converted_to_text_without_scripts():
    parsed = intake.parse_message(mails.html_only())
    assert "第一段 & 更多" in parsed.body
    assert "第二段" in parsed.body
    assert "steal" not in parsed.body and "<" not in parsed.body


def test_president_mailbox_is_detected_by_sender_domain_and_citizen_taken_from_the_body():
    outcome = intake.process_raw(mails.president_forward())
    petition = Petition.objects.get(pk=outcome.petition_id)
    assert petition.source == PetitionSource.PRESIDENT_MAILBOX
    assert petition.citizen_name == "林大同"
    assert petition.citizen_email == "lin.datong@example.net"


def test_premier_mailbox_is_detected_by_a_body_marker():
    outcome = intake.process_raw(mails.premier_forward())
    petition = Petition.objects.get(pk=outcome.petition_id)
    assert petition.source == PetitionSource.PREMIER_MAILBOX
    assert petition.citizen_email == "zhang@example.org"


def test_explicit_header_marks_the_source():
    raw = mails.plain(headers={"X-Petition-Source": "premier"})
    assert intake.parse_message(raw).source == PetitionSource.PREMIER_MAILBOX


def test_message_without_message_id_is_keyed_by_a_hash_of_its_bytes():
    raw = mails.plain(message_id=None)
    first = intake.process_raw(raw)
    second = intake.process_raw(raw)
    assert first.created and not second.created
    assert InboundMessage.objects.get().message_id.startswith("sha256:")


def test_citizen_reply_to_the_plus_address_is_attached_to_its_case():
    case = Petition.objects.get(pk=intake.process_raw(mails.plain()).petition_id)
    address = mail.reply_address(case)
    assert address.startswith("petitions+") and address.endswith("@mol.gov.tw")
    outcome = intake.process_raw(
        mails.plain(subject="Re: 加班費問題", body="補充資料", to=address, message_id="<r@x>")
    )
    assert outcome.state == InboundState.REPLY_ATTACHED and outcome.petition_id == case.pk
    assert Petition.objects.count() == 1


def test_reply_matched_by_in_reply_to_of_our_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = Petition.objects.get(pk=intake.process_raw(mails.plain()).petition_id)
    sent = deliveries_for(case).get()
    outcome = intake.process_raw(
        mails.plain(subject="Re: x", message_id="<r2@x>", headers={"In-Reply-To": sent.message_id})
    )
    assert outcome.petition_id == case.pk


def test_forged_plus_token_goes_to_the_manual_queue():
    outcome = intake.process_raw(
        mails.plain(to="petitions+999.forged@mol.gov.tw", message_id="<forged@x>")
    )
    assert outcome.state == InboundState.UNMATCHED
    assert Petition.objects.count() == 0


def test_unmatched_reply_can_be_assigned_by_hand(staff_user):
    case = Petition.objects.get(pk=intake.process_raw(mails.plain()).petition_id)
    intake.process_raw(mails.plain(subject="Re: 舊案", message_id="<orphan@x>"))
    inbound = InboundMessage.objects.get(message_id="<orphan@x>")
    assert inbound.state == InboundState.UNMATCHED
    with pytest.raises(PermissionDenied):
        intake.inbound_assign(inbound=inbound, petition=case, actor=staff_user)
    grant(staff_user, roles.DISPATCHER)
    grant(staff_user, roles.VIEWER)
    intake.inbound_assign(inbound=inbound, petition=case, actor=staff_user)
    inbound.refresh_from_db()
    assert inbound.state == InboundState.ASSIGNED and inbound.petition == case


def test_bounce_is_recorded_on_the_case(settings, django_capture_on_commit_callbacks):
    settings.PETITIONS_BOUNCE_ADDRESS = "bounces@mol.gov.tw"
    with django_capture_on_commit_callbacks(execute=True):
        case = Petition.objects.get(pk=intake.process_raw(mails.plain()).petition_id)
    sent = deliveries_for(case).get()
    outcome = intake.process_raw(mails.bounce(original_message_id=sent.message_id))
    assert outcome.state == InboundState.BOUNCE
    sent.refresh_from_db()
    assert sent.state == DeliveryState.BOUNCED and "550" in sent.bounce_reason
    assert case.notes.filter(text__contains="bounced").exists()


def test_eml_folder_import_moves_files_and_never_duplicates(tmp_path):
    (tmp_path / "a.eml").write_bytes(mails.plain(message_id="<f1@x>"))
    (tmp_path / "b.eml").write_bytes(mails.big5_with_attachment())
    result = intake.import_folder(folder=tmp_path)
    assert result.created == 2
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == ["a.eml", "b.eml"]
    (tmp_path / "again.eml").write_bytes(mails.plain(message_id="<f1@x>"))
    assert intake.import_folder(folder=tmp_path).created == 0
    assert Petition.objects.count() == 2


def test_a_case_mail_that_fails_stays_in_the_outbox_and_is_sent_once_later(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.petitions.test_intake_rules.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        case = Petition.objects.get(pk=intake.process_raw(mails.plain()).petition_id)
    queued = deliveries_for(case).get()
    assert queued.kind == "petitions.received" and queued.reply_to == mail.reply_address(case)
    assert queued.state == DeliveryState.PENDING and queued.attempts == 1
    assert "SMTP server down" in queued.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliveries_relay()["sent"] == 0  # backing off: not due yet
    with freeze_time(timezone.now() + timedelta(hours=1)):
        assert deliveries_relay()["sent"] == 1
        assert deliveries_relay()["sent"] == 0  # sent once
    queued.refresh_from_db()
    assert queued.state == DeliveryState.SENT
    assert len(mailoutbox) == 1 and mailoutbox[0].extra_headers["Message-ID"] == queued.message_id


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionError("SMTP server down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SMTP server down")


@pytest.mark.parametrize("subject", ["Re: 舊案", "回覆：舊案", "答覆: 舊案", "答復：舊案", "AW: x"])
def test_a_reply_looking_subject_without_a_match_goes_to_the_queue(subject):
    outcome = intake.process_raw(
        mails.plain(subject=subject, message_id=f"<q{subject.encode().hex()}@x>")
    )
    assert outcome.state == InboundState.UNMATCHED and not Petition.objects.exists()
