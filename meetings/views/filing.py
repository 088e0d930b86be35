from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors

from .. import selectors, services
from ..forms import AttachmentForm, LateRequestForm, ReportForm
from ..models import UnitReport
from .common import form_errors_to_messages, meeting_or_404, run


def _report(request, pk: int, unit_pk: int) -> UnitReport:
    meeting = meeting_or_404(request.user, pk)
    try:
        return selectors.report_get(request.user, meeting, unit_pk)
    except UnitReport.DoesNotExist as exc:
        raise Http404 from exc


@require_http_methods(["GET", "POST"])
def report(request, pk: int, unit_pk: int):
    """A unit's material: read by whoever sees it, written by the unit until the deadline."""
    report = _report(request, pk, unit_pk)
    editable = services.may_edit(request.user, report)
    initial = {"summary": report.summary, "issues": report.issues}
    form = ReportForm(request.POST or None, initial=initial, figures=report.figures)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_save(
                    report=report,
                    actor=request.user,
                    summary=form.cleaned_data["summary"],
                    issues=form.cleaned_data["issues"],
                    figures=form.figures(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The material was saved."))
                return redirect(report.get_absolute_url())
    return render(
        request,
        "meetings/report.html",
        {
            "meeting": report.meeting,
            "report": report,
            "form": form if editable else None,
            "attachment_form": AttachmentForm() if editable else None,
            "late_form": (
                LateRequestForm()
                if services.may_request_late_change(request.user, report)
                else None
            ),
            "may_file": selectors.can_file(request.user, report.unit_id),
        },
    )


@require_POST
def attachment_add(request, pk: int, unit_pk: int):
    report = _report(request, pk, unit_pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(report.get_absolute_url())
    return run(
        request,
        form,
        lambda: services.attachment_add(
            report=report, actor=request.user, upload=form.cleaned_data["file"]
        ),
        _("The file was attached."),
        report.get_absolute_url(),
    )


@require_POST
def attachment_remove(request, pk: int, unit_pk: int, attachment_pk: int):
    report = _report(request, pk, unit_pk)
    attachment = get_object_or_404(report.attachments.all(), pk=attachment_pk)
    return run(
        request,
        None,
        lambda: services.attachment_remove(attachment=attachment, actor=request.user),
        _("The file was removed."),
        report.get_absolute_url(),
    )


def attachment_download(request, pk: int, unit_pk: int, attachment_pk: int):
    """Served only to whoever may read the report (there is no /media/ route)."""
    report = _report(request, pk, unit_pk)
    attachment = get_object_or_404(report.attachments.all(), pk=attachment_pk)
    return file_response(
        attachment.file, filename=attachment.name, content_type=attachment.content_type
    )


@require_POST
def late_request(request, pk: int, unit_pk: int):
    report = _report(request, pk, unit_pk)
    form = LateRequestForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(report.get_absolute_url())
    return run(
        request,
        form,
        lambda: services.late_change_request(
            report=report, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("Your request was sent to the controller."),
        report.get_absolute_url(),
    )
