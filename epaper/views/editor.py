"""The editors' pages under ``/epaper/editor/``: each newsletter's issues with their state and
statistics, writing an issue (from the newsletter's template), its images, a preview, a test
to oneself, scheduling.

Login, then ``selectors_archive.may_edit`` (the newsletter's editors' role or
``epaper.manager``): a newsletter the person may not edit, and its issues, answer 404; the
services check the actor again. A refused form is shown again with what was typed and the
errors next to their fields (400); a success redirects.
"""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.csrf import keeps_input_on_csrf_failure, needs_resubmission, resubmission_response
from core.forms import add_service_errors
from core.localdates import local_datetime

from ..forms_editor import AssetForm, IssueForm, ScheduleForm
from ..models import Issue, IssueAsset, IssueState, Newsletter
from ..selectors_archive import editable_newsletters, editor_issues, may_edit
from ..services import assets as asset_services
from ..services import issues as issue_services
from ..services.sending import issue_test_send
from .archive import ISSUE_CSP, localise

EDITOR_PAGE_SIZE = 25


def _newsletter(request, code: str) -> Newsletter:
    newsletter = get_object_or_404(Newsletter, code=code)
    if not may_edit(request.user, newsletter):
        raise Http404
    return localise(newsletter)


def _issue(newsletter: Newsletter, pk: int) -> Issue:
    issue = get_object_or_404(
        Issue.objects.select_related("newsletter", "created_by"), newsletter=newsletter, pk=pk
    )
    issue.newsletter = newsletter
    return issue


def _message_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_safe
def home(request):
    newsletters = [localise(n) for n in editable_newsletters(request.user)]
    if not newsletters:
        raise PermissionDenied
    counts = {}
    for newsletter_id, state in Issue.objects.filter(
        newsletter__in=newsletters, state__in=[IssueState.DRAFT, IssueState.SCHEDULED]
    ).values_list("newsletter_id", "state"):
        entry = counts.setdefault(newsletter_id, {"draft": 0, "scheduled": 0})
        entry[state] += 1
    rows = [(n, counts.get(n.pk, {"draft": 0, "scheduled": 0})) for n in newsletters]
    return render(request, "epaper/editor/home.html", {"rows": rows})


@login_required
@require_safe
def issues(request, code: str):
    newsletter = _newsletter(request, code)
    page = Paginator(editor_issues(newsletter), EDITOR_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "epaper/editor/issues.html", {"newsletter": newsletter, "page": page})


