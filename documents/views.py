"""Staff pages: thin callers of selectors and services. Every view needs a login (none is
marked public); every document is fetched through ``visible_to`` (404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors

from . import selectors, services
from .choices import ChainStatus
from .filters import DocumentFilter
from .forms import (
    ApproveForm,
    CancelForm,
    DelegationForm,
    DocumentRegisterForm,
    ForwardForm,
    ReturnForm,
    StepActionForm,
)
from .hooks import source_attachments
from .models import SignOffStep

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def pending(request):
    """My pending sign-offs, including those of colleagues who delegated to me."""
    page = _page(request, selectors.pending_steps_for(request.user))
    ctx = selectors.actor_context(request.user)
    behalf_ids = set()
    rows = []
    for step in page.object_list:
        _allowed, behalf = selectors.step_actor(step, request.user)
        behalf_ids.add(behalf)
        rows.append((step, behalf))
    people = get_user_model().objects.in_bulk([i for i in behalf_ids if i])
    rows = [(step, people.get(behalf)) for step, behalf in rows]
    return render(
        request,
        "documents/pending.html",
        {"page": page, "rows": rows, "delegators": ctx.delegators, "today": timezone.localdate()},
    )


@require_GET
def document_list(request):
    """Documents of my unit and the units below it, searchable."""
    base = selectors.unit_document_list(user=request.user).order_by("-created_at", "-id")
    filterset = DocumentFilter(request.GET or None, queryset=base)
    queryset = filterset.qs if filterset.is_bound else base
    return render(
        request,
        "documents/document_list.html",
        {
            "filter": filterset,
            "page": _page(request, queryset),
            "querystring": _querystring_without_page(request),
            "today": timezone.localdate(),
        },
    )


def _chain_context(request, chain, forms_by_step=None) -> dict:
    """What the step-action, steps and timeline includes need for one chain's page."""
    forms_by_step = forms_by_step or {}
    actionable = [
        (step, behalf, forms_by_step.get(step.pk) or StepActionForm(prefix=f"step{step.pk}"))
        for step, behalf in selectors.chain_actionable_steps(chain, request.user)
    ]
    behalf_ids = {behalf for _step, behalf, _form in actionable if behalf}
    people = get_user_model().objects.in_bulk(behalf_ids) if behalf_ids else {}
    return {
        "chain": chain,
        "actionable": [(step, people.get(behalf), form) for step, behalf, form in actionable],
        "can_restart": (
            chain is not None
            and chain.status == ChainStatus.RETURNED
            and chain.started_by_id == request.user.pk
        ),
        "can_cancel": (
            chain is not None
            and chain.status == ChainStatus.IN_PROGRESS
            and (chain.started_by_id == request.user.pk or request.user.is_superuser)
        ),
        "cancel_form": CancelForm(),
        "today": timezone.localdate(),
    }


def _detail_context(request, document, forms_by_step=None):
    context = _chain_context(request, selectors.current_chain(document), forms_by_step)
    context.update(
        document=document,
        chains=list(document.signoff_chains.all()),
        timeline=selectors.document_timeline(document),
        source_attachments=source_attachments.for_source(
            document.source if document.source_content_type_id else None, request.user
        ),
    )
    return context


def _render_chain_page(request, chain, forms_by_step=None, status=200):
    """The page a chain's actions live on: its document's page, or the chain's own."""
    if chain.document_id:
        document = selectors.document_detail(user=request.user, pk=chain.document_id)
        context = _detail_context(request, document, forms_by_step)
        return render(request, "documents/document_detail.html", context, status=status)
    context = _chain_context(request, chain, forms_by_step)
    target = chain.target
    context.update(
        chains=[chain],
        timeline=list(chain.actions.all()),
        target_url=getattr(target, "get_absolute_url", lambda: "")() if target else "",
    )
    return render(request, "documents/chain_detail.html", context, status=status)


@require_GET
def chain_detail(request, chain_pk: int):
    """An approval of something other than a document (leave, loans, requisitions...)."""
    chain = selectors.chain_detail(user=request.user, pk=chain_pk)
    if chain.document_id:
        return redirect(chain)
    return _render_chain_page(request, chain)


@require_GET
def document_detail(request, pk: int):
    document = selectors.document_detail(user=request.user, pk=pk)
    return render(request, "documents/document_detail.html", _detail_context(request, document))


