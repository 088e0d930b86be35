"""Filing: a unit writes its own material until the deadline, asks for a late change after
it, and the controller grants or refuses (audited)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditLogEntry
from meetings import services
from meetings.models import UnitReport
from notifications.models import Notice
from tests.accounts.factories import unit

from .conftest import at


def report_of(meeting, code):
    return UnitReport.objects.get(meeting=meeting, unit=unit(code))


def test_opening_filing_creates_one_report_per_unit_and_tells_the_filers(owner, meeting):
    assert list(meeting.reports.values_list("unit__code", flat=True)) == ["IM", "BLI"]
    assert Notice.objects.filter(recipient=owner, kind="todo").count() == 1


def test_owner_files_before_the_deadline(meeting, owner):
    report = report_of(meeting, "IM")
    with at(2026, 3, 10, 16, 59):
        services.report_save(
            report=report,
            actor=owner,
            summary="<p>資訊系統上線<script>x</script></p>",
            figures=[{"label": "上線系統", "value": "3", "note": ""}],
        )
    report.refresh_from_db()
    assert report.status == "filed"
    assert report.summary == "<p>資訊系統上線</p>"
    assert report.figures == [{"label": "上線系統", "value": "3", "note": ""}]


def test_owner_may_change_the_material_freely_until_the_deadline(meeting, owner):
    report = report_of(meeting, "IM")
    with at(2026, 3, 5, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>初稿</p>")
    with at(2026, 3, 9, 10, 0):
        services.report_save(report=report, actor=owner, summary="<p>定稿</p>")
    report.refresh_from_db()
    assert report.summary == "<p>定稿</p>"


def test_filing_after_the_deadline_is_refused(meeting, owner):
    report = report_of(meeting, "IM")
    with at(2026, 3, 10, 17, 0), pytest.raises(ValidationError) as error:
        services.report_save(report=report, actor=owner, summary="<p>遲交</p>")
    assert "逾期修改" in str(error.value)  # the page's language: ask for a late change
    report.refresh_from_db()
    assert report.summary == ""


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_only_the_units_filers_write_its_material(meeting, who, request):
    user = request.getfixturevalue(who)
    with at(2026, 3, 5, 10, 0), pytest.raises(PermissionDenied):
        services.report_save(report=report_of(meeting, "IM"), actor=user, summary="x")


def test_a_unit_never_writes_another_units_material(meeting, owner):
    with at(2026, 3, 5, 10, 0), pytest.raises(PermissionDenied):
        services.report_save(report=report_of(meeting, "BLI"), actor=owner, summary="x")


def test_unit_head_files_for_the_unit(meeting, bli_head):
    with at(2026, 3, 5, 10, 0):
        services.report_save(
            report=report_of(meeting, "BLI"), actor=bli_head, summary="<p>勞保</p>"
        )
    assert report_of(meeting, "BLI").status == "filed"


def test_late_change_cannot_be_asked_before_the_deadline(meeting, owner):
    with at(2026, 3, 5, 10, 0), pytest.raises(ValidationError):
        services.late_change_request(report=report_of(meeting, "IM"), actor=owner, reason="改")


def test_granted_late_change_lets_the_unit_edit_for_a_while_and_is_audited(
    meeting, owner, controller
):
    report = report_of(meeting, "IM")
    with at(2026, 3, 11, 9, 0):
        request = services.late_change_request(report=report, actor=owner, reason="數字更正")
        assert Notice.objects.filter(recipient=controller, kind="todo").exists()
        services.late_change_decide(request=request, actor=controller, grant=True, comment="可")
        services.report_save(report=report, actor=owner, summary="<p>更正後</p>")
    with at(2026, 3, 12, 9, 1), pytest.raises(ValidationError):
        services.report_save(report=report, actor=owner, summary="<p>再改</p>")
    request.refresh_from_db()
    assert request.status == "granted"
    assert AuditLogEntry.objects.filter(
        object_id=str(request.pk), message__contains="late change granted"
    ).exists()
    assert AuditLogEntry.objects.filter(
        object_id=str(report.pk), message__contains="after the deadline"
    ).exists()


def test_refused_late_change_keeps_the_material_closed(meeting, owner, controller):
    report = report_of(meeting, "IM")
    with at(2026, 3, 11, 9, 0):
        request = services.late_change_request(report=report, actor=owner, reason="想改")
        services.late_change_decide(request=request, actor=controller, grant=False)
        with pytest.raises(ValidationError):
            services.report_save(report=report, actor=owner, summary="<p>x</p>")
    assert AuditLogEntry.objects.filter(
        object_id=str(request.pk), message__contains="late change refused"
    ).exists()


def test_only_the_controller_decides_a_late_change(meeting, owner, chair):
    with at(2026, 3, 11, 9, 0):
        request = services.late_change_request(
            report=report_of(meeting, "IM"), actor=owner, reason="更正"
        )
        with pytest.raises(PermissionDenied):
            services.late_change_decide(request=request, actor=owner, grant=True)
        with pytest.raises(PermissionDenied):
            services.late_change_decide(request=request, actor=chair, grant=True)


def test_a_late_change_is_decided_once(meeting, owner, controller):
    with at(2026, 3, 11, 9, 0):
        request = services.late_change_request(
            report=report_of(meeting, "IM"), actor=owner, reason="更正"
        )
        services.late_change_decide(request=request, actor=controller, grant=False)
        with pytest.raises(ValidationError):
            services.late_change_decide(request=request, actor=controller, grant=True)


def test_only_controllers_open_filing(make_meeting, owner, chair, series):
    meeting = make_meeting(open_filing=False)
    for user in (owner, chair):
        with at(2026, 3, 1, 9, 0), pytest.raises(PermissionDenied):
            services.filing_open(
                meeting=meeting, actor=user, deadline=meeting.starts_at, units=[unit("IM")]
            )


def test_the_deadline_must_fall_before_the_meeting(make_meeting, controller):
    meeting = make_meeting(open_filing=False)
    with at(2026, 3, 1, 9, 0), pytest.raises(ValidationError) as error:
        services.filing_open(
            meeting=meeting,
            actor=controller,
            deadline=meeting.starts_at.replace(day=13),
            units=[unit("IM")],
        )
    assert "deadline" in error.value.message_dict
