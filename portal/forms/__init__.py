"""Forms of the employee portal, one module per service."""

from .leave import LeaveRequestForm, MonthForm  # noqa: F401
from .loans import (  # noqa: F401
    ConditionForm,
    IssueForm,
    LoanForm,
    SupplyForm,
    SupplyMonthForm,
)
from .rooms import AttendeesField, BookingForm, CancelForm, GridForm, RoomFilterForm  # noqa: F401
