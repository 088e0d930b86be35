"""Reads of payslips. A payslip is its person's alone: no colleague, unit head or payroll
officer reads another person's slip through the portal (the officer imports, the Django admin
is for the payroll office's superusers). Pages, the API and the PDF all use these."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from ..models import PayrollImport, Payslip, PayslipLine


def payslips_visible_to(user) -> QuerySet[Payslip]:
    """The slips ``user`` may read: their own, newest month first."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Payslip.objects.none()
    return Payslip.objects.filter(person=user).order_by("-month")


def my_payslips(user) -> QuerySet[Payslip]:
    """The list of ``user``'s slips (totals only)."""
    return payslips_visible_to(user).only("pk", "month", "earnings", "deductions", "net", "person")


def payslip_get(user, pk) -> Payslip:
    """``user``'s own slip ``pk`` with its lines and person; ``Payslip.DoesNotExist``
    otherwise."""
    return (
        payslips_visible_to(user)
        .select_related("person", "person__organization")
        .prefetch_related(Prefetch("lines", PayslipLine.objects.order_by("position")))
        .get(pk=pk)
    )


def payslips_with_lines(user) -> QuerySet[Payslip]:
    """``user``'s slips with their lines (the API): two queries whatever the number."""
    return payslips_visible_to(user).prefetch_related(
        Prefetch("lines", PayslipLine.objects.order_by("position"))
    )


def recent_imports(limit: int = 10) -> list[PayrollImport]:
    return list(PayrollImport.objects.select_related("uploaded_by")[:limit])
