import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from freezegun import freeze_time

from documents import services, tasks
from documents.models import SignOffReminder

from .factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


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
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [signer_a.email]
    assert overdue_step.chain.document.number in message.subject
    # Running the job again the same day sends nothing new.
    assert daily() == 0
    assert len(mail.outbox) == 1
    assert SignOffReminder.objects.get().sent_at is not None


def test_next_day_sends_again(daily, overdue_step):
    with freeze_time("2026-06-08 08:00:00+08:00"):
        daily()
    with freeze_time("2026-06-09 08:00:00+08:00"):
        daily()
    assert len(mail.outbox) == 2


@freeze_time("2026-06-04 08:00:00+08:00")
def test_nothing_is_sent_before_the_deadline(daily, overdue_step):
    assert daily() == 0
    assert mail.outbox == []


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
    assert sorted(mail.outbox[0].to) == sorted([signer_a.email, stand_in.email])


@freeze_time("2026-06-08 08:00:00+08:00")
def test_failed_mail_is_retried_and_then_sent_once(overdue_step, monkeypatch):
    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    [reminder_id] = services.signoff_reminders_prepare(day=datetime.date(2026, 6, 8))
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.signoff_reminder_send(reminder_id=reminder_id)
    assert SignOffReminder.objects.get().sent_at is None
    assert services.signoff_reminder_send(reminder_id=reminder_id) is True
    assert services.signoff_reminder_send(reminder_id=reminder_id) is False
    assert len(mail.outbox) == 1


@freeze_time("2026-06-08 08:00:00+08:00")
def test_approved_step_gets_no_reminder(overdue_step, signer_a):
    [reminder_id] = services.signoff_reminders_prepare(day=datetime.date(2026, 6, 8))
    services.signoff_approve(step=overdue_step, actor=signer_a)
    assert services.signoff_reminder_send(reminder_id=reminder_id) is False
    assert mail.outbox == []
