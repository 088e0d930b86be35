"""payslips in the Django admin."""
