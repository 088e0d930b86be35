from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Employee portal")

    def ready(self):
        from core import audit
        from documents.hooks import signoff_hooks

        # The jobs register with Celery, the tiles with core.registry.
        from . import tasks, tiles  # noqa: F401
        from .models import (
            Booking,
            BookingSeries,
            LeaveBalance,
            LeaveRequest,
            LeaveType,
            PayrollImport,
            Payslip,
            ProcurementRequest,
            RepairCategory,
            Room,
            Ticket,
            TicketComment,
        )
        from .selectors import (
            loans_mine,  # noqa: F401  (loans' and supplies' providers)
            mine,  # noqa: F401  (the room bookings' "My requests" provider)
            repair_mine,  # noqa: F401  (IT repair's and procurement's providers)
        )
        from .services import booking_approved, booking_refused
        from .services import leave as leave_services
        from .services.procurement import (
            procurement_approved,
            procurement_cancelled,
            procurement_returned,
        )

        # A restricted room's booking (or series) approved or refused by its room manager.
        for model in ("portal.Booking", "portal.BookingSeries"):
            signoff_hooks.register(model, completed=booking_approved, returned=booking_refused)
        # A leave request approved, refused or withdrawn through its chain.
        signoff_hooks.register(
            "portal.LeaveRequest",
            completed=leave_services.leave_approved,
            returned=leave_services.leave_refused,
            cancelled=leave_services.leave_chain_cancelled,
        )
        audit.register(LeaveType)
        audit.register(LeaveBalance)
        audit.register(LeaveRequest)
        signoff_hooks.register(
            "portal.ProcurementRequest",
            completed=procurement_approved,
            returned=procurement_returned,
            cancelled=procurement_cancelled,
        )
        from .models import Loan, LoanItem, Stock, Store, SupplyItem, SupplyRequest
        from .services import loan_approved, loan_refused, supply_approved, supply_refused

        signoff_hooks.register("portal.Loan", completed=loan_approved, returned=loan_refused)
        signoff_hooks.register(
            "portal.SupplyRequest", completed=supply_approved, returned=supply_refused
        )
        for model in (LoanItem, Store, SupplyItem, Stock):
            audit.register(model)
        audit.register(Loan, exclude=["reminded_on"])
        audit.register(SupplyRequest)
        audit.register(Room)
        audit.register(Ticket)
        audit.register(TicketComment)
        audit.register(RepairCategory)
        audit.register(ProcurementRequest)
        audit.register(Booking, exclude=["reminded_at"])
        audit.register(BookingSeries)
        audit.register(PayrollImport)
        audit.register(Payslip, exclude=["earnings", "deductions", "net"])
