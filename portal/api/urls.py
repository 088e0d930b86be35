"""API routes of the employee portal (under /api/v1/)."""

from django.urls import path

from core.api.views import API_ROOT_LINKS

from . import leave, loans, payslips, repair, views

if ("portal", "api-v1:portal-room-list") not in API_ROOT_LINKS:
    API_ROOT_LINKS.append(("portal", "api-v1:portal-room-list"))

urlpatterns = [
    path("portal/rooms/", views.RoomListView.as_view(), name="portal-room-list"),
    path(
        "portal/rooms/<int:pk>/availability/",
        views.RoomAvailabilityView.as_view(),
        name="portal-room-availability",
    ),
    path("portal/bookings/", views.BookingCreateView.as_view(), name="portal-booking-create"),
    path(
        "portal/leave/balances/", leave.LeaveBalanceListView.as_view(), name="portal-leave-balances"
    ),
    path(
        "portal/leave/requests/",
        leave.LeaveRequestCreateView.as_view(),
        name="portal-leave-request-create",
    ),
    path("portal/payslips/", payslips.PayslipListView.as_view(), name="portal-payslip-list"),
    path(
        "portal/repair/tickets/", repair.TicketListCreateView.as_view(), name="portal-ticket-list"
    ),
    path(
        "portal/procurement/requests/",
        repair.ProcurementRequestListView.as_view(),
        name="portal-procurement-list",
    ),
    *loans.urlpatterns,
]
