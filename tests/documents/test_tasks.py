"""The daily overdue reminders: a high-priority to-do notice per overdue step to its
signer(s) and their delegates of the day, mailed through the notifications outbox, once per
step and day."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from freezegun import freeze_time

from documents import services, tasks
from documents.models import SignOffReminder
from notifications.choices import DeliveryState, NoticeKind, NoticeState, Priority
from notifications.models import Delivery, Notice
from notifications.services import deliveries_relay

from .factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

OVERDUE = "documents.signoff_overdue"


def overdue_mails():
    """The reminder e-mails the outbox handed to the mail backend (not the step's earlier
    "for your sign-off" mail)."""
    ids = set(
        Delivery.objects.filter(kind=OVERDUE, channel="email").values_list("message_id", flat=True)
    )
    return [m for m in mail.outbox if m.extra_headers.get("Message-ID") in ids]


def reminders(user):
    return list(Notice.objects.filter(recipient=user, template=OVERDUE))


@pytest.fixture
def daily(django_capture_on_commit_callbacks):
    """Run the daily job; it enqueues each e-mail after commit, so run those callbacks too."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.send_overdue_reminders.delay().get()

    return run


@pytest.fixture
def overdue_step(start, signer_a):
    with freeze_time("2026-06-01 09:00:00+08:00"):
        document = DocumentFactory(subject="逾期案件", deadline=datetime.date(2026, 6, 5))
        chain = start(document, [(1, signer_a)])
    return chain.steps.get()


@freeze_time("2026-06-08 08:00:00+08:00")
def test_overdue_reminder_is_sent_once_a_day(daily, overdue_step, signer_a):
    assert daily() == 1
    [message] = overdue_mails()
    assert message.to == [signer_a.email]
    assert overdue_step.chain.document.number in message.subject
    assert overdue_step.chain.get_absolute_url() in message.body
    [notice] = reminders(signer_a)
    assert (notice.kind, notice.priority) == (NoticeKind.TODO, Priority.HIGH)
    assert notice.target == overdue_step
    assert notice.link == overdue_step.chain.get_absolute_url()
    assert Delivery.objects.get(kind=OVERDUE).state == DeliveryState.SENT
    # Running the job again the same day sends nothing new.
    assert daily() == 0
    assert len(overdue_mails()) == 1
    assert len(reminders(signer_a)) == 1
    reminder = SignOffReminder.objects.get()
    assert reminder.sent_at is not None and reminder.recipients == signer_a.username


def test_next_day_sends_again(daily, overdue_step):
    with freeze_time("2026-06-08 08:00:00+08:00"):
        daily()
    with freeze_time("2026-06-09 08:00:00+08:00"):
        daily()
    assert len(overdue_mails()) == 2


@freeze_time("2026-06-04 08:00:00+08:00")
def test_nothing_is_sent_before_the_deadline(daily, overdue_step):
    assert daily() == 0
    assert overdue_mails() == []
    assert not Notice.objects.filter(template=OVERDUE).exists()


@freeze_time("2026-06-08 08:00:00+08:00")
def test_delegate_gets_a_copy(daily, overdue_step, signer_a):
    stand_in = UserFactory(username="stand-in")
    services.delegation_create(
        delegator=signer_a,
        delegate=stand_in,
        start_date=datetime.date(2026, 6, 8),
        end_date=datetime.date(2026, 6, 9),
        reason="病假",
        created_by=signer_a,
    )
    daily()
    # One notice and one mail each (every person reads it in their own language).
    assert sorted(address for m in overdue_mails() for address in m.to) == sorted(
        [signer_a.email, stand_in.email]
    )
    assert len(reminders(signer_a)) == len(reminders(stand_in)) == 1


@freeze_time("2026-06-08 08:00:00+08:00")
def test_failed_mail_is_retried_by_the_outbox_and_sent_once(
    overdue_step, signer_a, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPConnectError(421, "service not available")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    [reminder_id] = services.signoff_reminders_prepare(day=datetime.date(2026, 6, 8))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.signoff_reminder_send(reminder_id=reminder_id) is True
    # The reminder is recorded (in the inbox at once); its mail waits in the outbox.
    assert SignOffReminder.objects.get().sent_at is not None
    delivery = Delivery.objects.get(kind=OVERDUE)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert "service not available" in delivery.last_error
    assert overdue_mails() == []
    # A retried task or a second worker sends nothing new.
    assert services.signoff_reminder_send(reminder_id=reminder_id) is False
    assert Delivery.objects.filter(kind=OVERDUE).count() == 1
    with freeze_time("2026-06-08 08:30:00+08:00"):  # past the backoff: the sweep sends it
        deliveries_relay()
    [message] = overdue_mails()
    assert message.to == [signer_a.email]
    assert Delivery.objects.get(kind=OVERDUE).state == DeliveryState.SENT
    assert len(reminders(signer_a)) == 1


@freeze_time("2026-06-08 08:00:00+08:00")
def test_approved_step_gets_no_reminder(overdue_step, signer_a):
    [reminder_id] = services.signoff_reminders_prepare(day=datetime.date(2026, 6, 8))
    services.signoff_approve(step=overdue_step, actor=signer_a)
    assert services.signoff_reminder_send(reminder_id=reminder_id) is False
    assert reminders(signer_a) == []
    assert overdue_mails() == []


@freeze_time("2026-06-08 08:00:00+08:00")
def test_the_reminder_closes_itself_when_the_step_is_approved(daily, overdue_step, signer_a):
    daily()
    [notice] = reminders(signer_a)
    assert notice.state == NoticeState.UNREAD
    services.signoff_approve(step=overdue_step, actor=signer_a)
    notice.refresh_from_db()
    assert notice.state == NoticeState.DONE
    assert not Notice.objects.filter(
        recipient=signer_a, state__in=[NoticeState.UNREAD, NoticeState.READ]
    ).exists()


@freeze_time("2026-06-08 08:00:00+08:00")
def test_a_signer_without_an_address_still_finds_it_in_the_inbox(daily, overdue_step, signer_a):
    signer_a.email = ""
    signer_a.save(update_fields=["email"])
    assert daily() == 1
    assert len(reminders(signer_a)) == 1
    assert overdue_mails() == []
    assert SignOffReminder.objects.get().sent_at is not None
