"""Pages of the portal's payslips service."""

urlpatterns: list = []
