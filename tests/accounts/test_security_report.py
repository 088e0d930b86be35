"""The security checklist: each check's verdict from the settings and the database, the
auditors' JSON, the command's exit code and the administrators' page."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.models import RoleAssignment
from accounts.security_report import FAIL, PASS, WARN, security_report
from core.models import BackupRecord

from .factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The findings' texts are read in English whatever language an earlier test left on."""
    with translation.override("en"):
        yield


NOW = "2026-12-02 03:00:00+00:00"
GOOD_KEY = "Qx7-" + "v3Lr9aZp0WmK2sTe8YbN4cHd6JgF1uIo5" * 2


@pytest.fixture
def hardened(settings):
    """A deployment as the README's production settings make it."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECRET_KEY = GOOD_KEY
    settings.ALLOWED_HOSTS = ["portal.mol.gov.tw"]
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.BEHIND_PROXY = True
    settings.MFA_REQUIRED_FOR_STAFF = True
    settings.MFA_REQUIRED_FOR_ALL = False
    settings.SESSION_COOKIE_AGE = 8 * 3600
    settings.SESSION_IDLE_TIMEOUT = 1800
    return settings


def _backups(backup_age=timedelta(hours=3), drill_age=timedelta(days=2)):
    now = timezone.now()
    BackupRecord.objects.create(kind=BackupRecord.Kind.BACKUP, ok=True, at=now - backup_age)
    BackupRecord.objects.create(kind=BackupRecord.Kind.DRILL, ok=True, at=now - drill_age)


def _by_code(report):
    return {f.code: f for f in report.findings}


@freeze_time(NOW)
def test_a_hardened_deployment_passes_every_check(hardened):
    _backups()
    report = security_report()
    assert {f.code: f.status for f in report.findings if f.status != PASS} == {}
    assert report.ok and report.summary[PASS] == len(report.findings) == 13


@freeze_time(NOW)
def test_each_weakness_is_found(hardened, make_user):
    _backups(backup_age=timedelta(hours=30), drill_age=timedelta(days=40))
    hardened.DEBUG = True
    hardened.SESSION_COOKIE_SECURE = False
    hardened.SECURE_HSTS_SECONDS = 3600
    hardened.SECRET_KEY = "django-insecure-" + "a" * 40
    hardened.ALLOWED_HOSTS = ["*"]
    hardened.TRUSTED_PROXIES = ["0.0.0.0/0"]
    hardened.SESSION_IDLE_TIMEOUT = 8 * 3600
    hardened.AXES_FAILURE_LIMIT = 50
    make_user(username="admin-without-totp", is_staff=True)
    report = _by_code(security_report())
    assert report["debug"].status == FAIL
    assert report["https"].status == FAIL and "SESSION_COOKIE_SECURE" in report["https"].value
    assert report["hsts"].status == WARN
    assert report["secret_key"].status == FAIL
    assert report["allowed_hosts"].status == FAIL
    assert report["trusted_proxies"].status == FAIL
    assert report["trusted_proxies"].value == "0.0.0.0/0"
    assert report["sessions"].status == WARN
    assert report["lockout"].status == WARN
    assert report["second_factor"].status == WARN and "1" in report["second_factor"].value
    assert report["backup"].status == FAIL  # 30 hours old: the daily job did not run
    assert report["restore_drill"].status == FAIL  # none this month


@freeze_time(NOW)
def test_who_lacks_a_second_factor_follows_the_policy(hardened, make_user):
    _backups()
    staff = make_user(username="staff-admin", is_staff=True)
    holder = make_user(username="sensitive-holder")
    RoleAssignment.objects.create(user=holder, role=RoleFactory(is_sensitive=True))
    make_user(username="plain")  # the policy does not ask a plain user
    make_user(username="gone", is_staff=True, is_active=False)
    assert "2 of them" in _by_code(security_report())["second_factor"].value
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    finding = _by_code(security_report())["second_factor"]
    assert finding.status == WARN and "1 of them" in finding.value
    TOTPDevice.objects.create(user=holder, name="phone", confirmed=True)
    assert _by_code(security_report())["second_factor"].status == PASS
    hardened.MFA_REQUIRED_FOR_STAFF = False
    assert _by_code(security_report())["second_factor"].status == FAIL


@freeze_time(NOW)
def test_no_backup_ever_is_a_failure(hardened):
    report = _by_code(security_report())
    assert report["backup"].status == FAIL and report["restore_drill"].status == FAIL
    BackupRecord.objects.create(kind=BackupRecord.Kind.BACKUP, ok=False)  # a failed one
    assert _by_code(security_report())["backup"].status == FAIL


@freeze_time(NOW)
def test_the_json_form_is_english_utc_and_holds_no_secret(hardened, capsys):
    _backups()
    call_command("security_report", "--format", "json")
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["generated_at"] == "2026-12-02T03:00:00+00:00"
    assert data["summary"] == {"pass": 13, "warn": 0, "fail": 0}
    assert [f["code"] for f in data["findings"]][:3] == ["debug", "https", "hsts"]
    assert data["findings"][0]["title"] == "Debug mode"
    assert set(data["findings"][0]) == {"code", "title", "status", "value", "expected", "advice"}
    assert GOOD_KEY not in out and GOOD_KEY[:12] not in out


@freeze_time(NOW)
def test_the_command_exits_1_on_a_failure_or_a_warning_when_asked(hardened, capsys):
    _backups()
    call_command("security_report")  # all pass: returns normally
    assert "13 ok, 0 warnings, 0 failures" in capsys.readouterr().out
    hardened.SECURE_HSTS_SECONDS = 3600
    call_command("security_report")  # a warning only: exit 0 by default
    with pytest.raises(SystemExit) as exc:
        call_command("security_report", "--fail-on", "warn")
    assert exc.value.code == 1
    hardened.DEBUG = True
    with pytest.raises(SystemExit):
        call_command("security_report")
    call_command("security_report", "--fail-on", "never")


@pytest.fixture
def admin_settings(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.MFA_REQUIRED_FOR_STAFF = False
    return settings


def test_the_page_is_for_superusers_only(client, make_user, admin_settings):
    url = reverse("admin:security_report")
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(make_user(username="staffer", is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    admin_settings.LANGUAGE_CODE = "en"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-code="restore_drill"' in body and "Newest successful restore drill" in body
    assert url in client.get(reverse("admin:index")).content.decode()  # linked in the header
