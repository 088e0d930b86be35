"""Pages of equipment loans (/portal/loans/, login required): the catalogue, asking, my loans,
a loan, and the loan desk of the loan managers (check out, take back)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actions import service_action
from core.forms import add_service_errors
from documents import selectors as documents_selectors

from .. import services
from ..choices import LoanStatus
from ..forms import ConditionForm, LoanForm
from ..models import LOAN_HOLDING_STATUSES, Loan, LoanItem
from ..selectors import loans as selectors

PAGE_SIZE = 50


def _loan_or_404(user, pk) -> Loan:
    try:
        return selectors.loan_get(user, pk)
    except Loan.DoesNotExist as exc:
        raise Http404 from exc


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def item_list(request):
    items = list(selectors.items(request.user)[:300])
    held = selectors.lent_now([item.pk for item in items], timezone.localdate())
    for item in items:
        item.free_today = max(item.quantity - held.get(item.pk, 0), 0)
    return render(
        request,
        "portal/loans/item_list.html",
        {"items": items, "desk": selectors.is_loan_manager(request.user)},
    )


@require_GET
def item_detail(request, pk: int):
    try:
        item = selectors.item_get(request.user, pk)
    except LoanItem.DoesNotExist as exc:
        raise Http404 from exc
    taken = (
        item.loans.filter(status__in=LOAN_HOLDING_STATUSES, end__gte=timezone.localdate())
        .order_by("start")
        .values("start", "end", "quantity")[:100]
    )
    return render(
        request,
        "portal/loans/item_detail.html",
        {"item": item, "taken": list(taken), "asset": selectors.asset_of(item)},
    )


@require_http_methods(["GET", "POST"])
def loan_new(request):
    items = selectors.items(request.user)
    initial = {}
    wanted = request.GET.get("item", "")
    if wanted.isdigit() and items.filter(pk=int(wanted)).exists():
        initial["item"] = int(wanted)
    form = LoanForm(request.POST or None, initial=initial, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            loan = services.loan_request(
                actor=request.user,
                item=data["item"],
                start=data["start"],
                end=data["end"],
                quantity=data["quantity"],
                purpose=data["purpose"],
                submit_key=data["key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your loan request %(number)s waits for approval.") % {"number": loan.number},
            )
            return redirect(loan)
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/loans/loan_form.html", {"form": form}, status=status)


@require_GET
def my_loans(request):
    return render(
        request,
        "portal/loans/my_loans.html",
        {"page": _page(request, selectors.my_loans(request.user)), "today": timezone.localdate()},
    )


@require_GET
def loan_detail(request, pk: int):
    loan = _loan_or_404(request.user, pk)
    manager = selectors.manages_item(request.user, loan.item)
    return render(
        request,
        "portal/loans/loan_detail.html",
        {
            "loan": loan,
            "manager": manager,
            "may_cancel": loan.requester_id == request.user.pk
            and loan.status in (LoanStatus.PENDING, LoanStatus.APPROVED),
            "chain": documents_selectors.open_chain_for(loan) if loan.status == "pending" else None,
            "form": ConditionForm() if manager else None,
            "overdue": loan.status == LoanStatus.CHECKED_OUT and loan.end < timezone.localdate(),
        },
    )


def _manager_action(request, pk: int, action):
    loan = _loan_or_404(request.user, pk)
    if not selectors.manages_item(request.user, loan.item):
        raise Http404
    form = ConditionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(loan)
    try:
        action(
            loan=loan,
            actor=request.user,
            condition=form.cleaned_data["condition"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect(loan)
    return None


def _back(request, pk: int):
    if request.POST.get("next") == "desk":
        return redirect("portal:loan_desk")
    return redirect("portal:loan", pk)


@require_POST
def loan_checkout(request, pk: int):
    response = _manager_action(request, pk, services.loan_checkout)
    if response is None:
        messages.success(request, _("Checked out."))
        return _back(request, pk)
    return response


@require_POST
def loan_return(request, pk: int):
    response = _manager_action(request, pk, services.loan_return)
    if response is None:
        messages.success(request, _("Returned."))
        return _back(request, pk)
    return response


@require_POST
def loan_cancel(request, pk: int):
    loan = _loan_or_404(request.user, pk)
    service_action(
        request,
        lambda: services.loan_cancel(loan=loan, actor=request.user),
        success=_("The loan was cancelled."),
    )
    return redirect(loan)


@require_GET
def loan_desk(request):
    if not selectors.is_loan_manager(request.user):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "portal/loans/desk.html",
        {
            "to_collect": selectors.desk(request.user, status=LoanStatus.APPROVED)[:200],
            "out": selectors.desk(request.user, status=LoanStatus.CHECKED_OUT)[:200],
            "today": today,
            "form": ConditionForm(),
        },
    )