def _step_action(request, chain_pk: int, step_pk: int, form_class, act):
    """Validate ``form_class`` for the step, call ``act(step, data)`` (a service call that
    returns the success message), and show the page again with the errors otherwise. The
    service checks that the user may act; the chain must be visible to them (404)."""
    chain = selectors.chain_detail(user=request.user, pk=chain_pk)
    step = get_object_or_404(SignOffStep, pk=step_pk, chain=chain)
    form = form_class(request.POST, prefix=f"step{step.pk}")
    if form.is_valid():
        try:
            messages.success(request, act(step, form.cleaned_data))
            return redirect(chain)
        except services.StepAlreadyHandled as exc:
            messages.info(request, exc.message)
            return redirect(chain)
        except ValidationError as exc:
            add_service_errors(form, exc)
    chain = selectors.chain_detail(user=request.user, pk=chain_pk)
    return _render_chain_page(request, chain, forms_by_step={step.pk: form}, status=400)


@require_POST
def step_approve(request, chain_pk: int, step_pk: int):
    def act(step, data):
        services.signoff_approve(step=step, actor=request.user, comment=data["comment"])
        return _("You approved the document.")

    return _step_action(request, chain_pk, step_pk, ApproveForm, act)


@require_POST
def step_return(request, chain_pk: int, step_pk: int):
    def act(step, data):
        services.signoff_return(
            step=step, actor=request.user, comment=data["comment"], to=data["return_to"]
        )
        return _("You returned the document.")

    return _step_action(request, chain_pk, step_pk, ReturnForm, act)


@require_POST
def step_forward(request, chain_pk: int, step_pk: int):
    def act(step, data):
        services.signoff_forward(
            step=step, actor=request.user, to_user=data["forward_user"], comment=data["comment"]
        )
        return _("You forwarded the step to %(name)s.") % {
            "name": data["forward_user"].display_name
        }

    return _step_action(request, chain_pk, step_pk, ForwardForm, act)


@require_POST
def chain_restart(request, chain_pk: int):
    chain = selectors.chain_detail(user=request.user, pk=chain_pk)
    try:
        services.signoff_restart(chain=chain, actor=request.user)
        messages.success(request, _("It was submitted for sign-off again."))
    except PermissionDenied:
        raise
    except (services.SignOffError, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    return redirect(chain)


@require_POST
def chain_cancel(request, chain_pk: int):
    chain = selectors.chain_detail(user=request.user, pk=chain_pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the sign-off is cancelled."))
        return redirect(chain)
    try:
        services.signoff_cancel(chain=chain, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("The sign-off was cancelled."))
    except services.SignOffError as exc:
        messages.info(request, exc.message)
    return redirect(chain)


@require_http_methods(["GET", "POST"])
def document_register(request):
    form = DocumentRegisterForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_register_with_signoff(
                steps=data["signers"],
                started_by=request.user,
                unit=data["unit"],
                subject=data["subject"],
                sender=data["sender"],
                receiver=data["receiver"],
                category=data["category"],
                security_level=data["security_level"],
                description=data["description"],
                deadline=data["deadline"],
                attachments=data["attachments"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"steps": "signers"})
        else:
            messages.success(
                request,
                _("Registered as %(number)s.") % {"number": document.number},
            )
            return redirect(document)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/document_register.html", {"form": form}, status=status)


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    document = selectors.document_detail(user=request.user, pk=pk)
    attachment = get_object_or_404(document.attachments.all(), pk=attachment_pk)
    return file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@require_http_methods(["GET", "POST"])
def delegations(request):
    """My delegations: who signs for me while I am away, and for whom I sign."""
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.delegation_create(
                delegator=request.user,
                delegate=data["delegate"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                reason=data["reason"],
                created_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The delegation was saved."))
            return redirect("documents:delegations")
    return render(
        request,
        "documents/delegations.html",
        {
            "form": form,
            "delegations": selectors.delegations_of(request.user),
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def delegation_revoke(request, pk: int):
    delegation = get_object_or_404(selectors.delegations_of(request.user), pk=pk)
    try:
        services.delegation_revoke(delegation=delegation, revoked_by=request.user)
    except PermissionDenied:
        messages.error(request, _("You may not change this delegation."))
    else:
        messages.success(request, _("The delegation was ended."))
    return redirect("documents:delegations")
