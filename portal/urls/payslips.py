"""Pages of the portal's payslips service."""

from django.urls import path

from ..views import payslips as views

urlpatterns = [
    path("payslips/", views.payslip_list, name="payslips"),
    path("payslips/import/", views.payroll_import, name="payroll_import"),
    path("payslips/<int:pk>/", views.payslip_detail, name="payslip"),
    path("payslips/<int:pk>/payslip.pdf", views.payslip_pdf, name="payslip_pdf"),
    path("payslips/<int:pk>/email/", views.payslip_email, name="payslip_email"),
]
