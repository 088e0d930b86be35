"""core.alerts.admin_alert: the port through which core and accounts (which may not import
notifications) alert the administrators. The notifications receiver gives every active
superuser an alert notice and mails each ADMINS address that is no active superuser's, in the
caller's transaction; without a receiver, or when one fails, the alert is logged as an error."""

import logging

import pytest
from django.core import mail
from django.db import transaction
from django.dispatch import Signal
from freezegun import freeze_time

from core import alerts
from core.alerts import admin_alert, alert_text, in_each_language
from notifications.choices import Channel, DeliveryState, NoticeKind, Priority
from notifications.models import Delivery, Notice, Preference

pytestmark = pytest.mark.django_db

BILINGUAL_SUBJECT = {"zh-hant": "目錄無法連線", "en": "Directory cannot be reached"}


@pytest.fixture
def admins(settings, make_user):
    settings.ADMINS = [
        ("Ops", "ops@mol.gov.tw"),
        ("Root again", "ROOT@example.gov.tw"),  # the superuser's own address, other case
        ("Ops twice", "ops@mol.gov.tw"),
        ("Former admin", "gone@example.gov.tw"),  # an inactive superuser's address
    ]
    settings.EMAIL_SUBJECT_PREFIX = "[MOL] "
    return {
        "root": make_user(
            username="root", is_superuser=True, email="root@example.gov.tw", mobile="0912345678"
        ),
        "english_root": make_user(
            username="eroot", is_superuser=True, email="eroot@example.gov.tw"
        ),
        "gone": make_user(
            username="gone", is_superuser=True, is_active=False, email="gone@example.gov.tw"
        ),
        "staff": make_user(username="staff", is_staff=True, email="staff@example.gov.tw"),
    }


def raise_alert(**overrides):
    fields = {
        "key": "accounts.ldap_directory_down",
        "subject": BILINGUAL_SUBJECT,
        "body": {"zh-hant": "勞動力發展署目錄無回應。", "en": "The WDA directory does not answer."},
        "source": "accounts",
        "link": "/admin/accounts/directorysyncstate/1/change/",
    }
    return admin_alert(**{**fields, **overrides})


def test_active_superusers_get_an_alert_notice_in_their_language(admins):
    Preference.objects.create(user=admins["english_root"], language="en")
    assert raise_alert() is True
    notices = {n.recipient.username: n for n in Notice.objects.all()}
    assert set(notices) == {"root", "eroot"}  # not the inactive superuser, not plain staff
    root = notices["root"]
    assert (root.kind, root.priority, root.source) == (NoticeKind.ALERT, Priority.HIGH, "accounts")
    assert root.title == "目錄無法連線" and root.body == "勞動力發展署目錄無回應。"
    assert root.link == "/admin/accounts/directorysyncstate/1/change/"
    assert notices["eroot"].title == "Directory cannot be reached"


def test_admins_addresses_of_no_active_superuser_are_mailed_once_after_commit(
    admins, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SITE_URL = "https://portal.example.gov.tw"
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert()
    by_address = {}
    for message in mail.outbox:
        for address in message.to:
            by_address.setdefault(address, []).append(message)
    # Each superuser through their notice, ops and the former admin's address as plain mail.
    assert sorted(by_address) == [
        "eroot@example.gov.tw",
        "gone@example.gov.tw",
        "ops@mol.gov.tw",
        "root@example.gov.tw",
    ]
    assert all(len(messages) == 1 for messages in by_address.values())
    [ops] = by_address["ops@mol.gov.tw"]
    assert ops.subject == "[MOL] 目錄無法連線"  # the portal's language
    assert "勞動力發展署目錄無回應。" in ops.body
    assert "https://portal.example.gov.tw/admin/accounts/directorysyncstate/1/change/" in ops.body
    plain = Delivery.objects.get(to="ops@mol.gov.tw")
    assert (plain.kind, plain.state, plain.notice) == (
        "accounts.ldap_directory_down",
        DeliveryState.SENT,
        None,
    )


def test_without_the_notifications_site_url_the_link_is_on_the_site_url(
    admins, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_SITE_URL = ""
    settings.SITE_URL = "https://intranet.mol.example"
    with django_capture_on_commit_callbacks(execute=True):
        raise_alert()
    [ops] = [m for m in mail.outbox if m.to == ["ops@mol.gov.tw"]]
    assert "https://intranet.mol.example/admin/accounts/directorysyncstate/1/change/" in ops.body


def test_an_alert_also_goes_by_sms_and_is_never_held_by_quiet_hours(admins, settings):
    settings.NOTIFICATIONS_QUIET_START, settings.NOTIFICATIONS_QUIET_END = "22:00", "07:00"
    with freeze_time("2026-06-08 23:30:00+08:00"):
        raise_alert()
        rows = Delivery.objects.filter(notice__recipient=admins["root"])
        assert {r.channel for r in rows} == {Channel.EMAIL, Channel.SMS}
        assert all(r.due_at <= r.created_at for r in rows)


def test_the_alert_belongs_to_the_callers_transaction(admins, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            raise_alert()
            raise RuntimeError("the caller's change failed")
    assert not Notice.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_without_a_receiver_the_alert_is_logged_as_an_error(monkeypatch, caplog, admins):
    monkeypatch.setattr(alerts, "admin_alert_requested", Signal())
    with caplog.at_level(logging.ERROR, logger="core.alerts"):
        assert raise_alert(body="整段內文") is False
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "no receiver connected" in record.getMessage()
    assert "目錄無法連線" in record.getMessage() and "整段內文" in record.getMessage()
    assert not Notice.objects.exists()


def test_a_failing_receiver_is_logged_and_the_others_still_deliver(monkeypatch, caplog, admins):
    def broken(sender, **kwargs):
        raise RuntimeError("receiver bug")

    alerts.admin_alert_requested.connect(broken, dispatch_uid="tests.broken")
    try:
        with caplog.at_level(logging.ERROR, logger="core.alerts"):
            assert raise_alert() is False
    finally:
        alerts.admin_alert_requested.disconnect(dispatch_uid="tests.broken")
    assert any("receiver bug" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert Notice.objects.filter(recipient=admins["root"]).exists()


def test_nobody_to_tell_is_logged(settings, caplog, make_user):
    settings.ADMINS = []
    make_user(username="plain")
    with caplog.at_level(logging.ERROR, logger="notifications.receivers"):
        assert raise_alert(subject="HR sync refused") is True
    assert any("reached nobody" in r.getMessage() for r in caplog.records)
    assert not Notice.objects.exists()


def test_texts_in_each_language():
    from django.utils.translation import gettext  # noqa: PLC0415

    texts = in_each_language(lambda: gettext("Subject"))
    assert set(texts) == {"zh-hant", "en"}
    assert texts["en"] == "Subject" and texts["zh-hant"] == "主旨"
    assert alert_text(texts) == "主旨"
    assert alert_text(texts, "en") == "Subject"
    assert alert_text("plain", "en") == "plain"
