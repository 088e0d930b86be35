"""The pages, from the owner / colleague / outsider and the roles: who reads and writes what
(a unit edits only its own material and only until the deadline; executives read all)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import services
from meetings.models import UnitReport
from tests.accounts.factories import unit
from tests.language_support import english

from .conftest import at


@pytest.fixture
def reports(owner, meeting, bli_head):
    im = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    bli = UnitReport.objects.get(meeting=meeting, unit=unit("BLI"))
    with at(2026, 3, 5, 10, 0):
        services.report_save(report=im, actor=owner, summary="<p>資訊處業務報告</p>")
        services.report_save(report=bli, actor=bli_head, summary="<p>勞保局機密數字</p>")
    return im, bli


def test_owner_edits_own_material_page_before_the_deadline(client, owner, meeting, reports):
    im, _bli = reports
    client.force_login(owner)
    with at(2026, 3, 6, 10, 0):
        page = client.get(im.get_absolute_url())
        assert page.status_code == 200
        assert b'name="summary"' in page.content
        answer = client.post(im.get_absolute_url(), {"summary": "<p>新版</p>", "issues": ""})
    assert answer.status_code == 302
    im.refresh_from_db()
    assert im.summary == "<p>新版</p>"


def test_after_the_deadline_the_form_is_gone_and_a_post_is_refused(client, owner, meeting, reports):
    im, _bli = reports
    client.force_login(owner)
    with at(2026, 3, 11, 10, 0):
        page = client.get(im.get_absolute_url())
        assert b'name="summary"' not in page.content
        assert b'name="reason"' in page.content  # the late-change request instead
        assert client.post(im.get_absolute_url(), {"summary": "x"}).status_code == 403
    im.refresh_from_db()
    assert im.summary == "<p>資訊處業務報告</p>"


def test_a_unit_reads_only_its_own_material(client, owner, meeting, reports):
    _im, bli = reports
    client.force_login(owner)
    assert client.get(bli.get_absolute_url()).status_code == 404
    page = client.get(meeting.get_absolute_url())
    assert "勞保局機密數字" not in page.content.decode()


def test_colleague_reads_the_units_material_but_cannot_edit(client, colleague, meeting, reports):
    im, _bli = reports
    client.force_login(colleague)
    with at(2026, 3, 6, 10, 0):
        page = client.get(im.get_absolute_url())
        assert page.status_code == 200
        assert b'name="summary"' not in page.content
        assert client.post(im.get_absolute_url(), {"summary": "x"}).status_code == 403


def test_outsider_of_every_filing_unit_sees_nothing(client, make_user, meeting, reports):
    stranger = make_user(username="stranger", organization=unit("DLR"))
    client.force_login(stranger)
    assert client.get(meeting.get_absolute_url()).status_code == 404
    assert client.get(reports[0].get_absolute_url()).status_code == 404
    assert client.get(reverse("meetings:screen", args=[meeting.pk])).status_code == 404


def test_executive_reads_every_units_material(client, chair, meeting, reports):
    client.force_login(chair)
    for report in reports:
        assert client.get(report.get_absolute_url()).status_code == 200
    page = client.get(reverse("meetings:screen", args=[meeting.pk])).content.decode()
    assert "資訊處業務報告" in page and "勞保局機密數字" in page


@pytest.mark.parametrize(
    "name",
    [
        "meetings:list",
        "meetings:cases",
        "meetings:overdue",
        "meetings:statistics",
        "meetings:search",
    ],
)
def test_lists_answer_in_english(client, chair, meeting, name):
    client.force_login(chair)
    page = english(client).get(reverse(name))
    assert page.status_code == 200
    assert page.content.count(b"<h1") == 1
    assert b'lang="en"' in page.content


def test_meeting_page_for_the_controller_has_the_actions(client, controller, meeting):
    client.force_login(controller)
    page = english(client).get(meeting.get_absolute_url()).content.decode()
    assert "Build the meeting book" in page
    assert "Close filing" in page


def test_controller_opens_filing_from_the_page(client, controller, make_meeting):
    draft = make_meeting(open_filing=False)
    client.force_login(controller)
    with at(2026, 3, 1, 9, 0):
        answer = client.post(
            reverse("meetings:filing_open", args=[draft.pk]),
            {"deadline_date": "2026-03-09", "deadline_time": "17:00", "units": [unit("IM").pk]},
        )
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "filing"


def test_a_posted_unit_outside_the_choices_is_refused(client, controller, make_meeting):
    draft = make_meeting(open_filing=False)
    client.force_login(controller)
    with at(2026, 3, 1, 9, 0):
        client.post(
            reverse("meetings:filing_open", args=[draft.pk]),
            {"deadline_date": "2026-03-09", "deadline_time": "17:00", "units": [999999]},
        )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_personal_notes_are_private(client, chair, controller, meeting):
    client.force_login(chair)
    answer = client.post(
        reverse("meetings:note", args=[meeting.pk]), {"slide": "agenda", "text": "問資訊處進度"}
    )
    assert answer.json() == {"saved": True}
    assert (
        "問資訊處進度" in client.get(reverse("meetings:screen", args=[meeting.pk])).content.decode()
    )
    client.force_login(controller)
    assert (
        "問資訊處進度"
        not in client.get(reverse("meetings:screen", args=[meeting.pk])).content.decode()
    )


def test_only_the_secretary_moves_the_screen(client, chair, secretary, meeting):
    url = reverse("meetings:screen_advance", args=[meeting.pk])
    client.force_login(chair)
    assert client.post(url, {"slide": "cases"}).status_code == 403
    client.force_login(secretary)
    assert client.post(url, {"slide": "cases"}).json()["slide"] == "cases"
    events = client.get(reverse("meetings:screen_events", args=[meeting.pk]))
    body = b"".join(events.streaming_content).decode()
    assert '"slide": "cases"' in body and "event: slide" in body


def test_ical_invitation(client, chair, meeting):
    client.force_login(chair)
    answer = client.get(reverse("meetings:ics", args=[meeting.pk]))
    text = answer.content.decode()
    assert answer["Content-Type"].startswith("text/calendar")
    assert "DTSTART:20260312T013000Z" in text and "SUMMARY:部務會報" in text


def test_the_screen_lists_carried_cases_with_their_latest_progress(
    client, chair, owner, secretary, make_meeting
):
    earlier = make_meeting(
        starts=(2026, 2, 12, 9, 30), deadline=(2026, 2, 10, 17, 0), now=(2026, 2, 1, 9, 0)
    )
    later = make_meeting(starts=(2026, 3, 12, 9, 30), deadline=(2026, 3, 10, 17, 0))
    with at(2026, 2, 12, 10, 0):
        case = services.directive_record(
            meeting=earlier,
            actor=secretary,
            directive="盤點老舊系統",
            lead_unit=unit("IM"),
            due_date=dt.date(2026, 3, 1),
        )
        services.progress_file(case=case, actor=owner, text="第一次進度")
        services.progress_file(case=case, actor=owner, text="最新進度說明")
    client.force_login(chair)
    page = client.get(reverse("meetings:screen", args=[later.pk])).content.decode()
    assert case.number in page and "最新進度說明" in page and "第一次進度" not in page


def test_attachments_download_only_for_readers_of_the_report(
    client, owner, outsider, bli_head, chair, meeting
):
    report = UnitReport.objects.get(meeting=meeting, unit=unit("IM"))
    with at(2026, 3, 5, 10, 0):
        attachment = services.attachment_add(
            report=report,
            actor=owner,
            upload=SimpleUploadedFile(
                "a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
            ),
        )
    url = reverse("meetings:attachment", args=[meeting.pk, unit("IM").pk, attachment.pk])
    for user, status in ((owner, 200), (chair, 200), (bli_head, 404), (outsider, 404)):
        client.force_login(user)
        answer = client.get(url)
        assert answer.status_code == status, user
        if status == 200:
            assert answer["Content-Disposition"].startswith("attachment")
            assert answer["X-Content-Type-Options"] == "nosniff"


def test_the_tile_shows_to_role_holders_only(client, owner, colleague, chair):
    for user, shown in ((owner, True), (chair, True), (colleague, False)):
        client.force_login(user)
        html = client.get(reverse("core:intranet_home")).content.decode()
        assert (f'href="{reverse("meetings:list")}"' in html) is shown, user