@keeps_input_on_csrf_failure
@login_required
@require_http_methods(["GET", "POST"])
def issue_new(request, code: str):
    newsletter = _newsletter(request, code)
    template = "epaper/editor/issue_new.html"
    context = {"newsletter": newsletter}
    if needs_resubmission(request):
        return resubmission_response(request, IssueForm(request.POST), template, context)
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                issue = issue_services.issue_create(
                    newsletter=newsletter,
                    title=form.cleaned_data["title"],
                    html=form.cleaned_data["html"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
        return render(request, template, {**context, "form": form}, status=400)
    form = IssueForm(initial={"html": issue_services.issue_template_html(newsletter)})
    return render(request, template, {**context, "form": form})


def _edit_page(request, newsletter, issue, *, form=None, asset_form=None, status=200):
    editable = issue.state in issue_services.EDITABLE_STATES
    if form is None and editable:
        form = IssueForm(initial={"title": issue.title, "html": issue.html})
    assets = [
        (asset, f'<img src="{asset_services.asset_url(asset)}" alt="{escape(asset.name)}">')
        for asset in issue.assets.order_by("created_at", "pk")
    ]
    return render(
        request,
        "epaper/editor/issue_edit.html",
        {
            "newsletter": newsletter,
            "issue": issue,
            "editable": editable,
            "form": form if editable else None,
            "asset_form": (asset_form or AssetForm()) if editable else None,
            "assets": assets,
            "public_url": issue.get_absolute_url() if issue.published_at else "",
        },
        status=status,
    )


@keeps_input_on_csrf_failure
@login_required
@require_http_methods(["GET", "POST"])
def issue_edit(request, code: str, pk: int):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    if needs_resubmission(request):
        form = IssueForm(request.POST)
        form.is_valid()
        form.add_error(None, _("Your session expired, so the issue was not saved yet."))
        return _edit_page(request, newsletter, issue, form=form, status=403)
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                issue_services.issue_update(
                    issue=issue,
                    title=form.cleaned_data["title"],
                    html=form.cleaned_data["html"],
                    actor=request.user,
                )
            except ValidationError as exc:
                if getattr(exc, "code", None) == "not_editable":
                    messages.error(request, _message_of(exc))
                    return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The issue was saved."))
                return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
        return _edit_page(request, newsletter, issue, form=form, status=400)
    return _edit_page(request, newsletter, issue)


@login_required
@csp_update(ISSUE_CSP)
@require_safe
def issue_preview(request, code: str, pk: int):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    return render(
        request,
        "epaper/editor/preview.html",
        {
            "newsletter": newsletter,
            "issue": issue,
            "content": issue_services.page_html(issue.html),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue_schedule(request, code: str, pk: int):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    template = "epaper/editor/schedule.html"
    context = {"newsletter": newsletter, "issue": issue}
    if issue.state not in issue_services.EDITABLE_STATES:
        messages.error(request, _("This issue can no longer be scheduled."))
        return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
    if request.method == "POST":
        send_now = "now" in request.POST
        form = ScheduleForm(request.POST)
        if send_now or form.is_valid():
            try:
                issue = issue_services.issue_schedule(
                    issue=issue, at=timezone.now() if send_now else form.at(), actor=request.user
                )
            except ValidationError as exc:
                if send_now:
                    messages.error(request, _message_of(exc))
                    return redirect("epaper:editor_schedule", code=newsletter.code, pk=issue.pk)
                add_service_errors(form, exc, renames={"at": "day"})
            else:
                messages.success(
                    request,
                    _("Issue no. %(number)s is scheduled: it will be sent from %(at)s.")
                    % {"number": issue.number, "at": local_datetime(issue.scheduled_at)},
                )
                return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
        return render(request, template, {**context, "form": form}, status=400)
    form = ScheduleForm(initial=ScheduleForm.suggested_initial(issue.scheduled_at))
    return render(request, template, {**context, "form": form})


def _post_action(request, code: str, pk: int, action, success: str):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    try:
        action(issue=issue, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, success)
    return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)


@login_required
@require_POST
def issue_unschedule(request, code: str, pk: int):
    return _post_action(
        request,
        code,
        pk,
        issue_services.issue_unschedule,
        _("The issue is a draft again: it will not be sent until you schedule it."),
    )


@login_required
@require_POST
def issue_cancel(request, code: str, pk: int):
    return _post_action(
        request, code, pk, issue_services.issue_cancel, _("The issue was cancelled.")
    )


@login_required
@require_POST
def issue_test(request, code: str, pk: int):
    """Mail the issue, as subscribers will get it but marked as a test, to the editor's own
    address (``services.sending.issue_test_send``)."""
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    try:
        address = issue_test_send(issue=issue, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(
            request,
            _("A test of this issue was sent to your own address, %(email)s.") % {"email": address},
        )
    return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)


@login_required
@require_POST
def asset_upload(request, code: str, pk: int):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    form = AssetForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            asset = asset_services.asset_upload(
                issue=issue,
                upload=form.cleaned_data["file"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_editable":
                messages.error(request, _message_of(exc))
                return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The image %(name)s was added: copy its code into the content.")
                % {"name": asset.name},
            )
            return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
    return _edit_page(request, newsletter, issue, asset_form=form, status=400)


@login_required
@require_POST
def asset_delete(request, code: str, pk: int, asset_pk: int):
    newsletter = _newsletter(request, code)
    issue = _issue(newsletter, pk)
    asset = get_object_or_404(IssueAsset.objects.select_related("issue"), pk=asset_pk, issue=issue)
    asset.issue = issue
    try:
        asset_services.asset_delete(asset=asset, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _message_of(exc))
    else:
        messages.success(request, _("The image was removed."))
    return redirect("epaper:editor_issue", code=newsletter.code, pk=issue.pk)
