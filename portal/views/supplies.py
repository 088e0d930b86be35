"""Pages of consumables and supplies (/portal/supplies/, login required): the catalogue with
stock per store, asking, my requests, a request, the store keepers' desk (issue, low stock)
and the monthly issue report per unit (page and CSV, for store keepers and unit heads)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import service_action
from core.forms import add_service_errors
from documents import selectors as documents_selectors

from .. import services
from ..choices import SupplyStatus
from ..forms import IssueForm, SupplyForm, SupplyMonthForm
from ..models import SupplyRequest
from ..selectors import supplies as selectors

PAGE_SIZE = 50


def _request_or_404(user, pk) -> SupplyRequest:
    try:
        return selectors.request_get(user, pk)
    except SupplyRequest.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def catalogue(request):
    stock = selectors.stock(request.user).order_by("item__category", "item__code", "store__code")
    return render(
        request,
        "portal/supplies/catalogue.html",
        {
            "stock": stock[:500],
            "keeper": selectors.is_store_keeper(request.user),
            "report": selectors.may_read_report(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def request_new(request):
    stock = selectors.stock(request.user).order_by("item__code", "store__code")
    initial = {}
    wanted = request.GET.get("stock", "")
    if wanted.isdigit() and stock.filter(pk=int(wanted)).exists():
        initial["stock"] = int(wanted)
    form = SupplyForm(request.POST or None, initial=initial, stock=stock)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.supply_request(
                actor=request.user,
                store=data["stock"].store,
                item=data["stock"].item,
                quantity=data["quantity"],
                purpose=data["purpose"],
                submit_key=data["key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"item": "stock", "store": "stock"})
        else:
            messages.success(
                request,
                _("Your request %(number)s waits for approval.") % {"number": made.number},
            )
            return redirect(made)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/supplies/request_form.html", {"form": form}, status=status)


@require_GET
def my_requests(request):
    page = Paginator(selectors.my_requests(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/supplies/my_requests.html", {"page": page})


@require_GET
def request_detail(request, pk: int):
    made = _request_or_404(request.user, pk)
    keeper = selectors.keeps_store(request.user, made.store)
    return render(
        request,
        "portal/supplies/request_detail.html",
        {
            "req": made,
            "keeper": keeper and made.status == SupplyStatus.APPROVED,
            "form": IssueForm(initial={"quantity": made.quantity}),
            "may_cancel": made.requester_id == request.user.pk
            and made.status in (SupplyStatus.PENDING, SupplyStatus.APPROVED),
            "chain": documents_selectors.open_chain_for(made)
            if made.status == SupplyStatus.PENDING
            else None,
        },
    )


@require_POST
def request_cancel(request, pk: int):
    made = _request_or_404(request.user, pk)
    service_action(
        request,
        lambda: services.supply_cancel(request=made, actor=request.user),
        success=_("The request was cancelled."),
    )
    return redirect(made)


@require_POST
def request_issue(request, pk: int):
    made = _request_or_404(request.user, pk)
    if not selectors.keeps_store(request.user, made.store):
        raise Http404
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            services.supply_issue(
                request=made, actor=request.user, quantity=form.cleaned_data["quantity"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(request, _("Issued."))
            if request.POST.get("next") == "desk":
                return redirect("portal:supply_desk")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(made)


@require_GET
def desk(request):
    if not selectors.is_store_keeper(request.user):
        raise Http404
    low = (
        selectors.stock(request.user)
        .filter(selectors.kept_q(request.user), quantity__lte=F("low_threshold"))
        .order_by("store__code", "item__code")
    )
    return render(
        request,
        "portal/supplies/desk.html",
        {"waiting": selectors.desk(request.user)[:200], "low": low[:200]},
    )


def _report(request):
    if not selectors.may_read_report(request.user):
        raise Http404
    form = SupplyMonthForm(request.GET or None)
    month = form.chosen(timezone.localdate())
    return form, month, selectors.issue_report(request.user, month)


@require_GET
def report(request):
    form, month, rows = _report(request)
    return render(
        request,
        "portal/supplies/report.html",
        {"form": form, "month": month, "rows": rows, "month_value": month.strftime("%Y-%m")},
    )


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
def report_csv(request):
    _form, month, rows = _report(request)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Unit code"),
            _("Unit"),
            _("Item code"),
            _("Item"),
            _("Counted in"),
            _("Issued"),
            _("Requests"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _cell(row["unit__code"]),
                _cell(row["unit__name_zh"]),
                _cell(row["item__code"]),
                _cell(row["item__name_zh"]),
                _cell(row["item__unit_label"]),
                row["quantity"],
                row["requests"],
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supplies-{month.strftime("%Y-%m")}.csv"'
    )
    return response
