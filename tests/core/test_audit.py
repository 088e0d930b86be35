from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from core.choices import AuditAction
from core.models import AuditLogEntry, Organization
from core.services import audit_log_purge

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor_for_staff(settings):
    # These tests are about the audit trail; the 2FA policy has its own tests in tests/accounts.
    settings.MFA_REQUIRED_FOR_STAFF = False


def test_login_is_audited_with_ip_and_agent(client, owner, password):
    response = client.post(
        reverse("accounts:login"),
        {"username": owner.username, "password": password},
        HTTP_USER_AGENT="pytest-agent/1.0",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == owner
    assert entry.ip_address == "10.1.2.3"
    assert entry.user_agent == "pytest-agent/1.0"


def test_failed_login_is_audited_without_password(client, owner):
    client.post(
        reverse("accounts:login"),
        {"username": owner.username, "password": "wrong-password-123"},
        REMOTE_ADDR="10.9.9.9",
    )
    entry = AuditLogEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.actor_repr == owner.username
    assert entry.ip_address == "10.9.9.9"
    assert "wrong-password" not in str(entry.changes) + entry.message


def test_logout_is_audited(client, owner):
    client.force_login(owner)
    client.post(reverse("accounts:logout"))
    assert AuditLogEntry.objects.filter(action=AuditAction.LOGOUT, actor=owner).exists()


def test_user_change_records_fields_with_personal_data_masked(owner):
    owner.refresh_from_db()
    owner.email = "new.address@example.gov.tw"
    owner.mobile = "0912345678"
    owner.job_title = "科長"
    owner.save()
    entry = AuditLogEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert entry.object_id == str(owner.pk)
    assert entry.changes["job_title"] == ["", "科長"]
    before, after = entry.changes["email"]
    assert after == "n**********@example.gov.tw"
    assert "new.address" not in str(entry.changes)
    assert entry.changes["mobile"] == ["", "0912***678"]
    assert "password" not in entry.changes


def test_saving_without_changes_writes_nothing(owner):
    owner.refresh_from_db()
    count = AuditLogEntry.objects.count()
    owner.save()
    assert AuditLogEntry.objects.count() == count


def test_create_and_delete_are_recorded(make_user):
    user = make_user(username="temp", name_zh="王小明")
    created = AuditLogEntry.objects.filter(action=AuditAction.CREATE).latest("id")
    assert created.changes["name_zh"] == [None, "王*明"]
    user_pk = user.pk
    user.delete()
    deleted = AuditLogEntry.objects.get(action=AuditAction.DELETE, object_id=str(user_pk))
    assert deleted.object_repr


def test_change_through_request_records_actor(client, staff_user, owner):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    url = reverse("admin:accounts_user_change", args=[owner.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": owner.username,
            "job_title": "視察",
            "organization": owner.organization_id,
            "date_joined_0": owner.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": owner.date_joined.strftime("%H:%M:%S"),
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data, REMOTE_ADDR="10.5.5.5")
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLogEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(owner.pk)).latest(
        "id"
    )
    assert entry.actor == staff_user
    assert entry.ip_address == "10.5.5.5"
    assert entry.changes["job_title"] == ["", "視察"]


def test_unregistered_models_are_not_audited(db):
    count = AuditLogEntry.objects.count()
    org = Organization.objects.get(code="IM")
    org.abbreviation = "IM"
    org.save()
    assert AuditLogEntry.objects.count() == count


@freeze_time("2026-06-01 09:00:00+08:00")
def test_purge_deletes_only_entries_past_retention(db):
    old = AuditLogEntry.objects.create(
        action=AuditAction.OTHER, created_at=timezone.now() - timedelta(days=31)
    )
    recent = AuditLogEntry.objects.create(
        action=AuditAction.OTHER, created_at=timezone.now() - timedelta(days=29)
    )
    assert audit_log_purge(older_than_days=30, batch_size=1) == 1
    assert not AuditLogEntry.objects.filter(pk=old.pk).exists()
    assert AuditLogEntry.objects.filter(pk=recent.pk).exists()
    assert audit_log_purge(older_than_days=30) == 0


def test_audit_admin_is_read_only(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    entry = AuditLogEntry.objects.create(action=AuditAction.OTHER, actor_repr="x")
    assert client.get(reverse("admin:core_auditlogentry_add")).status_code == 403
    change = client.get(reverse("admin:core_auditlogentry_change", args=[entry.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    delete = client.post(reverse("admin:core_auditlogentry_delete", args=[entry.pk]))
    assert delete.status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_audit_admin_search_by_user(client, staff_user, owner):
    staff_user.is_superuser = True
    staff_user.save()
    client.force_login(staff_user)
    AuditLogEntry.objects.create(action=AuditAction.OTHER, actor_repr="needle-user")
    AuditLogEntry.objects.create(action=AuditAction.OTHER, actor_repr="someone-else")
    response = client.get(reverse("admin:core_auditlogentry_changelist"), {"q": "needle"})
    assert response.status_code == 200
    assert b"needle-user" in response.content
    assert b"someone-else" not in response.content
