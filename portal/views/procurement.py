"""Pages of procurement requests (/portal/procurement/, login required): a new request, my
requests (with their state), a request's page with its approval timeline and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.files import file_response
from core.forms import add_service_errors
from documents import selectors as documents_selectors

from ..forms.repair import ProcurementForm
from ..models import ProcurementStatus
from ..selectors import procurement as selectors
from ..services import procurement as services

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
def request_new(request):
    form = ProcurementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.procurement_request_create(
                actor=request.user,
                item=data["item"],
                quantity=data["quantity"],
                estimated_amount=data["estimated_amount"],
                budget_code=data["budget_code"],
                justification=data["justification"],
                attachments=data["attachments"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Request %(number)s sent.") % {"number": created.number})
            return redirect(created)
    return render(
        request,
        "portal/procurement/request_form.html",
        {"form": form, "thresholds": selectors.thresholds()},
    )


@require_GET
def my_requests(request):
    page = Paginator(selectors.my_requests(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/procurement/my_requests.html", {"page": page})


@require_GET
def request_detail(request, pk: int):
    item = selectors.request_get(request.user, pk)
    return render(
        request,
        "portal/procurement/request_detail.html",
        {
            "req": item,
            "chains": list(documents_selectors.chains_for(item)),
            "attachments": list(item.attachments.all()),
            "may_withdraw": item.requester_id == request.user.pk
            and item.status == ProcurementStatus.PENDING,
        },
    )


@require_POST
def request_withdraw(request, pk: int):
    item = selectors.request_get(request.user, pk)
    try:
        services.procurement_request_withdraw(request=item, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect(item)


@require_GET
def attachment(request, pk: int, file: int):
    item = selectors.request_get(request.user, pk)
    row = item.attachments.filter(pk=file).first()
    if row is None:
        raise Http404
    return file_response(row.file, filename=row.name, content_type=row.content_type)
