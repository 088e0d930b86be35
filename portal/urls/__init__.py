"""Pages of the employee portal (/portal/, login required), one module per service."""

from . import leave, loans, mine, payslips, procurement, repair, rooms, supplies

app_name = "portal"

urlpatterns = [
    *rooms.urlpatterns,
    *mine.urlpatterns,
    *leave.urlpatterns,
    *loans.urlpatterns,
    *supplies.urlpatterns,
    *repair.urlpatterns,
    *procurement.urlpatterns,
    *payslips.urlpatterns,
]
