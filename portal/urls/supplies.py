"""Pages of consumables and supplies."""

from django.urls import path

from ..views import supplies as views

urlpatterns = [
    path("supplies/", views.catalogue, name="supplies"),
    path("supplies/new/", views.request_new, name="supply_new"),
    path("supplies/mine/", views.my_requests, name="my_supplies"),
    path("supplies/desk/", views.desk, name="supply_desk"),
    path("supplies/report/", views.report, name="supply_report"),
    path("supplies/report.csv", views.report_csv, name="supply_report_csv"),
    path("supplies/<int:pk>/", views.request_detail, name="supply_request"),
    path("supplies/<int:pk>/cancel/", views.request_cancel, name="supply_cancel"),
    path("supplies/<int:pk>/issue/", views.request_issue, name="supply_issue"),
]
