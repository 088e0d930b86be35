"""The admin: every model registered; material, cases and notes read-only there; a note's
text never shown; staff without the model permission refused."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from meetings import models, services
from meetings.models import PersonalNote
from tests.accounts.mfa_support import force_login_verified

from .conftest import at

MODELS = [
    models.MeetingSeries,
    models.Meeting,
    models.AgendaItem,
    models.UnitReport,
    models.ReportAttachment,
    models.LateChangeRequest,
    models.FilingReminder,
    models.MeetingBook,
    models.TrackedCase,
    models.CaseProgress,
    models.CaseDecision,
    models.CaseReminder,
    models.ControllerDigest,
    models.PersonalNote,
    models.SearchEntry,
]


def test_every_model_is_in_the_admin():
    missing = [m.__name__ for m in MODELS if m not in admin.site._registry]
    assert missing in ([], ["AgendaItem"])  # agenda items are edited inline on the meeting


@pytest.fixture
def superuser(make_user):
    return make_user(username="root", is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    "model",
    ["meeting", "unitreport", "trackedcase", "personalnote", "searchentry", "meetingseries"],
)
def test_changelists_answer(client, superuser, meeting, model):
    force_login_verified(client, superuser)
    assert client.get(reverse(f"admin:meetings_{model}_changelist")).status_code == 200


def test_notes_text_is_not_shown_in_the_admin(client, superuser, chair, meeting):
    with at(2026, 3, 12, 9, 0):
        services.note_save(meeting=meeting, actor=chair, slide="agenda", text="私人備忘內容")
    note = PersonalNote.objects.get()
    force_login_verified(client, superuser)
    page = client.get(reverse("admin:meetings_personalnote_change", args=[note.pk]))
    assert page.status_code == 200
    assert "私人備忘內容" not in page.content.decode()


def test_material_cannot_be_changed_in_the_admin(client, superuser, meeting):
    report = meeting.reports.first()
    force_login_verified(client, superuser)
    url = reverse("admin:meetings_unitreport_change", args=[report.pk])
    client.post(url, {"summary": "<p>admin</p>"})
    report.refresh_from_db()
    assert report.summary == ""
    assert client.get(reverse("admin:meetings_unitreport_add")).status_code == 403


def test_staff_without_the_permission_is_refused(client, make_user, meeting):
    staff = make_user(username="clerk", is_staff=True)
    force_login_verified(client, staff)
    assert client.get(reverse("admin:meetings_meeting_changelist")).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    assert client.get(reverse("admin:meetings_meeting_changelist")).status_code == 200
    assert client.get(reverse("admin:meetings_unitreport_changelist")).status_code == 403
