"""The citizen mailbox on the one outbox (issue 8 items 26 and 27): every mail and the hand-over
to registration survive a broker that is down; a citizen can have the confirmation link sent
again and a new query code mailed; the old outgoing-mail table moved into the outbox."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from notifications.choices import DeliveryState
from notifications.models import Delivery as Delivery_
from notifications.selectors import deliveries_for
from notifications.services import deliveries_relay
from petitions.choices import PetitionStatus
from petitions.models import Petition
from petitions.services import cases
from petitions.services.mail import mail_queue
from petitions.services.retention import petition_anonymise
from petitions.tasks import register_due
from tests.core.test_outage import own_redis  # noqa: F401 - the fixture
from tests.language_support import english
from tests.migration_support import migrate, migrate_to_latest

from .factories import CategoryFactory, PetitionFactory, county

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/petitions/confirm/[^/\s]+/)")
CODE = re.compile(r"(?:Query code|查詢碼)(?:: |：)(\w+)")


@pytest.fixture
def form_data():
    category = CategoryFactory(code="wages", name_zh="工資", name_en="Wages")

    def make(**overrides):
        return {
            "name": "林小姐",
            "email": "lin@example.com",
            "phone": "",
            "subject": "加班費未給付",
            "category": category.pk,
            "county": county().pk,
            "body": "我在某公司工作，雇主三個月未給付加班費，請協助。",
            "consent": "on",
            "website": "",
            **overrides,
        }

    return make


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def run(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return run


def confirmed_case(**fields) -> Petition:
    petition = PetitionFactory(**fields)
    assert petition.status != PetitionStatus.PENDING_CONFIRMATION and petition.case_number
    return petition


# --- Broker down: nothing is lost -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_the_mails_and_the_hand_over_wait_in_the_database(
    own_redis,  # noqa: F811 - the fixture imported above
    client,
    form_data,
):
    """Redis (broker and cache) is stopped before the citizen sends the form: the submission
    and the confirmation both succeed, their mails and the registration wait as rows, and the
    sweeps send and register everything once the worker runs them."""
    own_redis.stop()
    sent = client.post(reverse("petitions:submit"), form_data())
    assert sent.status_code == 302 and sent["Location"] == reverse("petitions:submitted")
    petition = Petition.objects.get()
    [confirmation] = deliveries_for(petition)
    assert confirmation.state == DeliveryState.PENDING and confirmation.sensitive
    assert mail.outbox == []

    link = LINK.search(confirmation.text).group(1)
    confirmed = client.post(link)
    assert confirmed.status_code == 200
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED and petition.case_number
    assert petition.document_id is None  # the registration task was never published
    assert deliveries_for(petition).filter(state=DeliveryState.PENDING).count() == 2

    # What the worker's periodic jobs do when the broker is back (run here directly).
    assert deliveries_relay()["sent"] == 2
    assert register_due() == 0  # within the grace period the published task may still run
    with freeze_time(timezone.now() + timedelta(minutes=5)):
        assert register_due() == 1
    petition.refresh_from_db()
    assert petition.document_id is not None
    assert register_due() == 0 and deliveries_relay()["sent"] == 0  # nothing twice

    assert [m.to for m in mail.outbox] == [["lin@example.com"], ["lin@example.com"]]
    assert CODE.search(mail.outbox[1].body)
    # Mails that carry a secret keep no text once sent.
    assert set(deliveries_for(petition).values_list("text", flat=True)) == {""}


# --- The confirmation link again ----------------------------------------------------------------


def test_the_confirmation_link_can_be_sent_again_and_replaces_the_first(post, client, form_data):
    post(reverse("petitions:submit"), form_data())
    first = LINK.search(mail.outbox[0].body).group(1)
    page = client.get(reverse("petitions:submitted"))
    assert 'action="/petitions/submitted/resend/"' in page.content.decode()

    response = post(reverse("petitions:confirmation_resend"), {"email": "LIN@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["lin@example.com"]
    second = LINK.search(mail.outbox[1].body).group(1)
    assert second != first
    follow = client.get(response["Location"])
    assert "LIN@example.com" in follow.content.decode()  # the neutral confirmation message

    assert post(first, {}).status_code == 400  # the old link no longer works
    assert post(second, {}).status_code == 200
    assert Petition.objects.get().status == PetitionStatus.RECEIVED


def test_asking_again_for_an_address_with_nothing_waiting_says_the_same_and_sends_nothing(
    post, client
):
    confirmed_case(citizen_email="lin@example.com")
    response = post(reverse("petitions:confirmation_resend"), {"email": "lin@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []
    assert "lin@example.com" in client.get(response["Location"]).content.decode()


def test_an_expired_link_can_be_renewed(post, form_data):
    post(reverse("petitions:submit"), form_data())
    Petition.objects.update(confirmation_expires_at=timezone.now() - timedelta(hours=1))
    expired = post(LINK.search(mail.outbox[0].body).group(1), {})
    assert expired.status_code == 400
    assert reverse("petitions:submitted") in expired.content.decode()
    post(reverse("petitions:confirmation_resend"), {"email": "lin@example.com"})
    assert post(LINK.search(mail.outbox[1].body).group(1), {}).status_code == 200


def test_resending_is_limited_per_address(post, client, settings, form_data):
    settings.PETITIONS_RESEND_PER_EMAIL = 2
    post(reverse("petitions:submit"), form_data())
    url = reverse("petitions:confirmation_resend")
    for _ in range(2):
        assert post(url, {"email": "lin@example.com"}).status_code == 302
    english(client)
    refused = post(url, {"email": "lin@example.com"})
    assert refused.status_code == 429
    assert "several times" in refused.content.decode()
    assert len(mail.outbox) == 3  # the first mail and two resends


def test_a_bad_address_is_a_field_error(post, client):
    english(client)
    response = post(reverse("petitions:confirmation_resend"), {"email": "<script>x</script>@"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<script>x" not in page and 'id="id_email"' in page and "aria-invalid" in page
    assert mail.outbox == []


# --- A new query code ---------------------------------------------------------------------------


def look_up(client, case_number: str, code: str) -> int:
    return client.post(
        reverse("petitions:progress"), {"case_number": case_number, "query_code": code}
    ).status_code


def test_a_new_query_code_goes_to_the_address_the_petition_came_from(post, client):
    petition = confirmed_case(citizen_email="lin@example.com")
    old_hash = petition.query_code_hash
    page = client.get(reverse("petitions:progress")).content.decode()
    assert reverse("petitions:query_code_resend") in page

    response = post(
        reverse("petitions:query_code_resend"),
        {"case_number": petition.case_number, "email": "Lin@Example.com"},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["lin@example.com"] and petition.case_number in message.subject
    code = CODE.search(message.body).group(1)
    petition.refresh_from_db()
    assert petition.query_code_hash != old_hash
    assert petition.notes.count() == 1  # staff see that the code was replaced
    assert look_up(client, petition.case_number, code) == 302
    [row] = deliveries_for(petition)
    assert row.sensitive and row.text == ""  # sent, so its code is gone


def test_a_wrong_address_or_number_sends_nothing_and_changes_nothing(post, client):
    petition = confirmed_case(citizen_email="lin@example.com")
    old_hash = petition.query_code_hash
    for data in (
        {"case_number": petition.case_number, "email": "someone@example.com"},
        {"case_number": "115-999999", "email": "lin@example.com"},
    ):
        response = post(reverse("petitions:query_code_resend"), data)
        assert response.status_code == 302
    assert mail.outbox == []
    petition.refresh_from_db()
    assert petition.query_code_hash == old_hash
    assert not petition.notes.exists()


def test_an_anonymised_case_gets_no_new_code(post):
    petition = confirmed_case(citizen_email="lin@example.com")
    Petition.objects.filter(pk=petition.pk).update(anonymised_at=timezone.now())
    post(
        reverse("petitions:query_code_resend"),
        {"case_number": petition.case_number, "email": "lin@example.com"},
    )
    assert mail.outbox == []


def test_new_codes_are_limited_per_case_number(post, settings):
    settings.PETITIONS_RESEND_PER_EMAIL = 1
    petition = confirmed_case(citizen_email="lin@example.com")
    url = reverse("petitions:query_code_resend")
    assert (
        post(url, {"case_number": petition.case_number, "email": "a@example.com"}).status_code
        == 302
    )
    refused = post(url, {"case_number": petition.case_number, "email": "lin@example.com"})
    assert refused.status_code == 429
    assert mail.outbox == []


def test_the_service_answers_whether_it_sent():
    petition = confirmed_case(citizen_email="lin@example.com")
    assert cases.query_code_resend(case_number=petition.case_number, email="x@example.com") is False
    assert cases.query_code_resend(case_number=petition.case_number, email="lin@example.com")


# --- Anonymising a case erases its mails --------------------------------------------------------


def test_anonymising_a_case_blanks_its_mails_and_cancels_what_waits(
    django_capture_on_commit_callbacks,
):
    petition = confirmed_case(citizen_email="lin@example.com", status=PetitionStatus.CLOSED)
    sent = mail_queue(
        to="lin@example.com", subject="s", body="私人內容", kind="reply", petition=petition
    )
    deliveries_relay()
    waiting = mail_queue(
        to="lin@example.com", subject="s2", body="b", kind="reply", petition=petition
    )
    assert petition_anonymise(petition_id=petition.pk, actor=None)
    sent.refresh_from_db()
    waiting.refresh_from_db()
    assert (sent.to, sent.text, sent.state) == ("", "", DeliveryState.SENT)
    assert (waiting.to, waiting.state) == ("", DeliveryState.CANCELLED)


# --- The old table moved into the outbox ---------------------------------------------------------

BEFORE = ("petitions", "0008_submission_key")
AFTER = ("petitions", "0009_outbound_mail_into_outbox")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outbound_mails_become_outbox_rows_and_back():
    old = migrate([BEFORE])
    Petition_ = old.get_model("petitions", "Petition")
    Outbound = old.get_model("petitions", "OutboundMail")
    case = Petition_.objects.create(
        source="email", status="received", citizen_name="林", citizen_email="lin@example.com",
        subject="s", body="b", case_number="115-000001", roc_year=115, serial=1,
    )  # fmt: skip
    Outbound.objects.create(
        petition=case, kind="reply", to="lin@example.com", subject="答復", body="內容",
        reply_to="petitions+1.x@mol.gov.tw", message_id="<a@mol.gov.tw>", state="sent",
        attempts=1, sent_at=timezone.now(),
    )  # fmt: skip
    Outbound.objects.create(
        petition=case, kind="received", to="lin@example.com", subject="收到", body="b",
        message_id="<b@mol.gov.tw>", state="failed", attempts=2, last_error="down",
    )  # fmt: skip
    Outbound.objects.create(
        petition=None, kind="reminder", to="staff@mol.gov.tw", subject="r", body="b",
        message_id="<c@mol.gov.tw>", state="bounced", bounce_reason="550",
    )  # fmt: skip

    new = migrate([AFTER])
    Delivery = new.get_model("notifications", "Delivery")
    rows = {d.message_id: d for d in Delivery.objects.filter(kind__startswith="petitions.")}
    assert set(rows) == {"<a@mol.gov.tw>", "<b@mol.gov.tw>", "<c@mol.gov.tw>"}
    reply = rows["<a@mol.gov.tw>"]
    assert (reply.kind, reply.state, reply.text, reply.reply_to, reply.source_id) == (
        "petitions.reply", "sent", "內容", "petitions+1.x@mol.gov.tw", str(case.pk),
    )  # fmt: skip
    assert reply.source_type.model == "petition" and reply.attempts == 1
    assert rows["<b@mol.gov.tw>"].state == "pending"  # still being retried: the relay sends it
    assert rows["<c@mol.gov.tw>"].state == "bounced" and rows["<c@mol.gov.tw>"].source_id == ""
    with pytest.raises(LookupError):
        new.get_model("petitions", "OutboundMail")

    back = migrate([BEFORE])
    restored = back.get_model("petitions", "OutboundMail").objects.get(message_id="<a@mol.gov.tw>")
    assert (restored.petition_id, restored.kind, restored.state) == (case.pk, "reply", "sent")
    assert not Delivery_.objects.filter(kind__startswith="petitions.").exists()
    migrate_to_latest()
