"""Quiet hours (frozen time, Asia/Taipei): e-mail and SMS held until they end, alerts never
held, a to-do done at night sends nothing; channel preferences; the daily digest."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from freezegun import freeze_time

from notifications.choices import Channel, DeliveryState, NoticeKind
from notifications.models import Delivery, Notice, Preference
from notifications.services import deliveries_relay, digests_send, notice_resolve, notify
from notifications.services.preferences import hold_until, preference_for
from tests.accounts.factories import unit

pytestmark = pytest.mark.django_db
TAIPEI = ZoneInfo("Asia/Taipei")


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TAIPEI)


@pytest.fixture(autouse=True)
def _console_sms(settings, tmp_path):
    settings.NOTIFICATIONS_SMS_BACKEND = "notifications.sms.file.FileGateway"
    settings.NOTIFICATIONS_SMS_FILE = str(tmp_path / "sms.jsonl")
    settings.NOTIFICATIONS_QUIET_START = "22:00"
    settings.NOTIFICATIONS_QUIET_END = "07:00"


def test_the_window_wraps_midnight(owner):
    pref = preference_for(owner)
    assert hold_until(pref, NoticeKind.TODO, at(21, 59)) is None
    assert hold_until(pref, NoticeKind.TODO, at(22, 0)) == at(7, 0, day=3)
    assert hold_until(pref, NoticeKind.TODO, at(3, 15)) == at(7, 0)
    assert hold_until(pref, NoticeKind.TODO, at(7, 0)) is None
    assert hold_until(pref, NoticeKind.ALERT, at(23, 0)) is None


def test_a_daytime_window(owner):
    Preference.objects.create(user=owner, quiet_start=time(12, 0), quiet_end=time(13, 30))
    pref = preference_for(owner)
    assert hold_until(pref, NoticeKind.INFORMATION, at(12, 10)) == at(13, 30)
    assert hold_until(pref, NoticeKind.INFORMATION, at(23, 0)) is None


def test_mail_at_night_waits_until_morning_and_alerts_do_not(
    owner, django_capture_on_commit_callbacks
):
    owner.mobile = "0912345678"
    owner.save()
    with freeze_time(at(23, 30)):
        with django_capture_on_commit_callbacks(execute=True):
            [todo] = notify(recipients=[owner], kind=NoticeKind.TODO, title="請核稿")
            [alert] = notify(recipients=[owner], kind=NoticeKind.ALERT, title="系統故障")
        assert [m.subject for m in mail.outbox] == ["系統故障"]
        held = Delivery.objects.get(notice=todo)
        assert held.state == DeliveryState.PENDING and held.due_at == at(7, 0, day=3)
        sms = Delivery.objects.get(notice=alert, channel=Channel.SMS)
        assert sms.state == DeliveryState.SENT
        assert deliveries_relay()["due"] == 0
        assert Notice.objects.get(pk=todo.pk).state == "unread"  # the inbox has it at once
    with freeze_time(at(6, 59, day=3)):
        assert deliveries_relay()["due"] == 0
    with freeze_time(at(7, 1, day=3)):
        assert deliveries_relay()["sent"] == 1
    assert [m.subject for m in mail.outbox] == ["系統故障", "請核稿"]


def test_a_todo_done_during_the_night_sends_nothing(owner):
    with freeze_time(at(23, 0)):
        [todo] = notify(recipients=[owner], kind=NoticeKind.TODO, title="請核稿", obj=unit("BLI"))
        notice_resolve(obj=unit("BLI"))
    with freeze_time(at(8, 0, day=3)):
        deliveries_relay()
    assert Delivery.objects.get(notice=todo).state == DeliveryState.CANCELLED
    assert mail.outbox == []


def test_quiet_hours_can_be_switched_off(owner, django_capture_on_commit_callbacks):
    Preference.objects.create(user=owner, quiet_hours=False)
    with freeze_time(at(23, 30)), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[owner], kind=NoticeKind.TODO, title="now")
    assert len(mail.outbox) == 1


def test_channels_by_kind(owner, colleague, django_capture_on_commit_callbacks):
    owner.mobile = colleague.mobile = "0912345678"
    owner.save()
    colleague.save()
    Preference.objects.create(user=colleague, channels={"todo": ["sms"], "information": []})
    with freeze_time(at(10, 0)), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[owner, colleague], kind=NoticeKind.TODO, title="t")
        notify(recipients=[owner, colleague], kind=NoticeKind.INFORMATION, title="i")
        notify(recipients=[colleague], kind=NoticeKind.ALERT, title="a")  # every channel
    channels = sorted(
        Delivery.objects.values_list("notice__recipient__username", "notice__kind", "channel")
    )
    assert channels == [
        ("colleague", "alert", "email"),
        ("colleague", "alert", "sms"),
        ("colleague", "todo", "sms"),
        ("owner", "information", "email"),
        ("owner", "todo", "email"),
    ]


def test_the_daily_digest(owner, colleague, django_capture_on_commit_callbacks):
    Preference.objects.create(user=owner, daily_digest=True, language="en")
    with freeze_time(at(10, 0)), django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[owner, colleague],
            kind=NoticeKind.INFORMATION,
            title="Menu of the week",
            link="/x/",
        )
        notify(recipients=[owner], kind=NoticeKind.INFORMATION, title="New parking rules")
        notify(
            recipients=[owner], kind=NoticeKind.TODO, title="Sign this"
        )  # to-dos are not digested
    assert sorted(m.to[0] for m in mail.outbox) == sorted([colleague.email, owner.email])
    assert [m.subject for m in mail.outbox if m.to == [owner.email]] == ["Sign this"]
    mail.outbox.clear()
    with freeze_time(at(8, 0, day=3)), django_capture_on_commit_callbacks(execute=True):
        assert digests_send() == 1
        assert digests_send() == 0  # nothing waits any more
    [digest] = mail.outbox
    assert digest.to == [owner.email]
    assert "(2)" in digest.subject
    assert "Menu of the week" in digest.body and "New parking rules" in digest.body
    assert digest.alternatives[0][1] == "text/html"
