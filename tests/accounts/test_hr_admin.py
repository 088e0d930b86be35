"""The admin shows HR sync runs read-only, with their row errors."""

import pytest
from django.urls import reverse

from accounts.choices import HRSyncStatus
from accounts.models import HRSyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user, settings):
    settings.SECURE_SSL_REDIRECT = False  # production-mode test runs (DATABASE_URL) turn it on
    settings.MFA_REQUIRED_FOR_STAFF = False  # the second factor is tested elsewhere
    superuser = make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.fixture
def run():
    return HRSyncRun.objects.create(
        source="/srv/hr/staff.csv",
        status=HRSyncStatus.APPLIED,
        created_count=3,
        error_count=1,
        errors=[
            {
                "line": 7,
                "field": "unit_code",
                "code": "unknown_unit",
                "reason": 'The unit code "<b>X</b>" is not a known unit.',
                "employee_number": "E0007",
            }
        ],
    )


def test_runs_are_listed(admin_client, run):
    response = admin_client.get(reverse("admin:accounts_hrsyncrun_changelist"))
    assert response.status_code == 200
    assert "/srv/hr/staff.csv" in response.content.decode()


def test_run_page_shows_row_errors_escaped_and_read_only(admin_client, run):
    response = admin_client.get(reverse("admin:accounts_hrsyncrun_change", args=[run.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "E0007" in page and "&lt;b&gt;X&lt;/b&gt;" in page
    assert 'name="_save"' not in page


def test_runs_cannot_be_added_or_deleted(admin_client, run):
    assert admin_client.get(reverse("admin:accounts_hrsyncrun_add")).status_code == 403
    delete = reverse("admin:accounts_hrsyncrun_delete", args=[run.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert HRSyncRun.objects.filter(pk=run.pk).exists()
