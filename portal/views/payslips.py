"""Pages of payslips (/portal/payslips/): my payslips by month, one slip, its PDF, its
encrypted e-mail, and the payroll officer's import page with the validation report. Every
read goes through ``services.payslips.payslip_open`` (own slip or a 404, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import authz
from core.forms import add_service_errors

from ..forms.payslips import PayrollUploadForm, PayslipEmailForm
from ..models import Payslip
from ..roles import PAYROLL_OFFICER
from ..selectors import payslips as selectors
from ..services import payslips as services


def _open_or_404(request, pk, purpose: str) -> Payslip:
    try:
        return services.payslip_open(actor=request.user, pk=pk, purpose=purpose)
    except Payslip.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def payslip_list(request):
    services.payslips_list_audit(actor=request.user, channel="page")
    return render(
        request,
        "portal/payslips/list.html",
        {
            "payslips": list(selectors.my_payslips(request.user)[:120]),
            "officer": authz.has_role(request.user, PAYROLL_OFFICER),
        },
    )


def _detail(request, payslip, form, status=200):
    lines = list(payslip.lines.all())
    return render(
        request,
        "portal/payslips/detail.html",
        {
            "payslip": payslip,
            "earnings": [x for x in lines if x.kind == "earning"],
            "deductions": [x for x in lines if x.kind == "deduction"],
            "form": form,
        },
        status=status,
    )


@require_GET
def payslip_detail(request, pk: int):
    payslip = _open_or_404(request, pk, "view")
    return _detail(request, payslip, PayslipEmailForm())


@require_GET
def payslip_pdf(request, pk: int):
    payslip = _open_or_404(request, pk, "pdf")
    response = HttpResponse(services.payslip_pdf(payslip), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.payslip_filename(payslip)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def payslip_email(request, pk: int):
    payslip = _open_or_404(request, pk, "e-mail")
    form = PayslipEmailForm(request.POST)
    if form.is_valid():
        try:
            services.payslip_email(
                actor=request.user, payslip=payslip, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your payslip is on its way to %(email)s as an encrypted PDF.")
                % {"email": request.user.email},
            )
            return redirect(payslip.get_absolute_url())
    # PasswordInput never renders the typed value back.
    return _detail(request, payslip, form, status=400)


@require_http_methods(["GET", "POST"])
def payroll_import(request):
    if not authz.has_role(request.user, PAYROLL_OFFICER):
        raise PermissionDenied
    form = PayrollUploadForm(request.POST or None, request.FILES or None)
    report, result, status = None, None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.payroll_import(
                    actor=request.user, data=upload.read(), filename=upload.name
                )
            except services.PayrollFileInvalid as exc:
                report, status = exc, 400
            else:
                messages.success(
                    request,
                    _("Imported %(slips)s payslips from %(rows)s rows (%(replaced)s replaced).")
                    % {
                        "slips": result.slips,
                        "rows": result.batch.rows,
                        "replaced": result.replaced,
                    },
                )
                return redirect("portal:payroll_import")
        else:
            status = 400
    return render(
        request,
        "portal/payslips/import.html",
        {
            "form": form,
            "report": report,
            "imports": selectors.recent_imports(),
            "columns": services.COLUMNS,
        },
        status=status,
    )
