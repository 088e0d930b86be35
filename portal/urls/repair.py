"""Pages of the portal's repair service."""

from django.urls import path

from ..views import repair as views

urlpatterns = [
    path("repair/", views.my_tickets, name="repair_tickets"),
    path("repair/new/", views.ticket_new, name="repair_new"),
    path("repair/queue/", views.queue, name="repair_queue"),
    path("repair/reports/", views.reports, name="repair_reports"),
    path("repair/<int:pk>/", views.ticket_detail, name="repair_ticket"),
    path("repair/<int:pk>/comment/", views.ticket_comment, name="repair_comment"),
    path("repair/<int:pk>/status/", views.ticket_status, name="repair_status"),
    path("repair/<int:pk>/assign/", views.ticket_assign, name="repair_assign"),
    path("repair/<int:pk>/close/", views.ticket_close, name="repair_close"),
    path("repair/<int:pk>/reopen/", views.ticket_reopen, name="repair_reopen"),
    path("repair/<int:pk>/screenshots/<int:shot>/", views.screenshot, name="repair_screenshot"),
]
